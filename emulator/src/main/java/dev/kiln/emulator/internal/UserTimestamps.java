package dev.kiln.emulator.internal;

import dev.kiln.inspector.io.AtomicFiles;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.registers.Mvts;
import dev.kiln.registers.RegisterStatus;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Properties;

/**
 * The MVTS user timestamps (register 0x902C): one entry for the running image, one for the image
 * the device runs next, kept in NVRAM ({@code timestamps.properties}, replaced atomically) so they
 * survive power loss and resets.
 *
 * <p>What the host does with them (mstflint 4.21): before every burn of an HCA
 * ({@code FwOperations::TestAndSetTimeStamp}, mlxfwops/lib/fw_ops.cpp) it GETs the next entry
 * ({@code running_flag} 0); all zero means "no valid timestamp", and it then GETs the running entry
 * ({@code running_flag} 1): zero again means timestamping is not in use and the burn goes on. A
 * valid next entry with an image that carries no timestamp must name the image's FW version
 * ("Stamped FW version mismatch" otherwise). An image that carries a timestamp TLV has it SET on
 * the device ({@code DeviceTimeStamp::setTimeStamp}); {@code mstflint ts reset} SETs
 * {@code clear_all_ts_flag} ({@code DeviceTimeStamp::resetTimeStamp}). mstflint reads register
 * status BAD_CONFIG (0x20) on a SET as "Timestamp is too old" and on a GET as "No valid timestamp
 * found" ({@code DeviceTimeStamp::convertRc}, mlxfwops/lib/aux_tlv_ops.cpp).
 *
 * <p>Device rules (the PRM's MVTS field descriptions as mstflint's layout carries them,
 * tools_layouts/tools_open_layouts.h {@code tools_open_mvts}):
 *
 * <ul>
 *   <li>GET answers the entry {@code running_flag} names, the flags echoed.
 *   <li>SET with {@code clear_all_ts_flag} clears both entries.
 *   <li>SET of an entry older than the running one is refused with BAD_CONFIG (**choice**: the
 *       ordering rule is inferred from mstflint's "Timestamp is too old" text); with
 *       {@code check_timestamp_flag} the SET only checks and stores nothing.
 *   <li>A SET stores the next entry.
 *   <li>At boot, when the image that now runs is the one the next entry stamps (same FW version),
 *       the next entry becomes the running one ({@link #booted}).
 *   <li>At VERIFY_COMPONENT, a next entry whose FW version differs from the component's refuses it
 *       with REJECTED_USER_TIMESTAMP_MISMATCH (0x0E, {@code check_user_timestamp}, protocol doc
 *       §2.12) — {@link #admits}.
 * </ul>
 *
 * <p>Not API.
 */
public final class UserTimestamps {
  /** File name inside the device directory. */
  public static final String FILE = "timestamps.properties";

  private final Path dir;
  private Mvts.Timestamp running;
  private Mvts.Timestamp next;

  private UserTimestamps(Path dir, Mvts.Timestamp running, Mvts.Timestamp next) {
    this.dir = dir;
    this.running = running;
    this.next = next;
  }

  /** Reads the entries of a device directory (none when the file is absent). */
  public static UserTimestamps load(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new UserTimestamps(dir, Mvts.Timestamp.NONE, Mvts.Timestamp.NONE);
    }
    Properties props = new Properties();
    props.load(new StringReader(text));
    try {
      return new UserTimestamps(dir, parse(props, "running"), parse(props, "next"));
    } catch (IllegalArgumentException | IOException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /** The running image's entry. */
  public Mvts.Timestamp running() {
    return running;
  }

  /** The next image's entry. */
  public Mvts.Timestamp next() {
    return next;
  }

  /** Answers one MVTS access. */
  public RegisterReply handle(boolean get, Mvts request) throws IOException {
    if (get) {
      Mvts.Timestamp entry = request.running() ? running : next;
      return RegisterReply.ok(
          new Mvts(request.checkTimestamp(), request.running(), request.clearAll(), entry)
              .encode());
    }
    if (request.clearAll()) {
      if (!request.checkTimestamp()) {
        store(Mvts.Timestamp.NONE, Mvts.Timestamp.NONE);
      }
      return RegisterReply.ok(request.encode());
    }
    Mvts.Timestamp entry = request.timestamp();
    if (!running.isNone() && entry.chronologicalKey() < running.chronologicalKey()) {
      return RegisterReply.refuse(RegisterStatus.BAD_CONFIG, request.encode());
    }
    if (!request.checkTimestamp()) {
      store(running, entry);
    }
    return RegisterReply.ok(request.encode());
  }

  /** True unless a next entry stamps another FW version than {@code version}. */
  public boolean admits(FwVersion version) {
    return next.isNone() || stamps(next, version);
  }

  /**
   * The boot ROM started an image of {@code version}: a next entry stamping it becomes the running
   * entry.
   */
  public void booted(FwVersion version) throws IOException {
    if (!next.isNone() && stamps(next, version)) {
      store(next, Mvts.Timestamp.NONE);
    }
  }

  private static boolean stamps(Mvts.Timestamp entry, FwVersion version) {
    return entry.fwMajor() == version.major()
        && entry.fwMinor() == version.minor()
        && entry.fwSubminor() == version.subminor();
  }

  private void store(Mvts.Timestamp newRunning, Mvts.Timestamp newNext) throws IOException {
    String text =
        "# Kiln emulated device MVTS user timestamps (NVRAM; replaced atomically)\n"
            + "running="
            + format(newRunning)
            + "\nnext="
            + format(newNext)
            + "\n";
    AtomicFiles.write(dir.resolve(FILE), text.getBytes(StandardCharsets.UTF_8));
    running = newRunning;
    next = newNext;
  }

  /** The entry as the 16 bytes MVTS carries at 0x04, in hex. */
  private static String format(Mvts.Timestamp entry) {
    byte[] reg = new Mvts(false, false, false, entry).encode();
    return HexFormat.of().formatHex(reg, 4, Mvts.SIZE).toLowerCase(Locale.ROOT);
  }

  private static Mvts.Timestamp parse(Properties props, String key) throws IOException {
    String value = props.getProperty(key, "").trim();
    if (value.length() != 32) {
      throw new IOException(key + " is not 16 bytes of hex");
    }
    byte[] reg = new byte[Mvts.SIZE];
    System.arraycopy(HexFormat.of().parseHex(value), 0, reg, 4, 16);
    try {
      return Mvts.decode(reg).timestamp();
    } catch (dev.kiln.registers.RegisterFormatException e) {
      throw new IOException(e.getMessage(), e);
    }
  }
}
