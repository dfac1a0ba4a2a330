package dev.kiln.registers.pldm;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * One device descriptor, the type-length-value a device reports in QueryDeviceIdentifiers and a
 * package's firmware device ID record lists (DSP0267 1.1.0, clause "Descriptor definition", the
 * descriptor identifier table; libpldm {@code struct pldm_descriptor_tlv}):
 *
 * <pre>
 * Offset  Size  Field
 * 0       2     DescriptorType (0x0000 PCI vendor id, 0x0100 PCI device id, ... 0xFFFF vendor defined)
 * 2       2     DescriptorLength (n)
 * 4       n     DescriptorData (little-endian numbers for the PCI ids)
 * </pre>
 *
 * A vendor-defined descriptor's data is itself structured (DSP0267, "Vendor-defined descriptor
 * value"; libpldm {@code struct pldm_vendor_defined_descriptor_title_data}): a title string type
 * (1 byte), title length (1 byte), the title, then the vendor's data. NVIDIA adapters report their
 * PSID so: title "PSID" (ASCII), data the PSID's ASCII characters and a NUL
 * (shared/fixtures/pldm/README.md).
 *
 * @param type the descriptor type
 * @param data the descriptor data as on the wire
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

  /** The title NVIDIA's devices give their PSID descriptor. */
  public static final String PSID_TITLE = "PSID";

  public Descriptor {
    if (type < 0 || type > 0xFFFF || data.length > 0xFFFF) {
      throw new IllegalArgumentException("descriptor type and length are 16 bits");
    }
    data = data.clone();
  }

  public static Descriptor pciVendorId(int id) {
    return new Descriptor(PCI_VENDOR_ID, new byte[] {(byte) id, (byte) (id >> 8)});
  }

  public static Descriptor pciDeviceId(int id) {
    return new Descriptor(PCI_DEVICE_ID, new byte[] {(byte) id, (byte) (id >> 8)});
  }

  /** A vendor-defined descriptor with an ASCII title. */
  public static Descriptor vendorDefined(String title, byte[] value) {
    byte[] titleBytes = title.getBytes(StandardCharsets.US_ASCII);
    if (titleBytes.length > 0xFF) {
      throw new IllegalArgumentException("a descriptor title is at most 255 bytes");
    }
    byte[] data = new byte[2 + titleBytes.length + value.length];
    data[0] = (byte) VersionString.ASCII;
    data[1] = (byte) titleBytes.length;
    System.arraycopy(titleBytes, 0, data, 2, titleBytes.length);
    System.arraycopy(value, 0, data, 2 + titleBytes.length, value.length);
    return new Descriptor(VENDOR_DEFINED, data);
  }

  /** The PSID descriptor as NVIDIA's devices report it: title "PSID", the PSID and a NUL. */
  public static Descriptor psid(String psid) {
    byte[] text = psid.getBytes(StandardCharsets.US_ASCII);
    return vendorDefined(PSID_TITLE, Arrays.copyOf(text, text.length + 1));
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  /** The vendor-defined title, when this is a well-formed vendor-defined descriptor. */
  public Optional<String> vendorTitle() {
    if (type != VENDOR_DEFINED || data.length < 2 || data.length < 2 + (data[1] & 0xFF)) {
      return Optional.empty();
    }
    return Optional.of(new String(data, 2, data[1] & 0xFF, StandardCharsets.UTF_8));
  }

  /** The PSID of a PSID descriptor (up to its first NUL), when this is one. */
  public Optional<String> psidValue() {
    if (!vendorTitle().filter(PSID_TITLE::equals).isPresent()) {
      return Optional.empty();
    }
    int start = 2 + (data[1] & 0xFF);
    int end = start;
    while (end < data.length && data[end] != 0) {
      end++;
    }
    return Optional.of(new String(data, start, end - start, StandardCharsets.US_ASCII));
  }

  /** Encoded size. */
  public int size() {
    return 4 + data.length;
  }

  void write(ByteBuffer out) {
    out.putShort((short) type).putShort((short) data.length).put(data);
  }

  static Descriptor read(ByteBuffer in, int index) throws PldmFormatException {
    String field = "descriptor " + index;
    int type = Wire.u16(in, field + " type");
    int length = Wire.u16(in, field + " length");
    return new Descriptor(type, Wire.bytes(in, length, field + " data"));
  }

  /** {@code count} descriptors in a row. */
  static List<Descriptor> readAll(ByteBuffer in, int count) throws PldmFormatException {
    List<Descriptor> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(read(in, i));
    }
    return List.copyOf(out);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Descriptor d && d.type == type && Arrays.equals(d.data, data);
  }

  @Override
  public int hashCode() {
    return type * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    Optional<String> psid = psidValue();
    if (psid.isPresent()) {
      return "PSID " + psid.get();
    }
    String name = switch (type) {
      case PCI_VENDOR_ID -> "PCI vendor id";
      case PCI_DEVICE_ID -> "PCI device id";
      case PCI_SUBSYSTEM_VENDOR_ID -> "PCI subsystem vendor id";
      case PCI_SUBSYSTEM_ID -> "PCI subsystem id";
      case VENDOR_DEFINED -> "vendor-defined " + vendorTitle().orElse("?");
      default -> String.format("descriptor 0x%04x", type);
    };
    if ((type == PCI_VENDOR_ID || type == PCI_DEVICE_ID) && data.length == 2) {
      return String.format("%s 0x%04x", name, (data[0] & 0xFF) | (data[1] & 0xFF) << 8);
    }
    return name + " " + HexFormat.of().formatHex(data);
  }
}
