package dev.kiln.burner;

import dev.kiln.inspector.section.FwVersion;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.ComponentStatus;
import dev.kiln.registers.ComponentUpdateState;
import dev.kiln.registers.Mcqi;
import dev.kiln.registers.McqiInfoType;
import dev.kiln.registers.McqiVersion;
import dev.kiln.registers.Mfsv;
import dev.kiln.registers.Mgir;
import dev.kiln.registers.Mqis;
import dev.kiln.registers.TransportException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Answers the read-only questions (protocol doc §3): versions, MGIR, MFSV, the MQIS strings, and
 * the whole {@link DeviceInfo} that {@code kiln query} prints.
 */
final class DeviceQuery {
  private final DeviceLink link;
  private final UpdatePathSupport support;
  private final ComponentCatalog catalog;
  private final DeviceSettings settings;

  DeviceQuery(
      DeviceLink link,
      UpdatePathSupport support,
      ComponentCatalog catalog,
      DeviceSettings settings) {
    this.link = link;
    this.support = support;
    this.catalog = catalog;
    this.settings = settings;
  }

  /** MCQI VERSION of BOOT_IMG, running or pending; empty when the device has none. */
  Optional<McqiVersion> version(boolean pending) throws DeviceException, TransportException {
    SecureDevice.Component boot = catalog.bootImage();
    if (!boot.capabilities().supports(McqiInfoType.VERSION)) {
      throw new DeviceException(link.uri() + ": the device does not report the BOOT_IMG version");
    }
    if (pending
        && boot.status().updateState() != ComponentUpdateState.ACTIVE_PENDING_RESET) {
      // Nothing pending: some devices answer read_pending with the running data, so do not ask.
      return Optional.empty();
    }
    RegisterClient.Reply reply =
        link.client().get(
            AccessRegister.MCQI,
            Mcqi.query(boot.index(), McqiInfoType.VERSION, pending).encode());
    if (!reply.ok()) {
      if (pending) {
        return Optional.empty();
      }
      throw new DeviceException(
          link.uri() + ": Failed to query the FW - running version: " + reply.status().text());
    }
    return Optional.of(McqiVersion.decode(Mcqi.decode(reply.payload()).data()));
  }

  /** MGIR. */
  Mgir generalInfo() throws DeviceException, TransportException {
    RegisterClient.Reply reply = link.client().get(AccessRegister.MGIR, new byte[Mgir.SIZE]);
    if (!reply.ok()) {
      throw new DeviceException(link.uri() + ": MGIR query failed: " + reply.status().text());
    }
    return Mgir.decode(reply.payload());
  }

  /** MFSV, when MCAM group 2 lists it. */
  Optional<Mfsv> securityVersions() throws TransportException {
    if (!support.supportsGroup2(AccessRegister.MFSV)) {
      return Optional.empty();
    }
    RegisterClient.Reply reply = link.client().get(AccessRegister.MFSV, new byte[Mfsv.SIZE]);
    return reply.ok() ? Optional.of(Mfsv.decode(reply.payload())) : Optional.empty();
  }

  private String infoString(int type) throws TransportException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int total = Integer.MAX_VALUE;
    for (int offset = 0; offset < total && offset < 4096; offset += Mqis.MAX_READ) {
      RegisterClient.Reply reply =
          link.client().get(
              AccessRegister.MQIS, Mqis.query(type, offset, Mqis.MAX_READ).encode());
      if (!reply.ok()) {
        return "";
      }
      Mqis mqis = Mqis.decode(reply.payload());
      total = mqis.infoLength();
      int length = Math.min(mqis.readLength(), Math.min(Mqis.MAX_READ, total - offset));
      if (length <= 0) {
        break;
      }
      out.write(mqis.infoString(), 0, length);
    }
    String text = out.toString(StandardCharsets.US_ASCII);
    int nul = text.indexOf('\0');
    return (nul >= 0 ? text.substring(0, nul) : text).trim();
  }

  /** The whole query of §3.1. */
  DeviceInfo query() throws DeviceException, TransportException {
    support.checkSupported();
    List<SecureDevice.Component> components = catalog.components();
    Optional<McqiVersion> pending = version(true);
    McqiVersion running = version(false).orElseThrow();
    Mgir mgir = generalInfo();
    Optional<Mfsv> mfsv = securityVersions();
    List<String> componentTexts = new ArrayList<>();
    for (SecureDevice.Component component : components) {
      componentTexts.add(
          String.format(
              "%s (%s, %s)",
              component.id() == null ? "component " + component.status().identifier()
                  : component.id().name(),
              component.status().status(),
              component.status().updateState()));
    }
    return new DeviceInfo(
        link.uri(),
        DeviceNames.of(mgir.hwDevId()),
        mgir.deviceId(),
        mgir.hwDevId(),
        mgir.deviceHwRevision(),
        mgir.psid(),
        versionOf(running),
        releaseDate(running),
        running.versionString().length() <= 16 ? running.versionString() : "",
        pending.map(DeviceQuery::versionOf),
        mgir.secured(),
        mgir.signedFw(),
        mgir.debug(),
        mgir.dev(),
        securityAttributes(mgir, components),
        mgir.lifeCycleText(),
        mgir.secBoot(),
        mgir.encryption(),
        mfsv.map(Mfsv::efusesSecVer),
        mfsv.map(Mfsv::imgSecVer),
        "fw_ctrl",
        String.format("%012x", mgir.manufacturingBaseMac()),
        mgir.uptime(),
        settings.hwAccessLocked(),
        componentTexts,
        infoString(Mqis.MODEL_NAME),
        infoString(Mqis.MODEL_DESCRIPTION));
  }

  /**
   * The "Security Attributes" text flint prints from MGIR and the present token components:
   * secure-fw or signed-fw (else N/A), then debug, dev and each present token.
   */
  static String securityAttributes(Mgir mgir, List<SecureDevice.Component> components) {
    StringBuilder attributes = new StringBuilder();
    if (mgir.secured()) {
      attributes.append("secure-fw");
    } else if (mgir.signedFw()) {
      attributes.append("signed-fw");
    } else {
      attributes.append("N/A");
    }
    if (mgir.secured() || mgir.signedFw()) {
      if (mgir.debug()) {
        attributes.append(", debug");
      }
      if (mgir.dev()) {
        attributes.append(", dev");
      }
    }
    for (SecureDevice.Component component : components) {
      boolean present = component.status().status() == ComponentStatus.PRESENT
          || component.status().status() == ComponentStatus.IN_USE;
      if (present && (mgir.secured() || mgir.signedFw()) && component.id() != null) {
        switch (component.id()) {
          case CS_TOKEN -> attributes.append(", cs-token");
          case DBG_TOKEN -> attributes.append(", dbg-token");
          case CRYPTO_TO_COMMISSIONING -> attributes.append(", crypto-to-commissioning");
          case RMCS_TOKEN -> attributes.append(", rmcs-token");
          case RMDT_TOKEN -> attributes.append(", rmdt-token");
          default -> {}
        }
      }
    }
    return attributes.toString();
  }

  /** flint prints the low dword of build_time as hex day.month.year. */
  private static String releaseDate(McqiVersion version) {
    if (!version.buildTimeValid()) {
      return "";
    }
    long low = version.buildTime() & 0xFFFF_FFFFL;
    return String.format(
        Locale.ROOT, "%x.%x.%x", low & 0xFF, (low >>> 8) & 0xFF, (low >>> 16) & 0xFFFF);
  }

  static FwVersion versionOf(McqiVersion version) {
    return new FwVersion(version.major(), version.minor(), version.subminor());
  }
}
