package dev.kiln.signer.audit;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * An append-only JSON-lines file of signing events ({@link AuditRecord#toJson()} per line).
 *
 * <p>Each append opens the file without truncating it, takes an exclusive lock so concurrent
 * signers cannot interleave lines, writes one complete line and forces it to disk before returning.
 * A previous line left without its line feed (a crash mid-write) is closed first so the new record
 * stays parseable on its own line.
 */
public final class AuditLog {
  /** Suffix of the default audit log, placed beside the output image. */
  public static final String DEFAULT_SUFFIX = ".kiln-audit.jsonl";

  private final Path path;

  public AuditLog(Path path) {
    this.path = path;
  }

  /** The default log for an output image: {@code OUT.kiln-audit.jsonl} in the same directory. */
  public static AuditLog besideOutput(Path output) {
    Path name = output.getFileName();
    return new AuditLog(output.resolveSibling(name + DEFAULT_SUFFIX));
  }

  public Path path() {
    return path;
  }

  /**
   * Appends one record and syncs it.
   *
   * @throws IOException when the log cannot be written; the caller must then not publish the signed
   *     output, so that no signature exists without its audit record
   */
  public void append(AuditRecord record) throws IOException {
    appendAll(List.of(record));
  }

  /**
   * Appends records (a run that signed several images) under one lock with one write and one
   * sync: they land together, in order, or not at all.
   *
   * @throws IOException as {@link #append}
   */
  public void appendAll(List<AuditRecord> records) throws IOException {
    StringBuilder text = new StringBuilder();
    for (AuditRecord record : records) {
      text.append(record.toJson()).append('\n');
    }
    byte[] line = text.toString().getBytes(StandardCharsets.UTF_8);
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (FileChannel channel =
        FileChannel.open(
            path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock lock = channel.lock();
      // Writing at the end under the lock is an append; the file is never truncated or rewritten.
      long size = channel.size();
      if (size > 0) {
        ByteBuffer lastByte = ByteBuffer.allocate(1);
        channel.read(lastByte, size - 1);
        if (lastByte.get(0) != '\n') {
          size = writeFully(channel, ByteBuffer.wrap(new byte[] {'\n'}), size);
        }
      }
      writeFully(channel, ByteBuffer.wrap(line), size);
      channel.force(true);
      lock.release();
    }
  }

  private static long writeFully(FileChannel channel, ByteBuffer data, long position)
      throws IOException {
    while (data.hasRemaining()) {
      position += channel.write(data, position);
    }
    return position;
  }

  /** The OS user name, or {@code unknown}. */
  public static String currentUser() {
    String user = System.getProperty("user.name");
    return user == null || user.isBlank() ? "unknown" : user;
  }

  /** The host name, read without a DNS lookup where the system offers it. */
  public static String currentHost() {
    try {
      Path etcHostname = Path.of("/etc/hostname");
      if (Files.isReadable(etcHostname)) {
        String name = Files.readString(etcHostname, StandardCharsets.UTF_8).trim();
        if (!name.isEmpty()) {
          return name;
        }
      }
    } catch (IOException | SecurityException e) {
      // Fall through to the JDK's view of the host.
    }
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
