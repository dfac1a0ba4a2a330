package dev.kiln.emulator.internal;

import dev.kiln.inspector.io.AtomicFiles;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * The device's NV configuration TLVs that MNVDA writes, kept apart from {@code nv.properties}
 * (boot and update state) in {@code nv-config.properties}, replaced atomically like it. Only
 * NV_BASE_MAC_GUID is modelled: the base MAC and GUID an operator sets with {@code kiln device
 * set-guids} (flint's {@code sg}). Until one is set the device reports its manufacturing values:
 * the base MAC from its identity and the GUID derived from it the usual way (the MAC's OUI, then
 * 0x0300, then its low 24 bits, e.g. 00:02:c9:ab:cd:ef gives 0002c90300abcdef).
 *
 * <p>Not API.
 */
public final class NvConfig {
  /** File name inside the device directory. */
  public static final String FILE = "nv-config.properties";

  private NvConfig() {}

  /** The base MAC and GUID the device reports: {mac, guid}. */
  public static long[] baseMacGuid(Path dir, long manufacturingMac) throws IOException {
    Properties props = new Properties();
    try {
      props.load(new StringReader(Files.readString(dir.resolve(FILE), StandardCharsets.UTF_8)));
    } catch (NoSuchFileException e) {
      return factoryBaseMacGuid(manufacturingMac);
    }
    try {
      return new long[] {
        Long.parseUnsignedLong(props.getProperty("base_mac", "").trim(), 16),
        Long.parseUnsignedLong(props.getProperty("base_guid", "").trim(), 16)
      };
    } catch (NumberFormatException e) {
      throw new IOException(dir.resolve(FILE) + ": base_mac/base_guid are not hex numbers", e);
    }
  }

  /** Stores a new base MAC and GUID, atomically and durably. */
  public static void storeBaseMacGuid(Path dir, long mac, long guid) throws IOException {
    String text =
        "# Kiln emulated device NV configuration (MNVDA TLVs; replaced atomically)\n"
            + String.format(Locale.ROOT, "base_mac=%012x%nbase_guid=%016x%n", mac, guid);
    AtomicFiles.write(dir.resolve(FILE), text.getBytes(StandardCharsets.UTF_8));
  }

  /** The manufacturing base MAC and GUID: {mac, guid} (what MNVDA's {@code default} reads). */
  public static long[] factoryBaseMacGuid(long manufacturingMac) {
    return new long[] {manufacturingMac, guidFromMac(manufacturingMac)};
  }

  /** The EUI-64 style GUID of a 48-bit MAC: OUI, 0x0300, low 24 bits. */
  static long guidFromMac(long mac) {
    return ((mac >>> 24) << 40) | (0x0300L << 24) | (mac & 0xFFFFFFL);
  }
}
