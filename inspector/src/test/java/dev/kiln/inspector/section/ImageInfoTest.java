package dev.kiln.inspector.section;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.format.Dwords;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageInfoTest {
  static ImageInfo full() {
    return ImageInfo.builder()
        .device(DeviceType.CX6DX)
        .flags(EnumSet.of(ImageInfoFlag.MCC_EN, ImageInfoFlag.SECURE_FW, ImageInfoFlag.DEBUG_FW,
            ImageInfoFlag.LONG_KEYS, ImageInfoFlag.TOC_HEADER_DUPLICATION))
        .encryptedFw(2)
        .fwVersion(FwVersion.parse("22.41.1000"))
        .releaseDate(ReleaseDate.parse("2024-03-15"))
        .buildTime(0x12, 0x34, 0x56)
        .micVersion(new FwVersion(1, 2, 3))
        .pciIds(0x15B3, 0x101D, 0x15B4, 0x0042)
        .psid("MT_0000000359")
        .vsdVendorId(0x15B3)
        .pscSku(3)
        .vsd("vendor data")
        .imageSize(0x16, true, 0x1000000)
        .syncedResetDowntime(7)
        .dtocOffset(5)
        .tocCopyOffset(0x1000)
        .supportedHwIds(List.of(0x212, 0x216))
        .iniFileNum(9)
        .burnImageSize(0x800000)
        .productVersion("rel-22_41_1000")
        .description("ConnectX-6 Dx EN adapter card")
        .name("MCX623106AN-CDA_Ax")
        .prsName("cx6dx.prs")
        .build();
  }

  @Test
  void roundTripsEveryField() throws Exception {
    ImageInfo info = full();
    byte[] body = info.encode();
    assertEquals(ImageInfo.SIZE, body.length);
    assertEquals(info, ImageInfo.decode(body));
    assertEquals(info, ImageInfo.decode(ByteBuffer.wrap(body)));
    assertEquals(info, info.toBuilder().build());
    assertEquals(DeviceType.CX6DX, info.device().orElseThrow());
  }

  @Test
  void fieldsSitWhereTheFormatSays() {
    byte[] b = full().encode();
    int dword0 = Dwords.get(b, 0);
    assertEquals(0, dword0 >>> 24, "major_version");
    assertEquals(3, (dword0 >>> 16) & 0xFF, "minor_version");
    assertEquals(1, (dword0 >>> 8) & 1, "mcc_en at 0x0.8");
    assertEquals(1, (dword0 >>> 13) & 1, "debug_fw at 0x0.13");
    assertEquals(0, (dword0 >>> 14) & 1, "signed_fw at 0x0.14");
    assertEquals(1, (dword0 >>> 15) & 1, "secure_fw at 0x0.15");
    assertEquals(2, (dword0 >>> 3) & 3, "encrypted_fw at 0x0.3-4");
    assertEquals(22 << 16, Dwords.get(b, 4));
    assertEquals((41 << 16) | 1000, Dwords.get(b, 8));
    assertEquals(0x56341200, Dwords.get(b, 0xC), "seconds, minutes, hour");
    assertEquals(0x20240315, Dwords.get(b, 0x10), "year, month, day");
    assertEquals((0x101D << 16) | 0x15B3, Dwords.get(b, 0x1C));
    assertEquals("MT_0000000359", new String(b, 0x24, 13, StandardCharsets.US_ASCII));
    assertEquals(0x212, Dwords.get(b, 0x118));
    assertEquals(0x216, Dwords.get(b, 0x11C));
    assertEquals("rel-22_41_1000", new String(b, 0x1C0, 14, StandardCharsets.US_ASCII));
    assertEquals("ConnectX", new String(b, 0x1D0, 8, StandardCharsets.US_ASCII));
    assertEquals("MCX623106AN", new String(b, 0x340, 11, StandardCharsets.US_ASCII));
    assertEquals("cx6dx.prs", new String(b, 0x380, 9, StandardCharsets.US_ASCII));
    assertEquals(0x80000016, Dwords.get(b, 0x108), "run_from_any and log_step");
    assertEquals((0x1000 << 16) | (5 << 8) | 7, Dwords.get(b, 0x110));
  }

  @Test
  void fullLengthStringsFitWithoutTerminator() throws Exception {
    ImageInfo info = full().toBuilder()
        .psid("P".repeat(16)).vsd("V".repeat(208)).productVersion("R".repeat(16))
        .description("D".repeat(256)).name("N".repeat(64)).prsName("S".repeat(128)).build();
    ImageInfo back = ImageInfo.decode(info.encode());
    assertEquals(info, back);
  }

  @Test
  void refusesStringsThatDoNotFit() {
    IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
        () -> full().toBuilder().description("d".repeat(257)).build().encode());
    assertEquals("description is 257 characters; the field holds 256", tooLong.getMessage());
    IllegalArgumentException nonAscii = assertThrows(IllegalArgumentException.class,
        () -> full().toBuilder().psid("MT_\u00e9").build().encode());
    assertEquals("PSID holds character U+00E9; only printable ASCII fits", nonAscii.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> full().toBuilder().pciIds(0x10000, 0, 0, 0).build().encode());
  }

  @Test
  void shortBodyIsAFormatErrorAndGarbageDecodes() throws Exception {
    SectionFormatException e = assertThrows(SectionFormatException.class,
        () -> ImageInfo.decode(new byte[0x100]));
    assertEquals("IMAGE_INFO is 0x100 bytes, shorter than the 0x130 its layout needs",
        e.getMessage());
    byte[] garbage = new byte[0x400];
    java.util.Arrays.fill(garbage, (byte) 0xFF);
    ImageInfo info = ImageInfo.decode(garbage);
    assertEquals(0xFF, info.majorVersion());
    assertEquals(new FwVersion(0xFFFF, 0xFFFF, 0xFFFF), info.fwVersion());
    assertEquals(16, info.psid().length());
    assertTrue(ImageInfo.decode(new byte[0x130]).psid().isEmpty());
  }

  @Test
  void securityAttributesFollowQueryRules() {
    ImageInfo info = full();
    assertEquals("secure-fw, debug", SecurityAttributes.describe(info, true, true, false));
    assertEquals("secure-fw, debug, dev", SecurityAttributes.describe(info, true, true, true));
    assertEquals("N/A", SecurityAttributes.describe(info, false, true, false));
    assertEquals("N/A", SecurityAttributes.describe(info, true, false, false));
    ImageInfo noMcc = info.toBuilder().flag(ImageInfoFlag.MCC_EN, false).build();
    assertEquals("N/A", SecurityAttributes.describe(noMcc, true, true, false));
    ImageInfo signed = info.toBuilder().flag(ImageInfoFlag.SECURE_FW, false)
        .flag(ImageInfoFlag.SIGNED_FW, true).flag(ImageInfoFlag.DEBUG_FW, false).build();
    assertEquals("signed-fw", SecurityAttributes.describe(signed, true, true, false));
    ImageInfo neither = signed.toBuilder().flag(ImageInfoFlag.SIGNED_FW, false)
        .flag(ImageInfoFlag.DEBUG_FW, true).build();
    assertEquals("N/A", SecurityAttributes.describe(neither, true, true, false));
  }

  @Test
  void deviceTypesKnowTheirIds() {
    assertEquals(0x212, DeviceType.byCliName("cx6dx").orElseThrow().hwId());
    assertEquals(DeviceType.CX6DX, DeviceType.byCliName("CX6-DX").orElseThrow());
    assertEquals(DeviceType.CX7, DeviceType.byHwId(0x218).orElseThrow());
    assertEquals(DeviceType.CX5, DeviceType.byHwId(0x1020D).orElseThrow());
    assertTrue(DeviceType.byCliName("cx9").isEmpty());
    assertEquals(0x209, DeviceType.CX4.hwId());
    assertEquals(0x20B, DeviceType.CX4LX.hwId());
    assertEquals(0x20F, DeviceType.CX6.hwId());
    assertEquals(0x216, DeviceType.CX6LX.hwId());
    assertTrue(DeviceType.cliNames().startsWith("cx4, cx4lx, cx5"));
    assertEquals(ImageInfoFlag.SECURE_FW, ImageInfoFlag.byFieldName("secure_fw").orElseThrow());
  }
}
