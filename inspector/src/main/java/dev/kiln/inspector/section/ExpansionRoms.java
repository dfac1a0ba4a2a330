package dev.kiln.inspector.section;

import java.util.ArrayList;
import java.util.List;

/**
 * The expansion ROMs (PXE, UEFI, CLP, ...) in a ROM_CODE section, as {@code mstflint query}
 * reports them on its "Rom Info" line.
 *
 * <p>The section holds one or more ROM images in their own (little-endian, PC option-ROM) format.
 * Each ROM carries a 12-byte info record right after the ASCII tag {@code mlxsign:}; the section is
 * searched for the tag from its first byte, and the search resumes 12 bytes after each tag found
 * (at most {@value #MAX_ROMS} ROMs are read). Layout of the record after the tag (little-endian
 * dwords):
 *
 * <table>
 *   <caption>ROM info record</caption>
 *   <tr><th>offset</th><th>bits</th><th>field</th></tr>
 *   <tr><td>0x0</td><td>31..16</td><td>product id (0x1-0x4 CLP1-4, 0xF CLP with a version
 *       string, 0x10 PXE, 0x11 UEFI, 0x12 CLP, 0x13 NVMe, 0x14/0x15 UEFI Virtio net/blk, 0x16 PXE
 *       Virtio net, 0x21 FCODE)</td></tr>
 *   <tr><td>0x0</td><td>7..0</td><td>version, first field</td></tr>
 *   <tr><td>0x4</td><td>23..16, 15..0</td><td>version, second and third field (not for 0xF)</td></tr>
 *   <tr><td>0x8</td><td>31..16</td><td>PCI device id (product id 0x10 and above)</td></tr>
 *   <tr><td>0x8</td><td>15..12</td><td>port, 0 = any (0x10 and above, not CLP 0x12)</td></tr>
 *   <tr><td>0x8</td><td>11..8</td><td>CPU architecture: 1 AMD64, 2 AARCH64, 3 both, 4 IA32</td></tr>
 *   <tr><td>0x8</td><td>7..0</td><td>protocol: 0 IB, 1 ETH, 2 VPI, 0xFF none (not CLP 0x12)</td></tr>
 *   <tr><td>0xC</td><td>15..8, 7..0</td><td>product 0xF only: version string length, signature
 *       length in dwords; the decimal version string follows at 0x10, and the ROM's PCI data
 *       structure (pointer at section offset 0x18, + 4) gives device and vendor id</td></tr>
 * </table>
 *
 * <p>Unless a UEFI (0x11) or FCODE (0x21) ROM was found, the first ROM image must checksum to zero
 * over its length (byte 2 of the section, in 512-byte units). Problems that leave ROMs to show
 * become one warning (the last one met, as mstflint keeps it); problems before any ROM was read
 * become the error shown instead of a list.
 *
 * @param roms the ROMs read, in section order
 * @param warning the warning mstflint appends to the list, or null
 * @param error why no ROM could be read, or null
 */
public record ExpansionRoms(List<Rom> roms, String warning, String error) {
  /** The tag in front of every ROM info record. */
  private static final byte[] TAG = {'m', 'l', 'x', 's', 'i', 'g', 'n', ':'};

  /** Bytes from the start of one tag to where the search for the next resumes. */
  private static final int RECORD_STRIDE = 12;

  /** mstflint reads at most this many ROMs. */
  public static final int MAX_ROMS = 5;

  /** Mellanox's PCI vendor id, expected in a product-0xF ROM's PCI data structure. */
  private static final int MELLANOX_VENDOR_ID = 0x15B3;

  public ExpansionRoms {
    roms = List.copyOf(roms);
  }

  /**
   * One ROM.
   *
   * @param productId product id (see the table above)
   * @param version version fields (one for product 0xF, else three)
   * @param deviceId PCI device id, 0 when the ROM names none
   * @param port port, 0 for any
   * @param protocol 0 IB, 1 ETH, 2 VPI, 0xFF none
   * @param cpuArchitecture 0 unspecified, 1 AMD64, 2 AARCH64, 3 both, 4 IA32
   */
  public record Rom(
      int productId, List<Integer> version, int deviceId, int port, int protocol,
      int cpuArchitecture) {
    public Rom {
      version = List.copyOf(version);
    }

    /** The type name mstflint prints, or null for a product id it does not know. */
    public String typeName() {
      return switch (productId) {
        case 0x1 -> "CLP1";
        case 0x2 -> "CLP2";
        case 0x3 -> "CLP3";
        case 0x4 -> "CLP4";
        case 0xF, 0x12 -> "CLP";
        case 0x10 -> "PXE";
        case 0x11 -> "UEFI";
        case 0x13 -> "NVMe";
        case 0x14 -> "UEFI Virtio net";
        case 0x15 -> "UEFI Virtio blk";
        case 0x16 -> "PXE Virtio net";
        case 0x21 -> "FCODE";
        default -> null;
      };
    }

    /** The version as printed: the fields joined with dots. */
    public String versionText() {
      StringBuilder text = new StringBuilder();
      for (int field : version) {
        text.append(text.length() == 0 ? "" : ".").append(field);
      }
      return text.toString();
    }

    /** The protocol name, or null when the record has none to show. */
    public String protocolName() {
      if (productId < 0x10 || productId == 0x12 || protocol == 0xFF) {
        return null;
      }
      return switch (protocol) {
        case 0 -> "IB";
        case 1 -> "ETH";
        case 2 -> "VPI";
        default -> "N/A";
      };
    }

    /** The CPU architecture name, or null when unspecified. */
    public String cpuName() {
      if (productId < 0x10 || cpuArchitecture == 0) {
        return null;
      }
      return switch (cpuArchitecture) {
        case 1 -> "AMD64";
        case 2 -> "AARCH64";
        case 3 -> "AMD64,AARCH64";
        case 4 -> "IA32";
        default -> "N/A";
      };
    }

    /** This ROM as one entry of the "Rom Info" line. */
    public String text() {
      if (productId == 0xF) {
        return "version_id=" + versionText() + " type=" + typeName() + " ";
      }
      if (typeName() == null) {
        return String.format("0x%x - Unknown ROM product ID%n", productId);
      }
      StringBuilder text = new StringBuilder("type=" + typeName() + " version=" + versionText());
      if (productId >= 0x10 && port != 0) {
        text.append(" port=").append(port);
      }
      if (protocolName() != null) {
        text.append(" proto=").append(protocolName());
      }
      if (cpuName() != null) {
        text.append(" cpu=").append(cpuName());
      }
      return text.toString();
    }
  }

  /**
   * The "Rom Info" value as query full prints it: each ROM on its own line (continuation lines
   * indented by {@code indent} spaces), then any warning; or {@code N/A} and the error.
   */
  public String text(int indent) {
    if (roms.isEmpty()) {
      return "N/A" + (error == null ? "" : " (-E- " + error + ")");
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < roms.size(); i++) {
      if (i > 0) {
        text.append(System.lineSeparator()).append(" ".repeat(indent));
      }
      text.append(roms.get(i).text());
    }
    if (warning != null) {
      text.append(" (-W- ").append(warning).append(')');
    }
    return text.toString();
  }

  /** Reads the ROMs of a ROM_CODE section body. */
  public static ExpansionRoms decode(byte[] section) {
    Reader reader = new Reader(section);
    String error = reader.read();
    return new ExpansionRoms(reader.roms, reader.warning, reader.roms.isEmpty() ? error : null);
  }

  /** One pass over a section; {@link #read} returns the error text or null. */
  private static final class Reader {
    private final byte[] bytes;
    private final List<Rom> roms = new ArrayList<>();
    private String warning;
    private boolean checksumExempt;
    /** 0 until a ROM names a device; -1 once two ROMs named different devices. */
    private int commonDeviceId;
    /** The device id a product-0xF ROM's PCI data structure gives. */
    private int versionStringDeviceId;

    Reader(byte[] bytes) {
      this.bytes = bytes;
    }

    String read() {
      if (bytes.length == 0) {
        return "Expansion Rom section not found.";
      }
      if (bytes.length < 4) {
        return String.format("ROM size (0x%x) is too small", bytes.length);
      }
      for (int at = 0; at + TAG.length <= bytes.length; at++) {
        if (!tagAt(at)) {
          continue;
        }
        if (roms.size() == MAX_ROMS) {
          warning = "Number of exp ROMs exceeds the maximum allowed number (" + MAX_ROMS + ")";
          return null; // mstflint stops here, before the checksum
        }
        String error = readRecord(at + TAG.length);
        if (error != null) {
          return error;
        }
        at += RECORD_STRIDE - 1;
      }
      if (roms.isEmpty()) {
        return "Cannot get ROM version. Signature not found.";
      }
      return checksumExempt ? null : checkFirstImageChecksum();
    }

    private boolean tagAt(int at) {
      for (int j = 0; j < TAG.length; j++) {
        if (bytes[at + j] != TAG[j]) {
          return false;
        }
      }
      return true;
    }

    /** Reads the record at {@code at} (just after a tag); returns an error text or null. */
    private String readRecord(int at) {
      if (at + 8 > bytes.length) {
        return String.format("ROM info record at 0x%x is cut off by the end of the section", at);
      }
      int first = le32(at);
      int second = le32(at + 4);
      int productId = first >>> 16;
      int deviceId = 0;
      int port = 0;
      int protocol = 0;
      int cpu = 0;
      List<Integer> version = new ArrayList<>();
      version.add(first & 0xFF);
      if (productId != 0xF) {
        version.add((second >>> 16) & 0xFF);
        version.add(second & 0xFFFF);
      }
      if (productId == 0x11 || productId == 0x21) {
        checksumExempt = true;
      }
      if (productId >= 0x10) {
        if (at + 12 > bytes.length) {
          return String.format("ROM info record at 0x%x is cut off by the end of the section", at);
        }
        int third = le32(at + 8);
        cpu = (third >>> 8) & 0xF;
        deviceId = third >>> 16;
        if (productId != 0x12) {
          port = (third >>> 12) & 0xF;
          protocol = third & 0xFF;
        }
      } else if (productId == 0xF) {
        String error = readVersionString(at, version);
        if (error != null) {
          return error;
        }
        deviceId = versionStringDeviceId;
      }
      noteDeviceId(deviceId);
      roms.add(new Rom(productId, version, deviceId, port, protocol, cpu));
      return null;
    }

    /** Product 0xF: the decimal version string and the PCI data structure's ids. */
    private String readVersionString(int at, List<Integer> version) {
      if (at + 0x10 > bytes.length || 0x1C > bytes.length) {
        return String.format("ROM info record at 0x%x is cut off by the end of the section", at);
      }
      int lengths = le32(at + 0xC);
      int stringLength = (lengths >>> 8) & 0xFF;
      int signatureLength = lengths & 0xFF;
      int neededDwords = (stringLength + 3) / 4 + 4;
      if (signatureLength < neededDwords) {
        return String.format(
            "The Signature length (%d) and the ROM version string length (%d) are not coordinated",
            signatureLength, stringLength);
      }
      int end = Math.min(bytes.length, at + 0x10 + stringLength);
      StringBuilder digits = new StringBuilder();
      for (int i = at + 0x10; i < end && bytes[i] != 0; i++) {
        char c = (char) (bytes[i] & 0xFF);
        if (digits.length() == 0 && Character.isWhitespace(c)) {
          continue;
        }
        if (!(Character.isDigit(c) || (digits.length() == 0 && (c == '-' || c == '+')))) {
          break;
        }
        digits.append(c);
      }
      try {
        version.set(0, Integer.parseInt(digits.toString()));
      } catch (NumberFormatException e) {
        // not a number: mstflint keeps the first version byte
      }
      int pciDataAt = (le32(0x18) & 0xFFFF) + 4;
      if (pciDataAt + 4 > bytes.length) {
        return String.format("The device ID offset %#x is out of range. ROM size: %#x",
            pciDataAt, bytes.length);
      }
      int ids = le32(pciDataAt);
      versionStringDeviceId = ids >>> 16;
      int vendorId = ids & 0xFFFF;
      if (vendorId != MELLANOX_VENDOR_ID) {
        warning = String.format(
            "The Exp-ROM PCI vendor ID: %#x does not match the expected value: %#x.",
            vendorId, MELLANOX_VENDOR_ID);
      }
      return null;
    }

    private void noteDeviceId(int deviceId) {
      if (commonDeviceId == -1 || deviceId == 0) {
        return;
      }
      if (commonDeviceId == 0) {
        commonDeviceId = deviceId;
      } else if (deviceId != commonDeviceId) {
        commonDeviceId = -1;
        warning = "The device IDs of the ROMs mismatched.";
      }
    }

    /** The first ROM image (length: byte 2, in 512-byte units) must sum to zero. */
    private String checkFirstImageChecksum() {
      int length = (bytes[2] & 0xFF) * 512;
      if (length > bytes.length) {
        return String.format("ROM size field (0x%2x) is larger than actual ROM size (0x%x)",
            length, bytes.length);
      }
      if (length == 0) {
        return "ROM size field is 0. Unknown ROM format or corrupted ROM.";
      }
      int sum = 0;
      for (int i = 0; i < length; i++) {
        sum += bytes[i];
      }
      if ((sum & 0xFF) != 0) {
        warning = String.format(
            "Bad ROM Checksum (0x%02x), ROM info may not be displayed correctly.", sum & 0xFF);
      }
      return null;
    }

    private int le32(int at) {
      return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8 | (bytes[at + 2] & 0xFF) << 16
          | (bytes[at + 3] & 0xFF) << 24;
    }
  }
}
