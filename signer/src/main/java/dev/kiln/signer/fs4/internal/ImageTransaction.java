package dev.kiln.signer.fs4.internal;

import dev.kiln.inspector.io.AtomicFiles;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Copy-patch-rename for one image: the input is copied (in the kernel) to a temporary file beside
 * the output, the copy is memory-mapped and patched in place, synced, and only {@link #commit()}
 * renames it over the output. Closing without committing deletes the temporary file, so on any
 * failure the input is untouched and no output exists. The input is never opened for writing; when
 * output and input are the same path the rename replaces the input atomically.
 *
 * <p>The SHA-512 of the input (for the audit log) is computed on a second thread while the caller
 * patches the copy.
 */
public final class ImageTransaction implements AutoCloseable {
  private final Path output;
  private final Path temp;
  private final FileChannel channel;
  private final MappedByteBuffer image;
  private final ExecutorService hasher;
  private final Future<byte[]> inputSha512;
  private boolean synced;
  private boolean committed;

  private ImageTransaction(
      Path output,
      Path temp,
      FileChannel channel,
      MappedByteBuffer image,
      ExecutorService hasher,
      Future<byte[]> inputSha512) {
    this.output = output;
    this.temp = temp;
    this.channel = channel;
    this.image = image;
    this.hasher = hasher;
    this.inputSha512 = inputSha512;
  }

  /** Copies {@code input} beside {@code output} and maps the copy for patching. */
  public static ImageTransaction open(Path input, Path output) throws IOException {
    Path absoluteOutput = output.toAbsolutePath();
    Path directory = absoluteOutput.getParent();
    Path temp = AtomicFiles.createTemporary(absoluteOutput, false);
    FileChannel channel = null;
    ExecutorService hasher = null;
    try {
      hasher =
          Executors.newSingleThreadExecutor(
              runnable -> {
                Thread thread = new Thread(runnable, "kiln-input-sha512");
                thread.setDaemon(true);
                return thread;
              });
      Future<byte[]> inputSha512 = hasher.submit(() -> sha512OfFile(input));
      channel = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE);
      try (FileChannel source = FileChannel.open(input, StandardOpenOption.READ)) {
        // In the kernel (copy_file_range), into the file created with the umask's permissions.
        long size = source.size();
        for (long done = 0; done < size; ) {
          done += source.transferTo(done, size - done, channel);
        }
      }
      long size = channel.size();
      if (size > Integer.MAX_VALUE) {
        throw new IOException(input + " is larger than 2 GiB; not an FS4 image");
      }
      MappedByteBuffer image = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
      return new ImageTransaction(absoluteOutput, temp, channel, image, hasher, inputSha512);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      if (hasher != null) {
        hasher.shutdownNow();
      }
      Files.deleteIfExists(temp);
      throw e;
    }
  }

  /** The mapped copy; absolute positions are file offsets. Big-endian. */
  public MappedByteBuffer image() {
    return image;
  }

  /** SHA-512 of the input file as it was copied. */
  public byte[] inputSha512() throws IOException {
    return await(inputSha512, "hashing the input");
  }

  /**
   * Syncs the patched copy to disk and returns its SHA-512. The sync runs on the helper thread
   * while this thread hashes the copy from the page cache; both only read the patched bytes.
   */
  public byte[] sync() throws IOException {
    Future<Void> flushed =
        hasher.submit(
            () -> {
              image.force();
              channel.force(true);
              return null;
            });
    byte[] data = new byte[1 << 20];
    java.security.MessageDigest digest = Digests.get("SHA-512");
    int size = image.capacity();
    for (int position = 0; position < size; position += data.length) {
      int length = Math.min(data.length, size - position);
      image.get(position, data, 0, length);
      digest.update(data, 0, length);
    }
    await(flushed, "syncing the output");
    synced = true;
    return digest.digest();
  }

  private static <T> T await(Future<T> future, String what) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while " + what, e);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(what + " failed: " + cause.getMessage(), cause);
    }
  }

  /** Renames the synced copy over the output path and syncs the directory. */
  public void commit() throws IOException {
    if (!synced) {
      throw new IllegalStateException("sync() must come before commit()");
    }
    channel.close();
    AtomicFiles.replace(temp, output);
    committed = true;
  }

  @Override
  public void close() throws IOException {
    hasher.shutdownNow();
    if (channel.isOpen()) {
      channel.close();
    }
    if (!committed) {
      Files.deleteIfExists(temp);
    }
  }

  /** Hex form used in reports and audit records. */
  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private static byte[] sha512OfFile(Path file) throws IOException {
    java.security.MessageDigest digest = Digests.get("SHA-512");
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = in.size();
      MappedByteBuffer mapped = in.map(FileChannel.MapMode.READ_ONLY, 0, size);
      byte[] data = new byte[1 << 20];
      for (long position = 0; position < size; position += data.length) {
        int length = (int) Math.min(data.length, size - position);
        mapped.get((int) position, data, 0, length);
        digest.update(data, 0, length);
      }
    }
    return digest.digest();
  }
}
