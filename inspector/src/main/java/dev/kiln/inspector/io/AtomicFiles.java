package dev.kiln.inspector.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;

/**
 * The one way Kiln writes an output file: the bytes go to a new temporary file beside the target
 * (same directory, so the rename is atomic), are synced, and the temporary file is renamed over
 * the target, then the directory is synced. A reader never sees half a file, and after a crash the
 * target holds the old or the new content. On any failure the temporary file is removed and the
 * target is untouched.
 *
 * <p>Permissions: an output is created as any program's output is, {@code 0666} less the process
 * umask (so a team's {@code umask 002} or {@code 022} applies). Secret material (a daemon token)
 * is created owner-only ({@code 0600}) from the first instant instead. The temporary name is
 * random and the file is created exclusively, so a file planted under a predictable name by
 * another user of the directory is never written through.
 *
 * <p>It lives in the inspector, the module every other one depends on, so the image writer, the
 * signer, the emulator and the CLI share it.
 */
public final class AtomicFiles {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final FileAttribute<?> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private AtomicFiles() {}

  /**
   * Creates a new, empty temporary file in {@code target}'s directory: permissions from the umask,
   * or owner-only when {@code secret}. The caller fills it and passes it to {@link #replace} or
   * {@link #publishNew}, and deletes it on failure.
   */
  public static Path createTemporary(Path target, boolean secret) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path directory = absolute.getParent();
    byte[] suffix = new byte[6];
    for (int attempt = 0; ; attempt++) {
      RANDOM.nextBytes(suffix);
      Path temporary =
          directory.resolve(
              "." + absolute.getFileName() + "." + HexFormat.of().formatHex(suffix) + ".tmp");
      try {
        return secret ? Files.createFile(temporary, OWNER_ONLY) : Files.createFile(temporary);
      } catch (FileAlreadyExistsException e) {
        if (attempt == 10) {
          throw e;
        }
      }
    }
  }

  /** Replaces {@code target} with {@code content}; see the class comment. */
  public static void write(Path target, byte[] content) throws IOException {
    write(target, content, false);
  }

  /** {@link #write}, the file owner-only (0600) from creation on: for secret material. */
  public static void writeSecret(Path target, byte[] content) throws IOException {
    write(target, content, true);
  }

  private static void write(Path target, byte[] content, boolean secret) throws IOException {
    Path directory = target.toAbsolutePath().getParent();
    Files.createDirectories(directory);
    Path temporary = createTemporary(target, secret);
    try {
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      replace(temporary, target);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /**
   * Renames the synced {@code temporary} over {@code target} atomically, then syncs the directory.
   *
   * @throws IOException if the file system cannot rename atomically (never a non-atomic fallback)
   */
  public static void replace(Path temporary, Path target) throws IOException {
    Path absolute = target.toAbsolutePath();
    try {
      Files.move(
          temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot rename atomically into " + absolute.getParent(), e);
    }
    syncDirectory(absolute.getParent());
  }

  /**
   * Publishes the synced {@code temporary} as {@code target} only if no file of that name exists
   * (a hard link never replaces one, so a file created meanwhile is not lost), then removes the
   * temporary name and syncs the directory.
   *
   * @throws FileAlreadyExistsException if {@code target} exists
   */
  public static void publishNew(Path temporary, Path target) throws IOException {
    Path absolute = target.toAbsolutePath();
    try {
      Files.createLink(absolute, temporary);
      Files.delete(temporary);
    } catch (UnsupportedOperationException e) {
      Files.move(temporary, absolute);
    }
    syncDirectory(absolute.getParent());
  }

  /** Makes a completed rename in {@code dir} durable (no-op where directories cannot be opened). */
  public static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, EnumSet.of(StandardOpenOption.READ))) {
      channel.force(true);
    } catch (IOException e) {
      // Some platforms refuse to open directories; the rename is then as durable as they allow.
    }
  }
}
