package dev.kiln.inspector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.inspector.format.Crc16;
import dev.kiln.inspector.format.Dwords;
import dev.kiln.inspector.format.HwPointer;
import dev.kiln.inspector.format.HwPointers;
import dev.kiln.testkit.Mstflint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ImageSummary} prints what {@code mstflint query full} prints, over the IMAGE_INFO flag
 * combinations that drive the security attributes, development-key UUIDs, version formats and
 * PSID differences.
 */
class SummaryAgreementTest {
  private static final Mstflint MSTFLINT = Mstflint.require();
  private static final int FLAGS = TestImages.IMAGE_INFO_AT;
  private static final int MCC_EN = 1 << 8;
  private static final int DEBUG_FW = 1 << 13;
  private static final int SIGNED_FW = 1 << 14;
  private static final int SECURE_FW = 1 << 15;

  @TempDir Path dir;

  static Stream<Arguments> variants() {
    return Stream.of(
        v("reference image", b -> b),
        v("signed-fw", b -> flags(b, MCC_EN | SIGNED_FW)),
        v("secure-fw, debug", b -> flags(b, MCC_EN | SECURE_FW | SIGNED_FW | DEBUG_FW)),
        v("signed-fw without mcc_en", b -> flags(b, SIGNED_FW)),
        v("secure-fw, dev key uuid", b -> {
          flags(b, MCC_EN | SECURE_FW);
          Dwords.put(b, TestImages.SIG256_AT + 0x10, 0x12345678);
          Dwords.put(b, TestImages.SIG256_AT + 0x18, 0xABCD0000);
          TestImages.fixItocEntry(b, 2);
          return b;
        }),
        v("signed-fw, production key uuid", b -> {
          flags(b, MCC_EN | SIGNED_FW);
          Dwords.put(b, TestImages.SIG256_AT + 0x10, 0x12345678);
          Dwords.put(b, TestImages.SIG256_AT + 0x1C, 1);
          TestImages.fixItocEntry(b, 2);
          return b;
        }),
        v("no public keys section", b -> {
          flags(b, MCC_EN | SIGNED_FW);
          b[TestImages.TOC_AT + 0x80] = 0x12; // PUBLIC_KEYS_2048 entry becomes FW_MAIN_CFG
          Dwords.put(b, TestImages.TOC_AT + 0x9C, Crc16.sw(b, TestImages.TOC_AT + 0x80, 0x1C));
          return b;
        }),
        v("minor >= 100 and security version 300", b -> {
          Dwords.put(b, TestImages.IMAGE_INFO_AT + 8, (100 << 16) | 7);
          TestImages.fixItocEntry(b, 0);
          HwPointers pointers = HwPointers.read(ByteBuffer.wrap(b), 0x18);
          TestImages.put(b, 0x18, pointers.with(HwPointer.FW_SECURITY_VERSION, 300).toBytes());
          return b;
        }),
        v("different MFG psid", b -> {
          int mfg = b.length - 0x2000;
          b[mfg + 3] = 'X';
          int entry = b.length - 0x1000 + 0x60;
          Dwords.put(b, entry + 0x18, Crc16.sw(b, mfg, 0x140));
          Dwords.put(b, entry + 0x1C, Crc16.sw(b, entry, 0x1C));
          return b;
        }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void summaryMatchesQueryFull(String name, UnaryOperator<byte[]> change) throws IOException {
    Path file = Files.write(dir.resolve("image.bin"), change.apply(TestImages.valid()));
    Mstflint.Result query = MSTFLINT.queryFull(file);
    assertEquals(0, query.exitCode(), query.output());
    ImageSummary summary = ImageSummary.of(ImageParser.parse(file));
    assertEquals(query.field("FW Version"), summary.fwVersion());
    assertEquals(query.field("FW Release Date"), summary.releaseDate());
    assertEquals(query.field("PSID"), summary.psid());
    assertEquals(query.field("Orig PSID"), summary.origPsid());
    assertEquals(query.field("Part Number"), summary.partNumber());
    assertEquals(query.field("Description"), summary.description());
    assertEquals(query.field("PRS Name"), summary.prsName());
    assertEquals(query.field("Product Version"), summary.productVersion());
    assertEquals(query.field("Security Attributes"), summary.securityAttributes().text());
    assertEquals(query.field("Default Update Method"),
        summary.securityAttributes().updateMethod());
    assertEquals(query.field("Security Ver"), Integer.toString(summary.securityVersion()));
    assertEquals(query.field("Base GUID").replaceAll("\\s+", " "),
        summary.devInfo().guids().uidHex() + " " + summary.devInfo().guids().count());
    assertEquals(query.field("Base MAC").replaceAll("\\s+", " "),
        summary.devInfo().macs().macHex() + " " + summary.devInfo().macs().count());
  }

  private static Arguments v(String name, UnaryOperator<byte[]> change) {
    return Arguments.of(name, change);
  }

  /** Replaces the flag bits of IMAGE_INFO dword 0 (keeping minor version 3). */
  private static byte[] flags(byte[] image, int flags) {
    Dwords.put(image, FLAGS, (3 << 16) | flags);
    TestImages.fixItocEntry(image, 0);
    return image;
  }
}
