package dev.kiln.registers.pldm;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * One device identifier descriptor: a DescriptorType and the DescriptorData as stored
 * (DSP0267 1.3.0, "Descriptor identifier table"). On the wire:
 *
 * <pre>
 * offset size field
 *   0     2   DescriptorType (LE)
 *   2     2   DescriptorLength (LE) = n
 *   4     n   DescriptorData
 * </pre>
 *
 * For the vendor-defined type {@code 0xFFFF} the data is itself structured:
 *
 * <pre>
 *   0     1   VendorDefinedDescriptorTitleStringType
 *   1     1   VendorDefinedDescriptorTitleStringLength = t (at least 1)
 *   2     t   VendorDefinedDescriptorTitleString ("PSID" for NVIDIA adapters)
 * 2+t   n-2-t VendorDefinedDescriptorData
 * </pre>
 *
 * {@link #data()} is always the whole DescriptorData (title included for vendor-defined ones), so
 * two descriptors are equal exactly when a BMC's update agent would take them as the same
 * identifier (openbmc/pldm {@code fw-update} compares type, title and value).
 *
 * <p>Integer identifiers (vendor and device ids) are stored little-endian: PCI vendor id 0x15B3 is
 * the bytes {@code B3 15}, as OpenBMC's creator and the devices' QueryDeviceIdentifiers store it.
 * The NVIDIA PSID is ASCII followed by one NUL byte: mstflint 4.36's reader ({@code pldmlib})
 * copies it as a C string and reads past its buffer without the NUL.
 */
public record Descriptor(int type, byte[] data) {
  public static final int PCI_VENDOR_ID = 0x0000;
  public static final int IANA_ENTERPRISE_ID = 0x0001;
  public static final int UUID = 0x0002;
  public static final int PCI_DEVICE_ID = 0x0100;
  public static final int PCI_SUBSYSTEM_VENDOR_ID = 0x0101;
  public static final int PCI_SUBSYSTEM_ID = 0x0102;
  public static final int PCI_REVISION_ID = 0x0103;
  public static final int VENDOR_DEFINED = 0xFFFF;

  /** The title NVIDIA's packages give the descriptor holding the adapter's PSID. */
  public static final String PSID_TITLE = "PSID";

  /** The fixed data lengths of the standard types (DSP0267 1.3.0, Table 8). */
  static final Map<Integer, Integer> FIXED_LENGTHS =
      Map.ofEntries(
          Map.entry(0x0000, 2),
          Map.entry(0x0001, 4),
          Map.entry(0x0002, 16),
          Map.entry(0x0003, 3),
          Map.entry(0x0004, 4),
          Map.entry(0x0005, 3),
          Map.entry(0x0006, 8),
          Map.entry(0x0100, 2),
          Map.entry(0x0101, 2),
          Map.entry(0x0102, 2),
          Map.entry(0x0103, 1),
          Map.entry(0x0104, 4),
          Map.entry(0x0105, 4),
          Map.entry(0x0106, 40),
          Map.entry(0x0107, 10),
          Map.entry(0x0108, 16),
          Map.entry(0x0109, 4),
          Map.entry(0x010A, 8),
          Map.entry(0x010B, 2));

  private static final Map<Integer, String> NAMES =
      Map.of(
          PCI_VENDOR_ID, "PCI vendor id",
          IANA_ENTERPRISE_ID, "IANA enterprise id",
          UUID, "UUID",
          PCI_DEVICE_ID, "PCI device id",
          PCI_SUBSYSTEM_VENDOR_ID, "PCI subsystem vendor id",
          PCI_SUBSYSTEM_ID, "PCI subsystem id",
          PCI_REVISION_ID, "PCI revision id",
          VENDOR_DEFINED, "vendor-defined");

  /**
   * @throws IllegalArgumentException if the data does not have the length its type requires, or a
   *     vendor-defined descriptor's data holds no valid title
   */
  public Descriptor {
    if (type < 0 || type > 0xFFFF) {
      throw new IllegalArgumentException("descriptor type " + type + " is not 16 bits");
    }
    if (data.length > 0xFFFF) {
      throw new IllegalArgumentException("descriptor data longer than 65535 bytes");
    }
    data = data.clone();
    String problem = problem(type, data);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** Why this DescriptorData is not valid for its type, or null. */
  public static String problem(int type, byte[] data) {
    Integer fixed = FIXED_LENGTHS.get(type);
    if (fixed != null && data.length != fixed) {
      return String.format(
          "descriptor type 0x%04x (%s) has %d data bytes, the type needs %d",
          type, NAMES.getOrDefault(type, "standard"), data.length, fixed);
    }
    if (type == VENDOR_DEFINED) {
      if (data.length < 2) {
        return "vendor-defined descriptor has no title (" + data.length + " data bytes)";
      }
      int titleType = data[0] & 0xff;
      int titleLength = data[1] & 0xff;
      if (titleType < PldmString.ASCII || titleType > PldmString.UTF_16BE) {
        return "vendor-defined descriptor title has string type " + titleType;
      }
      if (titleLength == 0 || 2 + titleLength > data.length) {
        return String.format(
            "vendor-defined descriptor title of %d bytes does not fit its %d data bytes",
            titleLength, data.length);
      }
    }
    return null;
  }

  public static Descriptor pciVendorId(int vendorId) {
    return new Descriptor(PCI_VENDOR_ID, littleEndian16(vendorId));
  }

  public static Descriptor pciDeviceId(int deviceId) {
    return new Descriptor(PCI_DEVICE_ID, littleEndian16(deviceId));
  }

  /** A vendor-defined descriptor with an ASCII title. */
  public static Descriptor vendorDefined(String title, byte[] value) {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    PldmString titleString = PldmString.ascii(title);
    data.write(titleString.type());
    data.write(titleString.length());
    data.writeBytes(titleString.bytes());
    data.writeBytes(value);
    return new Descriptor(VENDOR_DEFINED, data.toByteArray());
  }

  /** The NVIDIA PSID descriptor: title "PSID", the PSID in ASCII and one NUL byte. */
  public static Descriptor psid(String psid) {
    byte[] ascii = PldmString.ascii(psid).bytes();
    return vendorDefined(PSID_TITLE, Arrays.copyOf(ascii, ascii.length + 1));
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  /** For a vendor-defined descriptor, its title string. */
  public Optional<PldmString> vendorTitle() {
    if (type != VENDOR_DEFINED) {
      return Optional.empty();
    }
    return Optional.of(new PldmString(data[0] & 0xff, Arrays.copyOfRange(data, 2, 2 + titleLength())));
  }

  /** For a vendor-defined descriptor, the data after its title. */
  public Optional<byte[]> vendorValue() {
    if (type != VENDOR_DEFINED) {
      return Optional.empty();
    }
    return Optional.of(Arrays.copyOfRange(data, 2 + titleLength(), data.length));
  }

  /** The PSID this descriptor carries, if it is a vendor-defined "PSID" descriptor. */
  public Optional<String> psid() {
    if (type != VENDOR_DEFINED || !PSID_TITLE.equals(vendorTitle().orElseThrow().text())) {
      return Optional.empty();
    }
    byte[] value = vendorValue().orElseThrow();
    int end = 0;
    while (end < value.length && value[end] != 0) {
      end++;
    }
    return Optional.of(new String(value, 0, end, StandardCharsets.US_ASCII));
  }

  /** For a 2-byte identifier (PCI vendor, device, subsystem ids), its value. */
  public Optional<Integer> shortValue() {
    if (data.length != 2 || type == VENDOR_DEFINED) {
      return Optional.empty();
    }
    return Optional.of((data[0] & 0xff) | (data[1] & 0xff) << 8);
  }

  /** Type name and value, for people: "PCI vendor id 0x15b3", "PSID MT_0000000359". */
  public String describe() {
    Optional<String> psid = psid();
    if (psid.isPresent()) {
      return "PSID " + psid.get();
    }
    if (type == VENDOR_DEFINED) {
      return "vendor-defined \""
          + vendorTitle().orElseThrow().text()
          + "\" "
          + HexFormat.of().formatHex(vendorValue().orElseThrow());
    }
    String name = NAMES.getOrDefault(type, String.format("type 0x%04x", type));
    return shortValue()
        .map(value -> String.format("%s 0x%04x", name, value))
        .orElseGet(() -> name + " " + HexFormat.of().formatHex(data));
  }

  /** Encoded size: type, length and data. */
  public int encodedLength() {
    return 4 + data.length;
  }

  /** Appends type, length (both little-endian) and data, as a package's record stores them. */
  public void writeTo(ByteArrayOutputStream out) {
    out.write(type);
    out.write(type >>> 8);
    out.write(data.length);
    out.write(data.length >>> 8);
    out.writeBytes(data);
  }

  /** Puts type, length and data, as QueryDeviceIdentifiers carries them (the buffer is LE). */
  public void writeTo(ByteBuffer out) {
    out.putShort((short) type).putShort((short) data.length).put(data);
  }

  /**
   * Reads descriptor {@code index} of a QueryDeviceIdentifiers response.
   *
   * @throws PldmFormatException if it is cut short or its data is not valid for its type
   */
  public static Descriptor read(ByteBuffer in, int index) throws PldmFormatException {
    String field = "descriptor " + index;
    int type = Wire.u16(in, field + " type");
    int length = Wire.u16(in, field + " length");
    byte[] data = Wire.bytes(in, length, field + " data");
    String problem = problem(type, data);
    if (problem != null) {
      throw new PldmFormatException(field + ": " + problem);
    }
    return new Descriptor(type, data);
  }

  /** {@code count} descriptors in a row. */
  public static List<Descriptor> readAll(ByteBuffer in, int count) throws PldmFormatException {
    List<Descriptor> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(read(in, i));
    }
    return List.copyOf(out);
  }

  private int titleLength() {
    return data[1] & 0xff;
  }

  private static byte[] littleEndian16(int value) {
    if (value < 0 || value > 0xFFFF) {
      throw new IllegalArgumentException("not a 16-bit id: " + value);
    }
    return new byte[] {(byte) value, (byte) (value >>> 8)};
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Descriptor that && type == that.type && Arrays.equals(data, that.data);
  }

  @Override
  public int hashCode() {
    return 31 * type + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return describe();
  }
}
