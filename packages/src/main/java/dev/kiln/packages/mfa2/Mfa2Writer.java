package dev.kiln.packages.mfa2;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.Set;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.UnsupportedOptionsException;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZOutputStream;

/**
 * Writes an {@link Mfa2Archive} element by element as mstarchive 4.36 does ({@code MFA2::pack},
 * {@code PackageDescriptor::pack}, {@code DeviceDescriptor::pack}, {@code ComponentDescriptor::pack}
 * in mstflint's {@code mlxarchive/}): the same elements in the same order with the same values
 * (element version 0, compression byte 1, storage id 1, both SHA-256 extensions computed the way
 * mstarchive's two-pass packing leaves them), so that for the same images, package version and
 * creation time, the descriptors are equal to mstarchive's except for the compressed size and the
 * digests that cover the compressed bytes.
 *
 * <p>The component block is one XZ stream with a CRC-32 check (as {@code xz_compress_crc32}), LZMA2
 * preset 9 with the dictionary shrunk to the smallest power of two holding the whole block (8 MiB
 * at most) so that neither side needs more memory than the block; XZ output is the same for the
 * same input and options, and the creation time is a field of the archive, so the archive's bytes
 * are the same for the same inputs. mstarchive's liblzma makes other (equally valid) compressed
 * bytes.
 *
 * <p>Refused: two devices with the same PSID (the kernel would take the first, mstflint the latest
 * version: kiln writes archives on which they agree).
 */
public final class Mfa2Writer {
  private static final int MAX_DICTIONARY = 8 << 20;

  private Mfa2Writer() {}

  public static byte[] toBytes(Mfa2Archive archive) {
    Set<String> psids = new HashSet<>();
    for (Mfa2Device device : archive.devices()) {
      if (!psids.add(device.psid())) {
        throw new IllegalArgumentException("two devices of the archive have PSID " + device.psid());
      }
    }
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    long[] blockOffsets = new long[archive.components().size()];
    for (int i = 0; i < archive.components().size(); i++) {
      blockOffsets[i] = block.size();
      block.writeBytes(Mfa2Format.COMPONENT_MARKER);
      block.writeBytes(archive.components().get(i).data());
    }
    byte[] compressed = compress(block.toByteArray());

    // The descriptors are packed with both digests zero; their length does not depend on them.
    byte[] withoutDigests = descriptors(archive, blockOffsets, block.size(), compressed.length, 0, null, null);
    int blockOffset = withoutDigests.length;
    withoutDigests = descriptors(archive, blockOffsets, block.size(), compressed.length, blockOffset, null, null);
    byte[] descriptorsDigest = sha256(withoutDigests);
    byte[] allDigest = sha256(withoutDigests, compressed);
    byte[] descriptors =
        descriptors(archive, blockOffsets, block.size(), compressed.length, blockOffset, allDigest, descriptorsDigest);

    byte[] file = new byte[descriptors.length + compressed.length];
    System.arraycopy(descriptors, 0, file, 0, descriptors.length);
    System.arraycopy(compressed, 0, file, descriptors.length, compressed.length);
    return file;
  }

  private static byte[] descriptors(
      Mfa2Archive archive,
      long[] blockOffsets,
      long blockSize,
      int compressedSize,
      int blockOffset,
      byte[] allDigest,
      byte[] descriptorsDigest) {
    Tlvs out = new Tlvs();
    out.raw(Mfa2Format.FINGERPRINT);

    out.multiPart(3, Mfa2Format.PACKAGE_DESCRIPTOR_LENGTH + Mfa2Version.LENGTH + 2 * Mfa2Format.SHA256_LENGTH);
    ByteBuffer pd = ByteBuffer.allocate(Mfa2Format.PACKAGE_DESCRIPTOR_LENGTH);
    pd.putShort((short) archive.components().size());
    pd.putShort((short) archive.devices().size());
    pd.putInt(blockOffset);
    pd.putInt(compressedSize);
    pd.putInt((int) (blockSize >>> 32));
    pd.putInt((int) blockSize);
    pd.put((byte) Mfa2Format.COMPRESSION_XZ);
    pd.put(new byte[3]);
    pd.putInt(0); // user_data_offset
    out.tlv(Mfa2Format.TYPE_PACKAGE_DESCRIPTOR, pd.array());
    out.tlv(Mfa2Format.TYPE_VERSION, version(archive.packageVersion()));
    out.tlv(Mfa2Format.TYPE_SHA256, allDigest == null ? new byte[32] : allDigest);
    out.tlv(Mfa2Format.TYPE_SHA256, descriptorsDigest == null ? new byte[32] : descriptorsDigest);

    for (Mfa2Device device : archive.devices()) {
      byte[] psid = device.psid().getBytes(StandardCharsets.US_ASCII);
      int pointers = device.components().size();
      out.multiPart(1 + pointers, psid.length + pointers * Mfa2Format.COMPONENT_POINTER_LENGTH);
      out.tlv(Mfa2Format.TYPE_DEVICE_DESCRIPTOR, new byte[0]);
      out.tlv(Mfa2Format.TYPE_PSID, psid);
      for (int index : device.components()) {
        ByteBuffer pointer = ByteBuffer.allocate(Mfa2Format.COMPONENT_POINTER_LENGTH);
        pointer.putShort((short) Mfa2Format.STORAGE_ID);
        pointer.putShort((short) index);
        pointer.putInt(0); // storage_address
        out.tlv(Mfa2Format.TYPE_COMPONENT_POINTER, pointer.array());
      }
    }

    for (int i = 0; i < archive.components().size(); i++) {
      Mfa2Component component = archive.components().get(i);
      out.multiPart(1, Mfa2Format.COMPONENT_DESCRIPTOR_LENGTH + Mfa2Version.LENGTH);
      ByteBuffer cd = ByteBuffer.allocate(Mfa2Format.COMPONENT_DESCRIPTOR_LENGTH);
      cd.putShort((short) component.classification());
      cd.putShort((short) component.identifier());
      cd.putInt((int) (blockOffsets[i] >>> 32));
      cd.putInt((int) blockOffsets[i]);
      cd.putInt(component.size());
      out.tlv(Mfa2Format.TYPE_COMPONENT_DESCRIPTOR, cd.array());
      out.tlv(Mfa2Format.TYPE_VERSION, version(component.version()));
    }
    return out.bytes();
  }

  static byte[] version(Mfa2Version version) {
    ByteBuffer bytes = ByteBuffer.allocate(Mfa2Version.LENGTH);
    bytes.put((byte) version.major());
    bytes.put((byte) version.minor());
    bytes.putShort((short) version.subMinor());
    bytes.putShort((short) version.year());
    bytes.put((byte) version.month());
    bytes.put((byte) version.day());
    bytes.put((byte) version.hour());
    bytes.put((byte) version.minutes());
    bytes.put((byte) version.seconds());
    bytes.put((byte) 0);
    return bytes.array();
  }

  private static byte[] compress(byte[] block) {
    try {
      LZMA2Options options = new LZMA2Options(9);
      int dictionary = LZMA2Options.DICT_SIZE_MIN;
      while (dictionary < block.length && dictionary < MAX_DICTIONARY) {
        dictionary <<= 1;
      }
      options.setDictSize(dictionary);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (XZOutputStream xz = new XZOutputStream(out, options, XZ.CHECK_CRC32)) {
        xz.write(block);
      }
      return out.toByteArray();
    } catch (UnsupportedOptionsException e) {
      throw new IllegalStateException("preset 9 with a power-of-two dictionary is valid", e);
    } catch (IOException e) {
      throw new UncheckedIOException("compressing into memory failed", e);
    }
  }

  private static byte[] sha256(byte[]... parts) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (byte[] part : parts) {
        digest.update(part);
      }
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** TLV output with 4-byte alignment (zero padding after each element). */
  private static final class Tlvs {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void raw(byte[] bytes) {
      out.writeBytes(bytes);
    }

    /** A multi-part header; {@code valueLengths} is the sum of its children's value lengths. */
    void multiPart(int extensions, int valueLengths) {
      ByteBuffer value = ByteBuffer.allocate(Mfa2Format.MULTI_PART_LENGTH);
      value.putShort((short) extensions);
      // mstarchive's total: the children's value lengths plus one header per child.
      value.putShort((short) (valueLengths + (extensions + 1) * Mfa2Format.TLV_HEADER));
      tlv(Mfa2Format.TYPE_MULTI_PART, value.array());
    }

    void tlv(int type, byte[] value) {
      if (value.length > 0xFFFF) {
        throw new IllegalArgumentException("an MFA2 element of " + value.length + " bytes");
      }
      out.write(Mfa2Format.ELEMENT_VERSION);
      out.write(type);
      out.write(value.length >>> 8);
      out.write(value.length);
      out.writeBytes(value);
      while (out.size() % 4 != 0) {
        out.write(0);
      }
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
