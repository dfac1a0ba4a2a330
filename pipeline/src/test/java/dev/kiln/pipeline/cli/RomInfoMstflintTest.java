package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.build.SectionSpec;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.testkit.Mstflint;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The "Rom Info" lines of {@code kiln inspect} against {@code mstflint query full}, on ROM_CODE
 * sections built here: PXE, UEFI, NVMe and CLP records, a CLP record with a version string, an
 * unknown product id, more ROMs than mstflint reads, a bad checksum, mismatched device ids, a
 * foreign vendor id, broken size fields, and sections with no ROM tag at all. The ROMs are
 * synthetic (tag, info record, checksum byte), which is all either tool reads.
 */
class RomInfoMstflintTest {
  private static final Mstflint MSTFLINT = Mstflint.require();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** A ROM info record: the tag, then three little-endian dwords. */
  private static byte[] record(int productId, int v0, int v1, int v2, int deviceId, int port,
      int cpu, int protocol) {
    ByteBuffer record = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
    record.put("mlxsign:".getBytes(StandardCharsets.US_ASCII));
    record.putInt(productId << 16 | v0);
    record.putInt(v1 << 16 | v2);
    record.putInt(deviceId << 16 | port << 12 | cpu << 8 | protocol);
    return record.array();
  }

  /**
   * An option-ROM section: 0x55AA, the first image's length in 512-byte units at byte 2, the
   * records from 0x40 on, and (when {@code fixChecksum}) a byte that makes the first image sum to 0.
   */
  private static byte[] rom(int lengthUnits, boolean fixChecksum, byte[]... records) {
    byte[] rom = new byte[0x800];
    rom[0] = 0x55;
    rom[1] = (byte) 0xAA;
    rom[2] = (byte) lengthUnits;
    int at = 0x40;
    for (byte[] record : records) {
      System.arraycopy(record, 0, rom, at, record.length);
      at += record.length + 0x20;
    }
    if (fixChecksum && lengthUnits > 0) {
      int sum = 0;
      for (int i = 0; i < Math.min(rom.length, lengthUnits * 512); i++) {
        sum += rom[i];
      }
      rom[0x30] = (byte) (rom[0x30] - sum);
    }
    return rom;
  }

  /** A CLP ROM with product id 0xF: a decimal version string and a PCI data structure. */
  private static byte[] clpWithVersionString(String version, int vendorId, int signatureDwords) {
    ByteBuffer rom = ByteBuffer.allocate(0x800).order(ByteOrder.LITTLE_ENDIAN);
    rom.put(0, (byte) 0x55).put(1, (byte) 0xAA).put(2, (byte) 2);
    rom.putInt(0x18, 0x100 - 4); // the PCI data structure's ids are 4 bytes past this pointer
    rom.putInt(0x100, 0x1017 << 16 | vendorId);
    byte[] text = version.getBytes(StandardCharsets.US_ASCII);
    rom.position(0x200);
    rom.put("mlxsign:".getBytes(StandardCharsets.US_ASCII));
    rom.putInt(0xF << 16 | 7).putInt(0).putInt(0).putInt(text.length << 8 | signatureDwords);
    rom.put(text);
    return rom.array();
  }

  static Stream<Arguments> roms() {
    byte[] noise = new byte[0x400];
    new Random(1).nextBytes(noise);
    byte[][] six = new byte[6][];
    for (int i = 0; i < six.length; i++) {
      six[i] = record(0x10, i, 0, i, 0x1017, 0, 1, 1);
    }
    byte[] pxe = record(0x10, 3, 6, 204, 0x1017, 0, 1, 1);
    return Stream.of(
        Arguments.of("no tag", noise),
        Arguments.of("four bytes", new byte[] {0, 1, 2, 3}),
        Arguments.of("PXE", rom(2, true, pxe)),
        Arguments.of("PXE and UEFI", rom(2, true, record(0x10, 3, 6, 204, 0x1017, 1, 1, 1),
            record(0x11, 14, 29, 14, 0x1017, 0, 3, 0xFF))),
        Arguments.of("bad checksum", rom(2, false, record(0x10, 3, 6, 204, 0x1017, 0, 1, 0))),
        Arguments.of("device ids differ", rom(2, true, pxe,
            record(0x13, 1, 2, 3, 0x1019, 2, 4, 2))),
        Arguments.of("unknown product", rom(2, true, record(0x30, 1, 2, 3, 0, 0, 0, 0),
            record(0x10, 3, 6, 204, 0, 0, 2, 0))),
        Arguments.of("CLP 0x12", rom(2, true, record(0x12, 4, 5, 6, 0x1017, 3, 1, 1))),
        Arguments.of("CLP1", rom(2, true, record(0x1, 4, 5, 6, 0x1017, 3, 1, 1))),
        Arguments.of("six ROMs", rom(2, true, six)),
        Arguments.of("length field 0", rom(0, true, pxe)),
        Arguments.of("length field too big", rom(9, true, pxe)),
        Arguments.of("CLP version string", clpWithVersionString("1234", 0x15B3, 5)),
        Arguments.of("foreign vendor", clpWithVersionString("77", 0x1234, 5)),
        Arguments.of("string longer than signature", clpWithVersionString("12345678", 0x15B3, 2)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("roms")
  void romInfoLinesMatchQueryFull(String name, byte[] rom) throws Exception {
    Path image = dir.resolve("rom.bin");
    ImageWriter.write(
        InspectMstflintTest.base(DeviceType.CX6DX, "22.41.1000", 1 << 20)
            .section(SectionSpec.bytes(SectionType.ROM_CODE, padded(rom)))
            .build(),
        image,
        true);
    Mstflint.Result query = MSTFLINT.queryFull(image);
    assertEquals(0, query.exitCode(), query.output());
    VerifyCommandTest.Run kiln = VerifyCommandTest.kiln("inspect", image.toString());
    List<String> expected = romBlock(query.stdout());
    assertFalse(expected.isEmpty(), query.stdout());
    assertEquals(expected, romBlock(kiln.out()));

    JsonNode json = JSON.readTree(VerifyCommandTest.kiln("inspect", "--json", image.toString())
        .out()).get("expansionRoms");
    assertTrue(json.isObject(), String.valueOf(json));
    assertEquals(expected.get(0).contains("N/A (-E-"), json.get("roms").isEmpty(), json.toString());
  }

  @Test
  void noRomCodeSectionMeansNoRomInfoLine() throws Exception {
    Path image = dir.resolve("plain.bin");
    ImageWriter.write(InspectMstflintTest.base(DeviceType.CX6DX, "22.41.1000", 1 << 20).build(),
        image, true);
    assertTrue(romBlock(MSTFLINT.queryFull(image).stdout()).isEmpty());
    assertTrue(romBlock(VerifyCommandTest.kiln("inspect", image.toString()).out()).isEmpty());
    assertTrue(JSON.readTree(VerifyCommandTest.kiln("inspect", "--json", image.toString()).out())
        .get("expansionRoms").isNull());
  }

  /** The "Rom Info" line and the lines that belong to it, up to the GUID table. */
  private static List<String> romBlock(String text) {
    List<String> lines = text.lines().toList();
    int start = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("Rom Info:")) {
        start = i;
      }
    }
    if (start < 0) {
      return List.of();
    }
    int end = start + 1;
    while (end < lines.size()
        && (lines.get(end).isEmpty() || lines.get(end).startsWith(" ".repeat(23)))) {
      end++;
    }
    return lines.subList(start, end);
  }

  private static byte[] padded(byte[] bytes) {
    return Arrays.copyOf(bytes, (bytes.length + 3) & ~3);
  }
}
