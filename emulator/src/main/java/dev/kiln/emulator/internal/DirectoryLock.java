package dev.kiln.emulator.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps two processes from running the same device directory at once (two daemons on one flash
 * file would each believe they own the NV state). An OS file lock on {@code .lock} in the
 * directory; inside one JVM the lock is shared and reference-counted, because tests and the
 * in-process transport may open the same directory more than once.
 */
public final class DirectoryLock implements AutoCloseable {
  private static final Map<Path, Held> HELD = new HashMap<>();

  private record Held(FileChannel channel, FileLock lock, int count) {}

  private final Path key;
  private boolean released;

  private DirectoryLock(Path key) {
    this.key = key;
  }

  /**
   * Takes the lock of {@code dir}.
   *
   * @throws IOException when another process holds it
   */
  public static DirectoryLock acquire(Path dir) throws IOException {
    Path key = dir.toAbsolutePath().normalize();
    synchronized (HELD) {
      Held held = HELD.get(key);
      if (held != null) {
        HELD.put(key, new Held(held.channel(), held.lock(), held.count() + 1));
        return new DirectoryLock(key);
      }
      FileChannel channel =
          FileChannel.open(
              key.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
      if (lock == null) {
        channel.close();
        throw new IOException(dir + ": the device is in use by another process");
      }
      HELD.put(key, new Held(channel, lock, 1));
      return new DirectoryLock(key);
    }
  }

  @Override
  public void close() throws IOException {
    synchronized (HELD) {
      if (released) {
        return;
      }
      released = true;
      Held held = HELD.get(key);
      if (held == null) {
        return;
      }
      if (held.count() > 1) {
        HELD.put(key, new Held(held.channel(), held.lock(), held.count() - 1));
        return;
      }
      HELD.remove(key);
      held.lock().release();
      held.channel().close();
    }
  }
}
