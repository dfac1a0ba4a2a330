package dev.kiln.pipeline.cli;

import dev.kiln.burner.DeviceInfo;
import dev.kiln.pipeline.burnlog.BurnLog;
import dev.kiln.pipeline.burnlog.BurnRecord;
import dev.kiln.pipeline.burnlog.LogKey;
import dev.kiln.signer.KeyAccessException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * One {@code kiln burn} attempt as the burn log sees it: exactly one record per attempt, whatever
 * ends it (success, refusal, failure before the first query, an unreadable bundle, an interrupt).
 * The burn fills in what it learns as it goes (the device before, the image hash); the first call
 * of {@link #record} writes the record and later calls do nothing, so the signal handler and the
 * burning thread can both try. A log that cannot be written costs a warning on stderr, never the
 * burn's own exit code.
 */
final class BurnAttempt implements AutoCloseable {
  /** No log: records nothing. */
  static final BurnAttempt NONE = new BurnAttempt(null, null, null, null, "");

  private final BurnLog log;
  private final LogKey key;
  private final PrintWriter err;
  private final String device;
  private final String host;
  private DeviceInfo before;
  private String imageSha512 = "n/a";
  private String bundleSha512;
  private boolean recorded;

  private BurnAttempt(BurnLog log, LogKey key, PrintWriter err, String device, String host) {
    this.log = log;
    this.key = key;
    this.err = err;
    this.device = device;
    this.host = host;
  }

  /**
   * An attempt logged to {@code logFile} (null: not logged), optionally keyed with {@code key} (a
   * key file or a {@code pkcs11:} secret-key reference).
   */
  static BurnAttempt start(Path logFile, String key, String device, PrintWriter err)
      throws IOException, KeyAccessException {
    if (logFile == null) {
      return NONE;
    }
    LogKey logKey = openKey(key);
    return new BurnAttempt(new BurnLog(logFile, logKey), logKey, err, device, hostName());
  }

  /** The burn-log key {@code text} names (null: none). */
  static LogKey openKey(String text) throws IOException, KeyAccessException {
    if (text == null) {
      return null;
    }
    if (!text.startsWith("pkcs11:")) {
      SignCommand.requireReadable(Path.of(text));
    }
    return LogKey.open(text);
  }

  @Override
  public void close() {
    if (key != null) {
      key.close();
    }
  }

  /** The host's name: the kernel's node name, else what the resolver says, else "unknown". */
  static String hostName() {
    try {
      Path file = Path.of("/proc/sys/kernel/hostname");
      if (Files.isReadable(file)) {
        String name = Files.readString(file).trim();
        if (!name.isEmpty()) {
          return name;
        }
      }
    } catch (IOException e) {
      // fall through to the resolver
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }

  synchronized void deviceBefore(DeviceInfo info) {
    before = info;
  }

  synchronized void image(String imageSha512, String bundleSha512) {
    this.imageSha512 = imageSha512;
    this.bundleSha512 = bundleSha512;
  }

  synchronized boolean recorded() {
    return recorded || log == null;
  }

  /**
   * Writes the attempt's record (once).
   *
   * @param after the device afterwards, or null when unknown or unchanged
   */
  synchronized void record(DeviceInfo after, String result, String detail) {
    if (log == null || recorded) {
      return;
    }
    recorded = true;
    String psid = before != null ? before.psid() : after != null ? after.psid() : "unknown";
    String beforeVersion = before != null ? before.runningVersion().toString() : "unknown";
    String afterVersion =
        after != null ? after.flashVersion().toString()
            : before != null ? before.flashVersion().toString() : "unknown";
    String serial = before != null ? before.baseMac() : after != null ? after.baseMac() : "";
    try {
      log.append(
          new BurnRecord(
              Instant.now(), device, psid, beforeVersion, afterVersion, imageSha512,
              bundleSha512, result, detail == null ? "" : oneLine(detail), host, serial));
    } catch (IOException | RuntimeException e) {
      err.println("kiln: warning: the burn log " + log.file() + " could not be written ("
          + e.getMessage() + "); this attempt (" + result + ") is not recorded");
      err.flush();
    }
  }

  private static String oneLine(String text) {
    return text.replace('\n', ' ').replace('\r', ' ');
  }
}
