package dev.kiln.signer.fs4;

import dev.kiln.inspector.format.Boot2;
import dev.kiln.inspector.format.Crc16;
import dev.kiln.inspector.format.Dwords;
import dev.kiln.inspector.format.Fs4Magic;
import dev.kiln.inspector.format.HashesTable;
import dev.kiln.inspector.format.HwPointers;
import dev.kiln.inspector.format.TocEntry;
import dev.kiln.inspector.format.TocHeader;
import dev.kiln.inspector.format.ToolsArea;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Test images for the signing engine: valid for {@code mstflint verify}, with the signature, key
 * and forbidden-versions sections mstflint's security commands need, optionally with a hashes table
 * (ConnectX-7, secure boot v2) and with deliberately untidy bits (reserved ITOC entry bits, a
 * non-0xFF END entry) that mstflint normalises when it rewrites the ITOC. Published in the signer's
 * test jar so the CLI tests build the same images.
 */
public final class Fs4Fixtures {
  static final int TOC_AT = 0x4000;
  static final int HASHES_AT = 0x2000;
  static final int BOOT2_AT = 0x1000;
  static final int TOOLS_AT = 0x500;
  static final int FIRST_SECTION_AT = 0x6000;

  /** One ITOC section of a fixture. */
  public record SectionSpec(int type, byte[] body, int crcMode, boolean cacheLineCrc) {
    public static SectionSpec of(int type, byte[] body) {
      return new SectionSpec(type, body, 0, false);
    }
  }

  /** What to build. */
  public record Spec(
      int size,
      boolean hashesTable,
      int hwId,
      boolean signedFw,
      boolean untidyEntries,
      List<SectionSpec> sections) {

    public Spec withSize(int newSize) {
      return new Spec(newSize, hashesTable, hwId, signedFw, untidyEntries, sections);
    }

    public Spec withSignedFw(boolean value) {
      return new Spec(size, hashesTable, hwId, value, untidyEntries, sections);
    }

    public Spec withUntidyEntries(boolean value) {
      return new Spec(size, hashesTable, hwId, signedFw, value, sections);
    }

    /** The same image with a MAIN_CODE section of {@code length} bytes (benchmarks). */
    public Spec withMainSize(int length) {
      List<SectionSpec> resized = new ArrayList<>();
      for (SectionSpec section : sections) {
        resized.add(
            section.type() == 0x03
                ? new SectionSpec(
                    0x03, pattern(length, 7), section.crcMode(), section.cacheLineCrc())
                : section);
      }
      return new Spec(size, hashesTable, hwId, signedFw, untidyEntries, resized);
    }

    public Spec without(int type) {
      return new Spec(
          size,
          hashesTable,
          hwId,
          signedFw,
          untidyEntries,
          sections.stream().filter(s -> s.type() != type).toList());
    }
  }

  private Fs4Fixtures() {}

  /** Writes a fixture image for benchmarks: {@code OUT SIZE_MIB [v1|v2]} (bench/sign-bench.sh). */
  public static void main(String[] args) throws java.io.IOException {
    Spec spec = args.length > 2 && args[2].equals("v2") ? v2() : v1();
    int size = Integer.parseInt(args[1]) << 20;
    // Code sections filling most of the image, as in real firmware (a section holds < 16 MiB).
    int code = size - (1 << 20);
    int main = Math.min(code, 0xFFFF00);
    spec = spec.withSize(size).withMainSize(main);
    if (code > main) {
      List<SectionSpec> more = new ArrayList<>(spec.sections());
      more.add(SectionSpec.of(0x0A, pattern(code - main, 19)));
      spec = new Spec(size, spec.hashesTable(), spec.hwId(), false, false, more);
    }
    byte[] image = build(spec);
    java.nio.file.Files.write(java.nio.file.Path.of(args[0]), image);
  }

  /** A 1 MiB ConnectX-6 Dx image (secure boot v1) with every security section. */
  public static Spec v1() {
    return new Spec(1 << 20, false, 0x212, false, false, standardSections(false));
  }

  /** A 1 MiB ConnectX-7 image with a hashes table and a cache-line-CRC MAIN section. */
  public static Spec v2() {
    return new Spec(1 << 20, true, 0x218, false, false, standardSections(true));
  }

  static List<SectionSpec> standardSections(boolean cacheLines) {
    List<SectionSpec> sections = new ArrayList<>();
    sections.add(SectionSpec.of(0x10, null));
    sections.add(SectionSpec.of(0x08, pattern(0x100, 3)));
    sections.add(SectionSpec.of(0x04, pattern(0x200, 5)));
    // 0x1010 bytes = 60 full 68-byte lines and a 16-byte remainder.
    sections.add(new SectionSpec(0x03, pattern(0x1010, 7), 0, cacheLines));
    sections.add(SectionSpec.of(0xA0, new byte[0x140]));
    sections.add(new SectionSpec(0xA3, new byte[0x240], 0, false));
    sections.add(SectionSpec.of(0xA1, new byte[0x900]));
    sections.add(SectionSpec.of(0xA4, new byte[0x1100]));
    sections.add(SectionSpec.of(0xA2, pattern(0x100, 11)));
    sections.add(SectionSpec.of(0xA6, new byte[0x1100]));
    sections.add(SectionSpec.of(0xA7, new byte[0x600]));
    return sections;
  }

  static byte[] pattern(int length, int seed) {
    byte[] data = new byte[length];
    for (int i = 0; i < length; i++) {
      data[i] = (byte) (i * seed + (i >>> 8));
    }
    return data;
  }

  public static byte[] build(Spec spec) {
    return build(spec, false);
  }

  /**
   * Builds the image; with {@code failsafeItoc} toc_ptr points 0x1000 below the ITOC, at erased
   * flash, so readers must take the fail-safe copy at toc_ptr + 0x1000.
   */
  static byte[] build(Spec spec, boolean failsafeItoc) {
    int size = spec.size();
    byte[] image = new byte[size];
    Arrays.fill(image, (byte) 0xFF);
    put(image, 0, Fs4Magic.fs4Bytes());
    Dwords.put(image, 0x10, Fs4Magic.bootVersionDword(1));
    Dwords.put(image, 0x14, 0);
    int[] pointers = new int[16];
    pointers[0] = 0x400;
    pointers[1] = BOOT2_AT;
    pointers[2] = failsafeItoc ? TOC_AT - 0x1000 : TOC_AT;
    pointers[3] = TOOLS_AT;
    pointers[4] = 0;
    pointers[5] = BOOT2_AT - 1;
    pointers[13] = 2;
    if (spec.hashesTable()) {
      pointers[15] = HASHES_AT;
    }
    put(image, 0x18, HwPointers.of(pointers).toBytes());
    byte[] bootRecord = pattern(0x400, 13);
    put(image, 0x400, Arrays.copyOf(bootRecord, 0x100));
    // ITOC sections must end below 2^log2_img_slot_size: large images need a larger slot.
    int log2Slot = Math.max(0x16, 32 - Integer.numberOfLeadingZeros(size - 1));
    put(image, TOOLS_AT, ToolsArea.of(1, 0, log2Slot).toBytes());
    put(image, BOOT2_AT, Boot2.encode(0, pattern(0x7C0, 17), 0));

    List<SectionSpec> sections = spec.sections();
    int[] addresses = new int[sections.size()];
    byte[][] bodies = new byte[sections.size()][];
    int next = FIRST_SECTION_AT;
    for (int i = 0; i < sections.size(); i++) {
      SectionSpec section = sections.get(i);
      byte[] body = section.body() == null ? imageInfo(spec) : section.body().clone();
      if (section.crcMode() == 2) {
        Dwords.put(body, body.length - 4, Crc16.sw(body, 0, body.length - 4));
      }
      addresses[i] = next;
      bodies[i] = body;
      put(image, next, body);
      next = (next + body.length + 0x7F) & ~0x7F;
    }
    put(image, TOC_AT, TocHeader.of(TocHeader.Kind.ITOC, 1, 0, sections.size()).toBytes());
    for (int i = 0; i < sections.size(); i++) {
      SectionSpec section = sections.get(i);
      int crc = section.crcMode() == 0 ? Crc16.sw(bodies[i]) : 0;
      TocEntry entry =
          TocEntry.of(section.type(), addresses[i], bodies[i].length, section.crcMode(), crc)
              .withCacheLineCrc(section.cacheLineCrc());
      byte[] raw = entry.toBytes();
      if (spec.untidyEntries()) {
        // Reserved bits that mstflint's entry re-encode clears: dword 3, top half of dword 4.
        Dwords.put(raw, 0x0C, 0x5A5A0000 | i);
        Dwords.put(raw, 0x10, Dwords.get(raw, 0x10) | 0x12340000);
        raw = new TocEntry(raw).withEntryCrcFixed().toBytes();
      }
      put(image, TOC_AT + 0x20 * (i + 1), raw);
    }
    byte[] end = TocEntry.end().toBytes();
    if (spec.untidyEntries()) {
      Arrays.fill(end, 1, end.length, (byte) 0);
    }
    put(image, TOC_AT + 0x20 * (sections.size() + 1), end);

    if (spec.hashesTable()) {
      List<Integer> types = new ArrayList<>();
      List<byte[]> hashes = new ArrayList<>();
      types.add(0xFD);
      hashes.add(sha512(image, TOC_AT, 0x20 * (sections.size() + 1)));
      for (int i = 0; i < sections.size(); i++) {
        int type = sections.get(i).type();
        if (type == 0xA0 || type == 0xA1 || type == 0xA3 || type == 0xA4 || type == 0xA7) {
          continue;
        }
        types.add(type);
        hashes.add(sha512(bodies[i], 0, bodies[i].length));
      }
      put(image, HASHES_AT, HashesTable.encode(types, hashes));
    }

    int devInfoSpare = size - 0x4000;
    int devInfo = size - 0x3000;
    int mfgInfo = size - 0x2000;
    int dtoc = size - 0x1000;
    byte[] mfg = mfgInfo();
    put(image, devInfo, devInfo());
    put(image, mfgInfo, mfg);
    put(image, dtoc, TocHeader.of(TocHeader.Kind.DTOC, 1, 0, 3).toBytes());
    put(image, dtoc + 0x20, TocEntry.of(0xE1, devInfoSpare, 0x200, 2, 0).toBytes());
    put(image, dtoc + 0x40, TocEntry.of(0xE1, devInfo, 0x200, 2, 0).toBytes());
    put(image, dtoc + 0x60, TocEntry.of(0xE0, mfgInfo, 0x140, 0, Crc16.sw(mfg)).toBytes());
    put(image, dtoc + 0x80, TocEntry.end().toBytes());
    return image;
  }

  private static byte[] imageInfo(Spec spec) {
    byte[] info = new byte[0x400];
    int flags = (3 << 16) | (1 << 8) | (spec.signedFw() ? 1 << 14 : 0);
    Dwords.put(info, 0, flags);
    Dwords.put(info, 4, 22 << 16);
    Dwords.put(info, 8, (41 << 16) | 1000);
    Dwords.put(info, 0xC, (0x30 << 24) | (0x15 << 16) | (0x12 << 8));
    Dwords.put(info, 0x10, (0x2023 << 16) | (0x6 << 8) | 0x15);
    ascii(info, 0x24, "MT_0000000540");
    Dwords.put(info, 0x118, spec.hwId());
    ascii(info, 0x1C0, "rel-22_41_1000");
    ascii(info, 0x340, "MCX623106AN-CDA_Ax");
    return info;
  }

  private static byte[] devInfo() {
    byte[] dev = new byte[0x200];
    int[] signature = {0x6D446576, 0x496E666F, 0x2342CAFA, 0xBACAFE00};
    for (int i = 0; i < 4; i++) {
      Dwords.put(dev, 4 * i, signature[i]);
    }
    Dwords.put(dev, 0x10, 2 << 8);
    Dwords.put(dev, 0x1FC, Crc16.sw(dev, 0, 0x1FC));
    return dev;
  }

  private static byte[] mfgInfo() {
    byte[] mfg = new byte[0x140];
    ascii(mfg, 0, "MT_0000000540");
    Dwords.put(mfg, 0x1C, 1 << 24);
    return mfg;
  }

  private static byte[] sha512(byte[] data, int offset, int length) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-512");
      digest.update(data, offset, length);
      return digest.digest();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void ascii(byte[] bytes, int at, String text) {
    byte[] raw = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(raw, 0, bytes, at, raw.length);
  }

  static void put(byte[] image, int at, byte[] bytes) {
    System.arraycopy(bytes, 0, image, at, bytes.length);
  }
}
