package dev.kiln.signer.fs4.internal;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.signer.fs4.ImageSigningException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Patch-write-rename for one image. The input's bytes were read once into memory ({@link
 * LayoutReader#read}); they are patched there, then written to a temporary file beside the output,
 * synced, and only {@link #commit()} renames it over the output. Closing without committing deletes
 * the temporary file, so on any failure the input is untouched and no output exists. The input is
 * never opened for writing; when output and input are the same path the rename replaces the input
 * atomically.
 *
 * <p>Every byte is touched as few times as the job allows: the SHA-512 of the input (for the audit
 * log) runs on a second thread over the same array while the structure is verified, and the
 * SHA-512 of the output is computed while the kernel syncs it. Patching waits for both the
 * verification and the input hash, since both read the bytes being patched.
 *
 * <p>Durability: {@code fdatasync} of the written file (its data and size; its timestamps need not
 * survive a crash), the rename, then {@code fsync} of the directory, so the audit record never
 * names an output a crash could lose.
 */
public final class ImageTransaction implements AutoCloseable {
  /** Bytes per write call: heap buffers pass through a temporary native buffer of this size. */
  private static final int WRITE_CHUNK = 1 << 20;

  /** Dropped after {@link #sync}: a prepared image waiting for commit holds no image bytes. */
  private LayoutReader.Input input;
  private final Path output;
  private final ExecutorService hasher;
  private final Future<byte[]> inputSha512;
  private ByteBuffer image;
  private Path temp;
  private FileChannel channel;
  private boolean synced;
  private boolean committed;

  private ImageTransaction(
      LayoutReader.Input input, Path output, ExecutorService hasher, Future<byte[]> inputSha512) {
    this.input = input;
    this.output = output;
    this.hasher = hasher;
    this.inputSha512 = inputSha512;
  }

  /** Starts hashing the input's bytes; nothing is written before {@link #sync}. */
  public static ImageTransaction open(LayoutReader.Input input, Path output) {
    ExecutorService hasher =
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "kiln-input-sha512");
              thread.setDaemon(true);
              return thread;
            });
    byte[] bytes = input.bytes();
    Future<byte[]> inputSha512 = hasher.submit(() -> Digests.get("SHA-512").digest(bytes));
    return new ImageTransaction(input, output.toAbsolutePath(), hasher, inputSha512);
  }

  /**
   * The bytes to patch; absolute positions are file offsets, big-endian. The first call waits
   * until the input is verified and hashed.
   *
   * @throws ImageSigningException when the input fails its structural verification
   */
  public ByteBuffer image() throws IOException, ImageSigningException {
    if (image == null) {
      input.requireVerified();
      inputSha512();
      image = ByteBuffer.wrap(input.bytes());
    }
    return image;
  }

  /** The parsed image, a view of the bytes (patched ones after {@link #image}); before sync. */
  public Fs4Image parsed() {
    return input.image();
  }

  /** SHA-512 of the input as it was read. */
  public byte[] inputSha512() throws IOException {
    return await(inputSha512, "hashing the input");
  }

  /**
   * Writes the patched bytes to a temporary file beside the output and syncs it; returns their
   * SHA-512, computed on this thread while the helper thread waits for the sync.
   */
  public byte[] sync() throws IOException {
    byte[] bytes = input.bytes();
    Path directory = output.getParent();
    temp = Files.createTempFile(directory, "." + output.getFileName() + ".", ".kiln-tmp");
    channel = FileChannel.open(temp, StandardOpenOption.WRITE);
    for (int position = 0; position < bytes.length; position += WRITE_CHUNK) {
      ByteBuffer slice =
          ByteBuffer.wrap(bytes, position, Math.min(WRITE_CHUNK, bytes.length - position));
      while (slice.hasRemaining()) {
        channel.write(slice);
      }
    }
    FileChannel written = channel;
    Future<Void> flushed =
        hasher.submit(
            () -> {
              written.force(false);
              return null;
            });
    byte[] digest = Digests.get("SHA-512").digest(bytes);
    await(flushed, "syncing the output");
    synced = true;
    input = null;
    return digest;
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
    try {
      Files.move(temp, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot rename atomically into " + output.getParent(), e);
    }
    committed = true;
    try (FileChannel directory = FileChannel.open(output.getParent(), StandardOpenOption.READ)) {
      directory.force(true);
    } catch (IOException e) {
      // Some file systems cannot sync a directory; the rename itself has happened.
    }
  }

  @Override
  public void close() throws IOException {
    hasher.shutdownNow();
    if (channel != null && channel.isOpen()) {
      channel.close();
    }
    if (!committed && temp != null) {
      Files.deleteIfExists(temp);
    }
  }

  /** Hex form used in reports and audit records. */
  public static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
