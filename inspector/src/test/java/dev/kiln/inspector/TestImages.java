package dev.kiln.inspector;

import dev.kiln.inspector.format.Boot2;
import dev.kiln.inspector.format.Crc16;
import dev.kiln.inspector.format.Dwords;
import dev.kiln.inspector.format.Fs4Magic;
import dev.kiln.inspector.format.HwPointers;
import dev.kiln.inspector.format.TocEntry;
import dev.kiln.inspector.format.TocHeader;
import dev.kiln.inspector.format.ToolsArea;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A hand-assembled FS4 image for parser and verifier tests: the layout of fs4-format.md §14 built
 * directly from the container structures, independent of the production writer so that a bug in
 * one cannot hide a bug in the other. Section contents hold only the fields mstflint looks at.
 */
final class TestImages {
  static final int IMAGE_INFO_AT = 0x6000;
  static final int MAIN_CODE_AT = 0x6400;
  static final int SIG256_AT = 0x7400;
  static final int PUBKEYS_AT = 0x7580;
  static final int TOC_AT = 0x4000;
  static final int TOOLS_AT = 0x500;
  static final int BOOT2_AT = 0x1000;

  private TestImages() {}

  /** A valid 1 MiB image (CX6DX, FW 22.41.1000, one valid DEV_INFO copy). */
  static byte[] valid() {
    return valid(1 << 20);
  }

  static byte[] valid(int size) {
    return valid(size, false);
  }

  /** Offset of the hashes table in {@link #withHashesTable()} images. */
  static final int HASHES_AT = 0x2000;

  /** A valid 1 MiB image with a secure-boot v2 hashes table (hash values are not checked). */
  static byte[] withHashesTable() {
    return valid(1 << 20, true);
  }

  static byte[] valid(int size, boolean hashesTable) {
    byte[] image = new byte[size];
    Arrays.fill(image, (byte) 0xFF);
    System.arraycopy(Fs4Magic.fs4Bytes(), 0, image, 0, 16);
    Dwords.put(image, 0x10, Fs4Magic.bootVersionDword(1));
    Dwords.put(image, 0x14, 0);
    int[] pointers = new int[16];
    pointers[0] = 0x400;
    pointers[1] = BOOT2_AT;
    pointers[2] = TOC_AT;
    pointers[3] = TOOLS_AT;
    pointers[13] = 7; // security version
    if (hashesTable) {
      pointers[15] = HASHES_AT;
      put(image, HASHES_AT, dev.kiln.inspector.format.HashesTable.encode(
          java.util.List.of(0xFD, 0x10), java.util.List.of(new byte[64], new byte[64])));
    }
    put(image, 0x18, HwPointers.of(pointers).toBytes());
    Arrays.fill(image, 0x400, 0x500, (byte) 0);
    put(image, TOOLS_AT, ToolsArea.of(1, 0, 0x16).toBytes());
    put(image, BOOT2_AT, Boot2.encode(0, new byte[0x7C0], 0));

    byte[] info = imageInfo();
    byte[] main = new byte[0x1000];
    for (int i = 0; i < main.length; i++) {
      main[i] = (byte) (i * 7);
    }
    byte[] sig256 = new byte[0x140];
    byte[] pubkeys = new byte[0x900];
    for (int i = 0; i < 8; i++) {
      pubkeys[i * 0x120 + 3] = 3;
    }
    byte[][] bodies = {info, main, sig256, pubkeys};
    int[] types = {0x10, 0x03, 0xA0, 0xA1};
    int[] addresses = {IMAGE_INFO_AT, MAIN_CODE_AT, SIG256_AT, PUBKEYS_AT};
    put(image, TOC_AT, TocHeader.of(TocHeader.Kind.ITOC, 1, 0, bodies.length).toBytes());
    for (int i = 0; i < bodies.length; i++) {
      put(image, addresses[i], bodies[i]);
      TocEntry entry = TocEntry.of(types[i], addresses[i], bodies[i].length,
          TocEntry.CRC_IN_ENTRY, Crc16.sw(bodies[i]));
      put(image, TOC_AT + 0x20 * (i + 1), entry.toBytes());
    }
    put(image, TOC_AT + 0x20 * (bodies.length + 1), TocEntry.end().toBytes());

    int devInfoSpare = size - 0x4000;
    int devInfo = size - 0x3000;
    int mfgInfo = size - 0x2000;
    int dtoc = size - 0x1000;
    byte[] dev = devInfo();
    byte[] mfg = mfgInfo();
    put(image, devInfo, dev);
    put(image, mfgInfo, mfg);
    put(image, dtoc, TocHeader.of(TocHeader.Kind.DTOC, 1, 0, 3).toBytes());
    put(image, dtoc + 0x20, TocEntry.of(0xE1, devInfoSpare, 0x200, 2, 0).toBytes());
    put(image, dtoc + 0x40, TocEntry.of(0xE1, devInfo, 0x200, 2, 0).toBytes());
    put(image, dtoc + 0x60, TocEntry.of(0xE0, mfgInfo, 0x140, 0, Crc16.sw(mfg)).toBytes());
    put(image, dtoc + 0x80, TocEntry.end().toBytes());
    return image;
  }

  static byte[] imageInfo() {
    byte[] info = new byte[0x400];
    Dwords.put(info, 0, (3 << 16) | (1 << 8)); // minor_version 3, mcc_en
    Dwords.put(info, 4, 22 << 16);
    Dwords.put(info, 8, (41 << 16) | 1000);
    Dwords.put(info, 0xC, (0x30 << 24) | (0x15 << 16) | (0x12 << 8));
    Dwords.put(info, 0x10, (0x2023 << 16) | (0x6 << 8) | 0x15);
    ascii(info, 0x24, "MT_0000000540");
    Dwords.put(info, 0x118, 0x212);
    ascii(info, 0x1C0, "rel-22_41_1000");
    ascii(info, 0x1D0, "Kiln test image");
    ascii(info, 0x340, "MCX623106AN-CDA_Ax");
    ascii(info, 0x380, "kiln_test.prs");
    return info;
  }

  static byte[] devInfo() {
    byte[] dev = new byte[0x200];
    int[] signature = {0x6D446576, 0x496E666F, 0x2342CAFA, 0xBACAFE00};
    for (int i = 0; i < 4; i++) {
      Dwords.put(dev, 4 * i, signature[i]);
    }
    Dwords.put(dev, 0x10, 2 << 8);
    uid(dev, 0x20, 0x0002c90300001000L, 8);
    uid(dev, 0x30, 0x0002c9001000L, 8);
    Dwords.put(dev, 0x1FC, Crc16.sw(dev, 0, 0x1FC));
    return dev;
  }

  static byte[] mfgInfo() {
    byte[] mfg = new byte[0x140];
    ascii(mfg, 0, "MT_0000000540");
    Dwords.put(mfg, 0x1C, 1 << 24);
    uid(mfg, 0x20, 0x0002c90300001000L, 8);
    uid(mfg, 0x30, 0x0002c9001000L, 8);
    return mfg;
  }

  private static void uid(byte[] bytes, int at, long uid, int count) {
    Dwords.put(bytes, at, (1 << 8) | count);
    Dwords.put(bytes, at + 8, (int) (uid >>> 32));
    Dwords.put(bytes, at + 12, (int) uid);
  }

  private static void ascii(byte[] bytes, int at, String text) {
    byte[] raw = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(raw, 0, bytes, at, raw.length);
  }

  static void put(byte[] image, int at, byte[] bytes) {
    System.arraycopy(bytes, 0, image, at, bytes.length);
  }

  /** Recomputes the CRC in entry {@code index} of the ITOC after a section body changed. */
  static void fixItocEntry(byte[] image, int index) {
    int at = TOC_AT + 0x20 * (index + 1);
    TocEntry entry = new TocEntry(Arrays.copyOfRange(image, at, at + 0x20));
    int body = (int) entry.flashAddrBytes();
    int crc = Crc16.sw(image, body, (int) entry.sizeBytes());
    put(image, at, entry.withSectionCrc(crc).toBytes());
  }
}
