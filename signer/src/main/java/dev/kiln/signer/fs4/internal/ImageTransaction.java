package dev.kiln.signer.fs4.internal;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.io.AtomicFiles;
import dev.kiln.signer.fs4.ImageSigningException;
import java.io.IOException;
import java.nio.ByteBuffer;
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
 * Copy-patch-rename for one image. The input is copied once, in the kernel, to a temporary file
 * beside the output; that private copy is memory-mapped, and everything reads and patches that one
 * mapping: the parse and structural verification ({@link LayoutReader}), the input's SHA-512 for
 * the audit log, the signed digests, the patches, and the output's SHA-512. It is synced and only
 * {@link #commit()} renames it over the output. Closing without committing deletes the temporary
 * file, so on any failure the input is untouched and no output exists. The input is never opened
 * for writing; when output and input are the same path the rename replaces the input atomically.
 *
 * <p>Why a mapped copy: no byte passes through a Java array (no zeroed heap array, no read or
 * write copying the image between the kernel and the process), the process maps the image once
 * (its resident size holds the image once), and what is verified is what is signed and published
 * (another process changing the input after the copy changes nothing here).
 *
 * <p>The input's SHA-512 runs on a second thread while the structure is verified; patching waits
 * for both, since both read the bytes being patched. Durability: {@code fdatasync} of the copy
 * (its data; its timestamps need not survive a crash) while its SHA-512 is computed, the rename,
 * then {@code fsync} of the directory, so the audit record never names an output a crash could
 * lose.
 */
public final class ImageTransaction implements AutoCloseable {
  private final Path output;
  private final Path temp;
  private final FileChannel channel;
  private final MappedByteBuffer mapped;
  private final LayoutReader.Input input;
  private final ExecutorService hasher;
  private final Future<byte[]> inputSha512;
  private boolean patching;
  private boolean synced;
  private boolean committed;

  private ImageTransaction(
      Path output,
      Path temp,
      FileChannel channel,
      MappedByteBuffer mapped,
      LayoutReader.Input input,
      ExecutorService hasher,
      Future<byte[]> inputSha512) {
    this.output = output;
    this.temp = temp;
    this.channel = channel;
    this.mapped = mapped;
    this.input = input;
    this.hasher = hasher;
    this.inputSha512 = inputSha512;
  }

  /**
   * Copies {@code input} beside {@code output}, maps the copy, parses it and starts its
   * verification and its SHA-512.
   *
   * @throws dev.kiln.inspector.ImageFormatException when the input is not a readable FS4 image
   * @throws ImageSigningException when its structure cannot be signed (see {@link LayoutReader})
   */
  public static ImageTransaction open(Path input, Path output)
      throws IOException, ImageSigningException {
    Path absoluteOutput = output.toAbsolutePath();
    FileChannel source = ImageParser.openImageFile(input);
    Path temp = null;
    FileChannel channel = null;
    ExecutorService hasher = null;
    try (source) {
      // Created with the umask's permissions (AtomicFiles), as every output kiln writes.
      temp = AtomicFiles.createTemporary(absoluteOutput, false);
      channel = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE);
      long size = source.size();
      for (long done = 0; done < size; ) {
        long copied = source.transferTo(done, size - done, channel);
        if (copied <= 0) {
          throw new IOException(input + " shrank while it was copied");
        }
        done += copied;
      }
      MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
      LayoutReader.Input parsed = LayoutReader.read(input, mapped);
      hasher =
          Executors.newSingleThreadExecutor(
              runnable -> {
                Thread thread = new Thread(runnable, "kiln-input-sha512");
                thread.setDaemon(true);
                return thread;
              });
      ByteBuffer view = mapped.duplicate();
      Future<byte[]> inputSha512 = hasher.submit(() -> sha512(view));
      return new ImageTransaction(
          absoluteOutput, temp, channel, mapped, parsed, hasher, inputSha512);
    } catch (IOException | ImageSigningException | RuntimeException e) {
      if (hasher != null) {
        hasher.shutdownNow();
      }
      if (channel != null) {
        channel.close();
      }
      if (temp != null) {
        Files.deleteIfExists(temp);
      }
      throw e;
    }
  }

  /** The image's layout, known at once (the verification may still be running). */
  public ImageLayout layout() {
    return input.layout();
  }

  /**
   * The mapped copy to patch; absolute positions are file offsets, big-endian. The first call
   * waits until the image is verified and its input hash computed.
   *
   * @throws ImageSigningException when the image fails its structural verification
   */
  public MappedByteBuffer image() throws IOException, ImageSigningException {
    if (!patching) {
      input.requireVerified();
      inputSha512();
      patching = true;
    }
    return mapped;
  }

  /**
   * A read-only view of the copy for reading before {@link #image} (nothing is patched before
   * that call; the verification and the input hash may still be reading too).
   */
  public ByteBuffer unpatched() {
    return mapped.asReadOnlyBuffer();
  }

  /** The parsed image, a view of the mapped copy (patched bytes after {@link #image}). */
  public Fs4Image parsed() {
    return input.image();
  }

  /** SHA-512 of the input as it was copied. */
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
              // fdatasync flushes the mapping's dirty pages too (shared file mapping, Linux);
              // force() first keeps that true on systems where it is not.
              mapped.force();
              channel.force(false);
              return null;
            });
    byte[] digest = sha512(mapped.duplicate());
    await(flushed, "syncing the output");
    synced = true;
    return digest;
  }

  private static byte[] sha512(ByteBuffer bytes) {
    java.security.MessageDigest digest = Digests.get("SHA-512");
    digest.update(bytes.position(0));
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
}
