package dev.kiln.emulator;

import dev.kiln.inspector.io.AtomicFiles;
import dev.kiln.inspector.section.DeviceType;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * What a device is, fixed at manufacturing ({@code kiln device init}) and never changed by an
 * update: chip type, PSID, factory base MAC, flash size. Stored as {@code device.properties} in the
 * device directory.
 *
 * @param type the chip (HW device id and PCI device id come from it)
 * @param psid the board's parameter-set id; an image must carry the same one
 * @param baseMac the manufacturing base MAC (48 bits)
 * @param flashSize bytes of flash; each of the two image slots is half of it
 * @param hwRevision the device_hw_revision MGIR reports
 * @param macCount MACs allocated from the base MAC (MNVDA NV_BASE_MAC_GUID_CAP
 *     {@code num_of_allocated_macs}, what {@code mstflint query} prints after the base MAC)
 * @param guidCount GUIDs allocated from the base GUID ({@code num_of_allocated_guids})
 */
public record DeviceIdentity(
    DeviceType type,
    String psid,
    long baseMac,
    long flashSize,
    int hwRevision,
    int macCount,
    int guidCount) {

  /**
   * MACs and GUIDs allocated when {@code device.properties} names no count: 8 each, what the
   * recorded ConnectX-5 Ex answered (shared/fixtures/real-cx5-query, MNVDA type 3).
   */
  public static final int DEFAULT_UID_COUNT = 8;

  /** File name inside the device directory. */
  public static final String FILE = "device.properties";

  public DeviceIdentity {
    if (psid == null || psid.isEmpty() || psid.length() > 16) {
      throw new IllegalArgumentException("a PSID is 1 to 16 characters");
    }
    if (baseMac < 0 || baseMac >= 1L << 48) {
      throw new IllegalArgumentException("a base MAC is 48 bits");
    }
    if (flashSize <= 0 || flashSize % (2L << 16) != 0 || flashSize > (1L << 30)) {
      throw new IllegalArgumentException(
          "flash size must be a positive multiple of 128 KiB, at most 1 GiB");
    }
    if (macCount < 0 || macCount > 0xFFFF || guidCount < 0 || guidCount > 0xFFFF) {
      throw new IllegalArgumentException("MAC and GUID counts are 16-bit numbers");
    }
  }

  /** An identity with the default MAC and GUID counts. */
  public DeviceIdentity(
      DeviceType type, String psid, long baseMac, long flashSize, int hwRevision) {
    this(type, psid, baseMac, flashSize, hwRevision, DEFAULT_UID_COUNT, DEFAULT_UID_COUNT);
  }

  /** Reads {@code device.properties} of a device directory. */
  public static DeviceIdentity load(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(dir + " is not a device directory (no " + FILE + ")");
    }
    Properties props = new Properties();
    props.load(new StringReader(text));
    try {
      String typeName = required(props, file, "type");
      DeviceType type =
          DeviceType.byCliName(typeName)
              .orElseThrow(() -> new IOException(file + ": unknown device type " + typeName));
      return new DeviceIdentity(
          type,
          required(props, file, "psid"),
          Long.parseLong(required(props, file, "base_mac"), 16),
          Long.parseLong(required(props, file, "flash_size")),
          Integer.parseInt(required(props, file, "hw_revision")),
          Integer.parseInt(props.getProperty("mac_count", "" + DEFAULT_UID_COUNT).trim()),
          Integer.parseInt(props.getProperty("guid_count", "" + DEFAULT_UID_COUNT).trim()));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  /** Writes {@code device.properties} atomically. */
  public void store(Path dir) throws IOException {
    String text =
        "# Kiln emulated device identity (fixed at init)\n"
            + "type="
            + type.cliName()
            + "\npsid="
            + psid
            + "\nbase_mac="
            + String.format(Locale.ROOT, "%012x", baseMac)
            + "\nflash_size="
            + flashSize
            + "\nhw_revision="
            + hwRevision
            + "\nmac_count="
            + macCount
            + "\nguid_count="
            + guidCount
            + "\n";
    AtomicFiles.write(dir.resolve(FILE), text.getBytes(StandardCharsets.UTF_8));
  }

  private static String required(Properties props, Path file, String key) throws IOException {
    String value = props.getProperty(key);
    if (value == null) {
      throw new IOException(file + ": missing " + key);
    }
    return value.trim();
  }
}
