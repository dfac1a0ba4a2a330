package dev.kiln.emulator;

import java.nio.charset.StandardCharsets;

/**
 * The daemon's framing (docs/emulator.md, "Wire protocol"). Every message each way is one frame:
 * a 4-byte big-endian length, then that many bytes. A request frame whose body starts with the
 * ASCII letter {@code K} is a Kiln control frame (a 4-letter tag, then arguments); anything else is
 * a register envelope (its first byte is always 0x08: operation TLV type 1). Register envelopes
 * are answered with the response envelope; control frames with {@code KOK } plus data, and any
 * failure (including a register envelope sent to a device in livefish) with {@code KERR} plus a
 * UTF-8 message.
 *
 * <p>Every connection opens with {@code KAUT} and the daemon's token (the ASCII hex text of the
 * token file, {@link #TOKEN_FILE} in the device directory, readable by its owner only); the daemon
 * answers {@code KOK } and serves the connection, or {@code KERR} and closes it. Any other first
 * frame, or a first frame longer than {@link #MAX_AUTH_FRAME}, is refused the same way.
 *
 * <pre>
 * Request                                   Reply
 * KAUT token (ASCII hex)                    KOK  | KERR message, then close  (first frame only)
 * envelope bytes                            response envelope | KERR message
 * KIDN                                      KOK  + identification line (UTF-8)
 * KRST                                      KOK  (power cycle done)
 * KGWR u64 address, u32 length              KOK  + flash bytes          (livefish only)
 * KGWW u64 address, data bytes              KOK                         (livefish only)
 * KGWB u32 slot, u32 image size             KOK  (boot image declared)  (livefish only)
 * KPLD PLDM message, or nothing (a poll)    KOK  + PLDM message, or nothing (see below)
 * </pre>
 *
 * <p>{@code KPLD} carries the BMC's PLDM firmware-update channel (DSP0267, {@code
 * registers.pldm.PldmEndpoint}): a UA request is answered with the FD's response; a UA response
 * to the FD's last request, or an empty poll, with the FD's next request (RequestFirmwareData,
 * TransferComplete, VerifyComplete, ApplyComplete) or nothing.
 */
public final class WireProtocol {
  private WireProtocol() {}

  /**
   * Largest frame either side accepts, checked before anything is allocated for the body: a
   * 64 KiB recovery-gateway write (the largest request Kiln sends) and its header fit.
   */
  public static final int MAX_FRAME = 1 << 17;

  /** Largest first frame (the {@code KAUT} token) the daemon reads from an unauthenticated peer. */
  public static final int MAX_AUTH_FRAME = 256;

  /** The token file the daemon writes into the device directory (owner read/write only). */
  public static final String TOKEN_FILE = "daemon.token";

  public static final byte[] AUTHENTICATE = tag("KAUT");

  public static final byte[] IDENTIFY = tag("KIDN");
  public static final byte[] POWER_CYCLE = tag("KRST");
  public static final byte[] GATEWAY_READ = tag("KGWR");
  public static final byte[] GATEWAY_WRITE = tag("KGWW");
  public static final byte[] GATEWAY_BOOT_IMAGE = tag("KGWB");
  public static final byte[] PLDM = tag("KPLD");
  public static final byte[] OK = tag("KOK ");
  public static final byte[] ERROR = tag("KERR");

  /** True when a frame body is a control frame rather than a register envelope. */
  public static boolean isControl(byte[] body) {
    return body.length >= 4 && body[0] == 'K';
  }

  /** True when a frame body starts with {@code tag}. */
  public static boolean hasTag(byte[] body, byte[] tag) {
    return body.length >= 4
        && body[0] == tag[0]
        && body[1] == tag[1]
        && body[2] == tag[2]
        && body[3] == tag[3];
  }

  private static byte[] tag(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
