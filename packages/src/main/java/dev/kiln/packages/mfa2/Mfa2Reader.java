package dev.kiln.packages.mfa2;

import dev.kiln.inspector.ImageParser;
import dev.kiln.packages.ByteCursor;
import dev.kiln.packages.PackageFormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.tukaani.xz.XZInputStream;

/**
 * Reads an MFA2 archive (layout in {@link Mfa2Archive}) and checks all of it: the fingerprint;
 * every TLV inside the file and inside its parent, each multi-part's total length against its
 * children (the kernel steps to the next element by that length, {@code mlxfw_mfa2_tlv_next});
 * the package descriptor's counts, offsets and sizes; the two SHA-256 extensions; the component
 * block's XZ stream (its CRC-32 check, and exactly the uncompressed size the package descriptor
 * declares); each component's {@code #BIN.COMPONENT!#} marker and place in the block; every
 * device's PSID and component pointers. Any failure is one {@link PackageFormatException} line.
 *
 * <p>Bounds: the file is read once (256 MiB at most, {@link ImageParser#readFile}); every length
 * is checked before use ({@link ByteCursor}); the declared uncompressed size must be at most
 * {@link #MAX_COMPONENT_BLOCK} before the buffer for it is allocated, the decompressor gets a
 * memory limit, and it is stopped after the declared size: a stream that would decompress to more
 * is refused without being expanded.
 */
public final class Mfa2Reader {
  /** The largest uncompressed component block accepted (several 32 MiB images fit). */
  public static final long MAX_COMPONENT_BLOCK = 512L << 20;

  /** Decoder memory limit in KiB: an LZMA2 dictionary of 64 MiB (preset 9) and some. */
  private static final int XZ_MEMORY_LIMIT_KIB = 96 << 10;

  private Mfa2Reader() {}

  public static Mfa2Archive read(Path path) throws IOException {
    return read(ImageParser.readFile(path), path.toString());
  }

  public static Mfa2Archive read(byte[] bytes, String source) throws PackageFormatException {
    ByteCursor file = ByteCursor.over(bytes, ByteOrder.BIG_ENDIAN, source);
    byte[] fingerprint = file.bytes(Mfa2Format.FINGERPRINT.length, "MFA2 fingerprint");
    if (!Arrays.equals(fingerprint, Mfa2Format.FINGERPRINT)) {
      throw new PackageFormatException(
          source + ": not an MFA2 archive: no \"MLNX.MFA2.XZ.00!\" fingerprint at offset 0");
    }

    List<Tlv> packageParts = multiPart(file, "package descriptor");
    Tlv descriptorTlv = packageParts.get(0);
    descriptorTlv.require(Mfa2Format.TYPE_PACKAGE_DESCRIPTOR, Mfa2Format.PACKAGE_DESCRIPTOR_LENGTH, "package descriptor");
    ByteCursor pd = descriptorTlv.value;
    int componentCount = pd.u16("num_components");
    int deviceCount = pd.u16("num_devices");
    long blockOffset = pd.u32("cb_offset");
    long archiveSize = pd.u32("cb_archive_size");
    long blockSize = pd.u32("cb_size_h") << 32 | pd.u32("cb_size_l");
    pd.skip(4, "compression");
    long userDataOffset = pd.u32("user_data_offset");
    Tlv versionTlv = find(packageParts, Mfa2Format.TYPE_VERSION, "package descriptor", source);
    versionTlv.require(Mfa2Format.TYPE_VERSION, Mfa2Version.LENGTH, "package version");
    Mfa2Version packageVersion = version(versionTlv.value);
    List<Tlv> digests =
        packageParts.stream().filter(tlv -> tlv.type == Mfa2Format.TYPE_SHA256).toList();
    if (digests.size() != 2) {
      throw new PackageFormatException(
          source + ": the package descriptor has " + digests.size()
              + " SHA-256 extensions; mstarchive writes two (archive and descriptors)");
    }
    for (Tlv digest : digests) {
      digest.require(Mfa2Format.TYPE_SHA256, Mfa2Format.SHA256_LENGTH, "SHA-256 extension");
    }

    List<Mfa2Device> devices = new ArrayList<>();
    for (int i = 0; i < deviceCount; i++) {
      devices.add(device(multiPart(file, "device descriptor " + i), i, componentCount, source));
    }
    List<long[]> placements = new ArrayList<>();
    List<Mfa2Component> shells = new ArrayList<>();
    for (int i = 0; i < componentCount; i++) {
      String name = "component descriptor " + i;
      List<Tlv> parts = multiPart(file, name);
      parts.get(0).require(Mfa2Format.TYPE_COMPONENT_DESCRIPTOR, Mfa2Format.COMPONENT_DESCRIPTOR_LENGTH, name);
      ByteCursor cd = parts.get(0).value;
      int classification = cd.u16(name + " pldm_classification");
      int identifier = cd.u16(name + " identifier");
      long offset = cd.u32(name + " cb_offset_h") << 32 | cd.u32(name + " cb_offset_l");
      long size = cd.u32(name + " size");
      Tlv version = find(parts, Mfa2Format.TYPE_VERSION, name, source);
      version.require(Mfa2Format.TYPE_VERSION, Mfa2Version.LENGTH, name + " version");
      placements.add(new long[] {offset, size});
      shells.add(new Mfa2Component(classification, identifier, version(version.value), new byte[0]));
    }

    int descriptorsEnd = file.position();
    if (blockOffset != descriptorsEnd) {
      throw new PackageFormatException(
          String.format(
              "%s: cb_offset 0x%x is not where the descriptors end (0x%x)",
              source, blockOffset, descriptorsEnd));
    }
    ByteCursor compressed = file.at(blockOffset, archiveSize, "component block (cb_archive_size)");
    long end = blockOffset + archiveSize;
    if (userDataOffset == 0 && end != bytes.length) {
      throw new PackageFormatException(
          String.format(
              "%s: %d bytes after the component block, which ends at 0x%x",
              source, bytes.length - end, end));
    }
    checkDigests(bytes, descriptorsEnd, (int) end, digests, source);

    byte[] block = decompress(compressed.bytes(archiveSize, "component block"), blockSize, source);
    List<Mfa2Component> components = new ArrayList<>();
    for (int i = 0; i < componentCount; i++) {
      long offset = placements.get(i)[0];
      long size = placements.get(i)[1];
      if (offset > block.length || Mfa2Format.COMPONENT_MARKER.length + size > block.length - offset) {
        throw new PackageFormatException(
            String.format(
                "%s: component %d (offset 0x%x, %d bytes and its marker) lies outside the"
                    + " %d-byte component block",
                source, i, offset, size, block.length));
      }
      int at = (int) offset;
      if (!Arrays.equals(
          block, at, at + Mfa2Format.COMPONENT_MARKER.length,
          Mfa2Format.COMPONENT_MARKER, 0, Mfa2Format.COMPONENT_MARKER.length)) {
        throw new PackageFormatException(
            String.format(
                "%s: component %d has no \"#BIN.COMPONENT!#\" marker at 0x%x of the component block",
                source, i, offset));
      }
      int dataAt = at + Mfa2Format.COMPONENT_MARKER.length;
      Mfa2Component shell = shells.get(i);
      components.add(
          new Mfa2Component(
              shell.classification(), shell.identifier(), shell.version(),
              Arrays.copyOfRange(block, dataAt, dataAt + (int) size)));
    }
    return new Mfa2Archive(packageVersion, devices, components);
  }

  /** One TLV: its type, its value as a window, and where it started. */
  private record Tlv(int offset, int type, int length, ByteCursor value, String source) {
    void require(int wantedType, int wantedLength, String what) throws PackageFormatException {
      if (type != wantedType || length != wantedLength) {
        throw new PackageFormatException(
            String.format(
                "%s: %s at 0x%x is TLV type 0x%02x of %d bytes, expected type 0x%02x of %d",
                source, what, offset, type, length, wantedType, wantedLength));
      }
    }
  }

  private static Tlv tlv(ByteCursor in, String what) throws PackageFormatException {
    int offset = in.position();
    in.u8(what + " TLV version");
    int type = in.u8(what + " TLV type");
    int length = in.u16(what + " TLV length");
    ByteCursor value = in.window(length, what + " TLV value");
    int padding = Mfa2Format.align4(in.position()) - in.position();
    if (padding > 0 && in.remaining() >= padding) {
      in.skip(padding, what + " padding");
    }
    return new Tlv(offset, type, length, value, in.source());
  }

  /** A multi-part TLV and its children (at least the first), checked against its total length. */
  private static List<Tlv> multiPart(ByteCursor file, String what) throws PackageFormatException {
    Tlv header = tlv(file, what + " multi-part");
    header.require(Mfa2Format.TYPE_MULTI_PART, Mfa2Format.MULTI_PART_LENGTH, what + " multi-part");
    int extensions = header.value.u16(what + " number of extensions");
    int totalLength = header.value.u16(what + " total length");
    long expectedEnd = Mfa2Format.align4((long) header.offset + 8 + totalLength);
    List<Tlv> children = new ArrayList<>();
    for (int i = 0; i <= extensions; i++) {
      children.add(tlv(file, what + " element " + i));
    }
    if (file.position() != expectedEnd) {
      throw new PackageFormatException(
          String.format(
              "%s: %s multi-part at 0x%x: its total length %d ends at 0x%x, its %d elements at 0x%x",
              file.source(), what, header.offset, totalLength, expectedEnd, extensions + 1,
              file.position()));
    }
    return children;
  }

  private static Tlv find(List<Tlv> parts, int type, String what, String source)
      throws PackageFormatException {
    return parts.stream()
        .filter(tlv -> tlv.type == type)
        .findFirst()
        .orElseThrow(
            () ->
                new PackageFormatException(
                    String.format("%s: %s has no TLV of type 0x%02x", source, what, type)));
  }

  private static Mfa2Device device(List<Tlv> parts, int index, int componentCount, String source)
      throws PackageFormatException {
    String name = "device descriptor " + index;
    List<Tlv> psids = parts.stream().filter(tlv -> tlv.type == Mfa2Format.TYPE_PSID).toList();
    if (psids.size() != 1) {
      throw new PackageFormatException(source + ": " + name + " has " + psids.size() + " PSID TLVs, not 1");
    }
    byte[] psidBytes = psids.get(0).value.bytes(psids.get(0).length, name + " PSID");
    for (byte b : psidBytes) {
      if (b < 0x21 || b > 0x7e) {
        throw new PackageFormatException(
            source + ": " + name + " PSID is not printable ASCII: " + HexFormat.of().formatHex(psidBytes));
      }
    }
    if (psidBytes.length == 0) {
      throw new PackageFormatException(source + ": " + name + " has an empty PSID");
    }
    String psid = new String(psidBytes, StandardCharsets.US_ASCII);
    List<Integer> pointers = new ArrayList<>();
    for (Tlv tlv : parts) {
      if (tlv.type != Mfa2Format.TYPE_COMPONENT_POINTER) {
        continue;
      }
      tlv.require(Mfa2Format.TYPE_COMPONENT_POINTER, Mfa2Format.COMPONENT_POINTER_LENGTH, name + " component pointer");
      tlv.value.u16("storage_id");
      int component = tlv.value.u16("component_index");
      if (component >= componentCount) {
        throw new PackageFormatException(
            String.format(
                "%s: %s (PSID %s) points at component %d, the archive has %d",
                source, name, psid, component, componentCount));
      }
      pointers.add(component);
    }
    if (pointers.isEmpty()) {
      throw new PackageFormatException(source + ": " + name + " (PSID " + psid + ") has no components");
    }
    return new Mfa2Device(psid, pointers);
  }

  private static Mfa2Version version(ByteCursor in) throws PackageFormatException {
    return new Mfa2Version(
        in.u8("version major"), in.u8("version minor"), in.u16("version sub-minor"),
        in.u16("year"), in.u8("month"), in.u8("day"), in.u8("hour"), in.u8("minutes"),
        in.u8("seconds"));
  }

  /** mstarchive's two digests (see {@link Mfa2Archive}) over the descriptors with them zeroed. */
  private static void checkDigests(
      byte[] bytes, int descriptorsEnd, int blockEnd, List<Tlv> digests, String source)
      throws PackageFormatException {
    byte[] zeroed = Arrays.copyOf(bytes, descriptorsEnd);
    for (Tlv digest : digests) {
      Arrays.fill(zeroed, digest.offset + 4, digest.offset + 4 + 32, (byte) 0);
    }
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    sha.update(zeroed);
    byte[] descriptorsDigest = sha.digest();
    sha.update(zeroed);
    sha.update(bytes, descriptorsEnd, blockEnd - descriptorsEnd);
    byte[] archiveDigest = sha.digest();
    compare(bytes, digests.get(0), archiveDigest, "archive SHA-256 (descriptors and component block)", source);
    compare(bytes, digests.get(1), descriptorsDigest, "descriptors SHA-256", source);
  }

  private static void compare(byte[] bytes, Tlv tlv, byte[] computed, String what, String source)
      throws PackageFormatException {
    byte[] stored = Arrays.copyOfRange(bytes, tlv.offset + 4, tlv.offset + 4 + 32);
    if (!Arrays.equals(stored, computed)) {
      throw new PackageFormatException(
          String.format(
              "%s: the %s at 0x%x does not match the archive: stored %s, computed %s",
              source, what, tlv.offset, HexFormat.of().formatHex(stored),
              HexFormat.of().formatHex(computed)));
    }
  }

  private static byte[] decompress(byte[] compressed, long declared, String source)
      throws PackageFormatException {
    if (declared > MAX_COMPONENT_BLOCK) {
      throw new PackageFormatException(
          String.format(
              "%s: the component block declares %d uncompressed bytes, more than the %d MiB kiln"
                  + " accepts",
              source, declared, MAX_COMPONENT_BLOCK >> 20));
    }
    try (InputStream xz = new XZInputStream(new ByteArrayInputStream(compressed), XZ_MEMORY_LIMIT_KIB)) {
      byte[] block = xz.readNBytes((int) declared);
      if (block.length != declared) {
        throw new PackageFormatException(
            String.format(
                "%s: the component block decompresses to %d bytes, its package descriptor"
                    + " declares %d",
                source, block.length, declared));
      }
      // Reading on to the end of the stream makes the decoder verify the check and the index.
      if (xz.read() != -1) {
        throw new PackageFormatException(
            String.format(
                "%s: the component block decompresses to more than the %d bytes its package"
                    + " descriptor declares",
                source, declared));
      }
      return block;
    } catch (PackageFormatException e) {
      throw e;
    } catch (IOException e) {
      throw new PackageFormatException(
          source + ": the component block is not a valid XZ stream: " + e.getMessage(), e);
    }
  }
}
