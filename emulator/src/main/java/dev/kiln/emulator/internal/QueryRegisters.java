package dev.kiln.emulator.internal;

import dev.kiln.emulator.DeviceIdentity;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ImageInfo;
import dev.kiln.inspector.section.ImageInfoFlag;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.ComponentId;
import dev.kiln.registers.ComponentStatus;
import dev.kiln.registers.ComponentUpdateState;
import dev.kiln.registers.Mcam;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.Mcda;
import dev.kiln.registers.Mcqi;
import dev.kiln.registers.McqiActivationMethod;
import dev.kiln.registers.McqiCapabilities;
import dev.kiln.registers.McqiInfoType;
import dev.kiln.registers.McqiVersion;
import dev.kiln.registers.Mcqs;
import dev.kiln.registers.Mfsv;
import dev.kiln.registers.Mgir;
import dev.kiln.registers.Mqis;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The answers of the read-only registers (MGIR, MCAM, MCQS, MCQI, MQIS, MFSV) from the device's
 * current facts, as docs/emulator.md describes them. Pure functions: the device passes in what it
 * knows; an empty result means "answer BAD_PARAM".
 */
public final class QueryRegisters {
  /** MCQS index of the boot image component. */
  public static final int INDEX_BOOT_IMG = 0;
  /** MCQS index of the CS token component. */
  public static final int INDEX_CS_TOKEN = 1;

  private QueryRegisters() {}

  /** MGIR of a device running {@code running}. */
  public static Mgir mgir(
      DeviceIdentity identity, ImageFacts running, int lifeCycle, long uptimeSeconds) {
    ImageInfo info = running.info().orElseThrow();
    FwVersion version = running.version();
    boolean secured = info.has(ImageInfoFlag.SECURE_FW);
    return new Mgir(
        identity.type().pciDeviceId(),
        identity.hwRevision(),
        identity.type().hwId(),
        identity.baseMac(),
        Math.max(0, Math.min(uptimeSeconds, 0xFFFF_FFFFL)),
        secured,
        secured || info.has(ImageInfoFlag.SIGNED_FW),
        info.has(ImageInfoFlag.DEBUG_FW),
        false,
        0,
        info.releaseDate().year() & 0xFFFF,
        info.releaseDate().month() & 0xFF,
        info.releaseDate().day() & 0xFF,
        info.buildHour() & 0xFFFF,
        identity.psid(),
        0,
        version.major(),
        version.minor(),
        version.subminor(),
        lifeCycle,
        false,
        false,
        "");
  }

  /**
   * MCAM: the registers this device offers, per group (never MCDD, so hosts never use DMA). Group 0
   * lists MCAM itself, as a real ConnectX-5 does (../shared/fixtures/real-cx5-query).
   */
  public static Mcam mcam(Mcam request) {
    byte[] noFeatures = new byte[16];
    return switch (request.accessRegGroup()) {
      case 0 -> Mcam.forRegisters(
          0,
          List.of(
              AccessRegister.MGIR.id(),
              AccessRegister.MNVDA.id(),
              AccessRegister.MFRL.id(),
              AccessRegister.MCQS.id(),
              AccessRegister.MCQI.id(),
              AccessRegister.MCC.id(),
              AccessRegister.MCDA.id(),
              AccessRegister.MQIS.id(),
              AccessRegister.MCAM.id(),
              AccessRegister.MVTS.id()),
          noFeatures);
      case 2 -> Mcam.forRegisters(
          2, List.of(AccessRegister.MIRC.id(), AccessRegister.MFSV.id()), noFeatures);
      default -> Mcam.forRegisters(request.accessRegGroup(), List.of(), noFeatures);
    };
  }

  /**
   * MCQS: index 0 BOOT_IMG, index 1 CS_TOKEN (the last). The running BOOT_IMG reports PRESENT, as
   * a real ConnectX-5 does (../shared/fixtures/real-cx5-query, MCQS index 0: component_status 1).
   *
   * @param updateState the update state of the requested component
   * @param locked whether an update handle is held
   */
  public static Optional<Mcqs> mcqs(
      Mcqs request, ComponentUpdateState updateState, boolean csToken, boolean locked) {
    int index = request.componentIndex();
    if (request.deviceIndex() != 0 || (index != INDEX_BOOT_IMG && index != INDEX_CS_TOKEN)) {
      return Optional.empty();
    }
    boolean boot = index == INDEX_BOOT_IMG;
    ComponentStatus status =
        boot ? ComponentStatus.PRESENT
            : csToken ? ComponentStatus.PRESENT : ComponentStatus.NOT_PRESENT;
    return Optional.of(
        new Mcqs(
            index,
            0,
            index == INDEX_CS_TOKEN,
            boot ? ComponentId.BOOT_IMG.code() : ComponentId.CS_TOKEN.code(),
            updateState.code(),
            status.code(),
            0,
            0,
            0,
            locked ? Mcc.OWNER_ICMD : 0));
  }

  /**
   * MCQI: BOOT_IMG answers CAPABILITIES, VERSION (running, or pending when asked; empty when
   * nothing is pending, which is how hosts detect "none", protocol doc §3.1) and
   * ACTIVATION_METHOD; CS_TOKEN answers CAPABILITIES only. A read_pending request of a component
   * with nothing pending is refused whatever its info type (BAD_PARAM), as a real ConnectX-5
   * refuses the read_pending CAPABILITIES query of every component (../shared/fixtures/
   * real-cx5-query: operation status 7); hosts then ask again with read_pending clear (§2.5).
   *
   * @param pending the pending image, or null
   * @param slotSize the largest BOOT_IMG (one flash slot)
   * @param tokenSize bytes of the installed CS token (0 = none)
   * @param maxTokenSize the largest CS token accepted
   */
  public static Optional<Mcqi> mcqi(
      Mcqi request,
      ImageFacts running,
      ImageFacts pending,
      int slotSize,
      long tokenSize,
      int maxTokenSize) {
    int index = request.componentIndex();
    McqiInfoType type = request.type();
    if (request.deviceIndex() != 0
        || (index != INDEX_BOOT_IMG && index != INDEX_CS_TOKEN)
        || type == null
        || request.offset() % 4 != 0) {
      return Optional.empty();
    }
    if (request.readPendingComponent() && (index != INDEX_BOOT_IMG || pending == null)) {
      return Optional.empty();
    }
    byte[] info;
    if (index == INDEX_BOOT_IMG) {
      ImageFacts described = request.readPendingComponent() ? pending : running;
      switch (type) {
        case CAPABILITIES -> info =
            new McqiCapabilities(
                    (1L << McqiInfoType.CAPABILITIES.code())
                        | (1L << McqiInfoType.VERSION.code())
                        | (1L << McqiInfoType.ACTIVATION_METHOD.code()),
                    (described == null ? running : described).size(),
                    slotSize,
                    Mcda.MAX_DATA,
                    2,
                    false,
                    false,
                    true,
                    false,
                    true,
                    true)
                .encode();
        case VERSION -> {
          if (described == null) {
            return Optional.empty();
          }
          info = versionInfo(described);
        }
        case ACTIVATION_METHOD -> info =
            new McqiActivationMethod(McqiActivationMethod.PENDING_FW_RESET).encode();
        default -> {
          return Optional.empty();
        }
      }
    } else {
      if (type != McqiInfoType.CAPABILITIES) {
        return Optional.empty();
      }
      info =
          new McqiCapabilities(
                  1L << McqiInfoType.CAPABILITIES.code(), tokenSize, maxTokenSize,
                  Mcda.MAX_DATA, 2, false, false, false, false, true, false)
              .encode();
    }
    return Optional.of(request.withInfo(info));
  }

  /** The VERSION info set of an image: version, release date, product version string. */
  static byte[] versionInfo(ImageFacts facts) {
    ImageInfo info = facts.info().orElseThrow();
    FwVersion version = facts.version();
    String text = info.productVersion() == null ? "" : info.productVersion();
    long date =
        ((long) (info.releaseDate().year() & 0xFFFF) << 16)
            | ((info.releaseDate().month() & 0xFF) << 8)
            | (info.releaseDate().day() & 0xFF);
    return new McqiVersion(
            false,
            true,
            McqiVersion.packVersion(version.major(), version.minor(), version.subminor()),
            date,
            0,
            0,
            text)
        .encode();
  }

  /**
   * MQIS: model name, description and image VSD of the running image; others empty. Each string is
   * answered in a field of the size a real ConnectX-5 reports as {@code info_length} (model name
   * 0x40, description 0x100, image and device VSD 0xD0: ../shared/fixtures/real-cx5-query), NUL
   * padded, so a host reads the same number of 8-byte pieces; a longer string keeps its length.
   */
  public static Mqis mqis(Mqis request, ImageFacts running) {
    ImageInfo info = running.info().orElseThrow();
    String text =
        switch (request.infoType()) {
          case Mqis.MODEL_NAME -> info.name();
          case Mqis.MODEL_DESCRIPTION -> info.description();
          case Mqis.IMAGE_VSD -> info.vsd();
          default -> "";
        };
    byte[] bytes = (text == null ? "" : text).getBytes(StandardCharsets.US_ASCII);
    int field =
        switch (request.infoType()) {
          case Mqis.MODEL_NAME -> 0x40;
          case Mqis.MODEL_DESCRIPTION -> 0x100;
          case Mqis.IMAGE_VSD, Mqis.DEVICE_VSD -> 0xD0;
          default -> 0;
        };
    return request.withInfo(Arrays.copyOf(bytes, Math.max(field, bytes.length)));
  }

  /** MFSV: eFuses programmed automatically; status 1 while they lag the running image. */
  public static Mfsv mfsv(ImageFacts running, long efuseSecurityVersion) {
    long image = running.securityVersion();
    return new Mfsv(true, efuseSecurityVersion < image ? 1 : 0, 1, image, efuseSecurityVersion);
  }
}
