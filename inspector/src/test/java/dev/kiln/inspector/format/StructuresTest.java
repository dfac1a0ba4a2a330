package dev.kiln.inspector.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Round trips and reference values of the container structures (fs4-format.md §2–§9). */
class StructuresTest {

  @Test
  void bufferCrcMatchesArrayCrcAtEveryLengthAndAlignment() {
    byte[] data = new byte[4096];
    new Random(7).nextBytes(data);
    ByteBuffer big = ByteBuffer.wrap(data);
    ByteBuffer little = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    for (int offset = 0; offset < 64; offset += 4) {
      for (int length = 0; length < 200; length += 4) {
        int expected = Crc16.sw(data, offset, length);
        assertEquals(expected, Crc16.sw(big, offset, length), offset + "+" + length);
        assertEquals(expected, Crc16.sw(little, offset, length));
      }
    }
    assertEquals(Crc16.sw(data), Crc16.sw(big, 0, data.length));
  }

  @Test
  void parallelCrcEqualsSequentialCrc() {
    byte[] data = new byte[(9 << 20) + 12];
    new Random(11).nextBytes(data);
    ByteBuffer buffer = ByteBuffer.wrap(data);
    for (int length : new int[] {4 << 20, (4 << 20) + 4, (9 << 20) + 8, 100}) {
      assertEquals(Crc16.sw(buffer, 4, length), Crc16.swParallel(buffer, 4, length), "" + length);
    }
  }

  @Test
  void fileCrcEqualsBufferCrc(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    byte[] data = new byte[(5 << 20) + 64];
    new Random(12).nextBytes(data);
    java.nio.file.Path file = java.nio.file.Files.write(dir.resolve("data.bin"), data);
    ByteBuffer buffer = ByteBuffer.wrap(data);
    try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
      for (int length : new int[] {0, 4, 1 << 20, (5 << 20) + 60}) {
        assertEquals(Crc16.sw(buffer, 4, length), Crc16.swParallel(channel, 4, length));
      }
      org.junit.jupiter.api.Assertions.assertThrows(java.io.EOFException.class,
          () -> Crc16.swParallel(channel, 128, 5 << 20));
    }
  }

  @Test
  void itocHeaderMatchesReferenceVector() {
    TocHeader header = TocHeader.of(TocHeader.Kind.ITOC, 1, 0, 0);
    assertEquals(0x6A70, header.storedCrc());
    assertTrue(header.valid(TocHeader.Kind.ITOC));
    assertFalse(header.valid(TocHeader.Kind.DTOC));
    byte[] bytes = header.toBytes();
    bytes[0x1C] = 0x12; // upper half of the CRC dword is ignored
    assertTrue(new TocHeader(bytes).crcOk());
    bytes[0x1F] ^= 1;
    assertFalse(new TocHeader(bytes).crcOk());
  }

  @Test
  void hwPointerCrcMatchesReferenceVectorsAndAcceptsAllOnes() {
    HwPointers pointers = HwPointers.of(0x400, 0x1000, 0x4000, 0x500, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0x12345678, 0, 0);
    // vector "000010000000" -> 0xEB67: pointer 0x1000 with a zero upper CRC half.
    assertEquals(0xEB67, pointers.storedCrc(1));
    assertEquals(0x7E6F, pointers.storedCrc(13));
    for (int i = 0; i < HwPointers.COUNT; i++) {
      assertTrue(pointers.crcOk(i));
    }
    byte[] raw = pointers.raw();
    Arrays.fill(raw, 8 * 5, 8 * 5 + 4, (byte) 0xFF); // erased pointer, CRC dword left as it was
    raw[8 * 2 + 4] = 1; // upper half of toc_ptr's CRC dword must be 0
    HwPointers changed = new HwPointers(raw);
    assertTrue(changed.crcOk(5));
    assertEquals(0, changed.value(HwPointer.AUTHENTICATION_END));
    assertFalse(changed.crcOk(2));
    assertEquals(0x4100, pointers.with(HwPointer.TOC, 0x4100).value(HwPointer.TOC));
    assertTrue(pointers.with(HwPointer.TOC, 0x4100).crcOk(2));
  }

  @Test
  void tocEntryFieldsRoundTrip() {
    TocEntry entry = TocEntry.of(0x10, 0x6000, 0x400, TocEntry.CRC_IN_ENTRY, 0xBEEF);
    assertEquals(0x10, entry.type());
    assertEquals(0x6000, entry.flashAddrBytes());
    assertEquals(0x400, entry.sizeBytes());
    assertEquals(0x100, entry.sizeDwords());
    assertEquals(0xBEEF, entry.sectionCrc());
    assertEquals(0, entry.crcMode());
    assertTrue(entry.entryCrcOk());
    assertEquals("IMAGE_INFO", entry.typeName());
    TocEntry changed = entry.withSectionCrc(0x1234).withCacheLineCrc(true);
    assertEquals(0x1234, changed.sectionCrc());
    assertTrue(changed.cacheLineCrc());
    assertTrue(changed.entryCrcOk());
    assertTrue(TocEntry.end().isEnd());
    ByteBuffer buffer = ByteBuffer.allocate(0x40);
    entry.writeTo(buffer, 0x20);
    assertEquals(entry, TocEntry.read(buffer, 0x20));
  }

  @Test
  void toolsAreaAndBoot2RoundTrip() {
    ToolsArea tools = ToolsArea.of(1, 0, 0x16);
    assertEquals(1, tools.binVerMajor());
    assertEquals(0x16, tools.log2ImgSlotSize());
    assertTrue(tools.crcOk());
    assertTrue(tools.binVersionSupported());
    assertFalse(ToolsArea.of(2, 0, 0x16).binVersionSupported());

    byte[] boot2 = Boot2.encode(0x1234, new byte[0x7C0], 0);
    ByteBuffer buffer = ByteBuffer.wrap(boot2);
    Boot2 read = Boot2.read(buffer, 0);
    assertEquals(0x1F0, read.dwordCount());
    assertEquals(boot2.length, read.size());
    assertTrue(read.crcOk());
  }

  @Test
  void hashesTableEncodesBothCrcs() {
    byte[] table = HashesTable.encode(List.of(0xFD, 0x10), List.of(new byte[64], new byte[64]));
    assertEquals(0x804, table.length);
    HashesTable read = HashesTable.read(ByteBuffer.wrap(table), 0);
    assertEquals(0x1FD, read.dwSize());
    assertEquals(64, read.hashSize());
    assertEquals(2, read.entries().size());
    assertEquals(0xFD, read.entries().get(0).sectionType());
    assertTrue(read.headerCrcOk());
    assertTrue(read.tableCrcOk());
    table[0x200] ^= 1;
    assertFalse(HashesTable.read(ByteBuffer.wrap(table), 0).tableCrcOk());
    HashesTable.fixCrcs(table);
    assertTrue(HashesTable.read(ByteBuffer.wrap(table), 0).tableCrcOk());
  }

  @Test
  void addressTranslationDoublesAddressesAboveTheSlot() {
    assertEquals(0x1000, AddressTranslation.toPhysical(0x1000, 0x16, false));
    assertEquals(0x800010, AddressTranslation.toPhysical(0x400010, 0x16, false));
    assertEquals(0x400010, AddressTranslation.toPhysical(0x10, 0x16, true));
    assertTrue(AddressTranslation.withinSlot(0x3FFF00, 0x100, 0x16));
    assertFalse(AddressTranslation.withinSlot(0x3FFF00, 0x104, 0x16));
  }
}
