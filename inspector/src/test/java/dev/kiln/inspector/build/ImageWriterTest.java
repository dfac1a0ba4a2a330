package dev.kiln.inspector.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.format.Crc16;
import dev.kiln.inspector.format.HashesTable;
import dev.kiln.inspector.format.HwPointer;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.format.TocHeader;
import dev.kiln.inspector.section.DevInfo;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ImageInfo;
import dev.kiln.inspector.section.MfgInfo;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageWriterTest {
  @TempDir Path dir;

  private static ImageDescription.Builder cx6dx() {
    return ImageWriterMstflintTest.base(DeviceType.CX6DX, "22.41.1000", 1 << 20);
  }

  @Test
  void everyDescribedFactReadsBackThroughTheSectionDecoders() throws Exception {
    ImageDescription d = cx6dx().vsd("image vsd").deviceVsd("device vsd")
        .reserve(ReservedSection.FORBIDDEN_VERSIONS)
        .forbiddenVersions(new ForbiddenVersions(
            List.of(ForbiddenVersions.Range.of(FwVersion.parse("22.39.1002")))))
        .build();
    Path image = dir.resolve("a.bin");
    ImageWriter.write(d, image, false);
    Fs4Image parsed = ImageParser.parse(image);
    ImageInfo info =
        ImageInfo.decode(parsed.bodyBytes(parsed.section(SectionType.IMAGE_INFO).orElseThrow()));
    assertEquals(d.fwVersion(), info.fwVersion());
    assertEquals(d.releaseDate(), info.releaseDate());
    assertEquals(d.psid(), info.psid());
    assertEquals(d.partNumber(), info.name());
    assertEquals(d.description(), info.description());
    assertEquals(d.prsName(), info.prsName());
    assertEquals("image vsd", info.vsd());
    assertEquals(d.flags(), info.flags());
    assertEquals(DeviceType.CX6DX, info.device().orElseThrow());
    assertEquals(0x101D, info.pciDeviceId());
    assertEquals(3, info.minorVersion());
    MfgInfo mfg = MfgInfo.decode(parsed.bodyBytes(parsed.section(SectionType.MFG_INFO)
        .orElseThrow()));
    assertEquals(d.psid(), mfg.psid());
    assertEquals(d.guids(), mfg.guids());
    List<DevInfo> devInfos = parsed.sectionsOf(SectionType.DEV_INFO).stream()
        .map(s -> decodeDevInfo(parsed.bodyBytes(s))).toList();
    assertEquals(2, devInfos.size());
    assertEquals(1, devInfos.stream().filter(DevInfo::signatureValid).count());
    DevInfo valid = devInfos.stream().filter(DevInfo::signatureValid).findFirst().orElseThrow();
    assertEquals(d.macs(), valid.macs());
    assertEquals("device vsd", valid.vsd());
    assertEquals(d.forbiddenVersions(), ForbiddenVersions.decode(
        parsed.bodyBytes(parsed.section(SectionType.FORBIDDEN_VERSIONS).orElseThrow())));
    assertEquals(d.securityVersion(), parsed.securityVersion());
    long imageInfoAt = parsed.section(SectionType.IMAGE_INFO).orElseThrow().offset();
    assertEquals(imageInfoAt, parsed.hwPointer(HwPointer.IMAGE_INFO_SECTION));
  }

  private static DevInfo decodeDevInfo(byte[] body) {
    try {
      return DevInfo.decode(body);
    } catch (dev.kiln.inspector.section.SectionFormatException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void layoutFollowsTheDocumentedPlan() throws Exception {
    ImageLayout layout = ImageWriter.plan(cx6dx().reserve(ReservedSection.values()).build());
    assertEquals(0x400, layout.bootRecordOffset());
    assertEquals(0x500, layout.toolsOffset());
    assertEquals(0x1000, layout.boot2Offset());
    assertEquals(0x2000, layout.itocOffset());
    assertEquals((1 << 20) - 0x1000, layout.dtocOffset());
    assertEquals(0, layout.hashesTableOffset());
    assertEquals(0x16, layout.log2SlotSize());
    for (ImageLayout.Placement p : layout.sectionsOf(TocHeader.Kind.ITOC)) {
      assertEquals(0, p.offset() % 0x80, p.name() + " is 0x80-aligned");
      assertTrue(p.offset() >= layout.itocOffset() + 0x2000);
    }
    assertEquals(1, layout.section(TocHeader.Kind.ITOC, 0xA5).orElseThrow().crcMode(),
        "HMAC_DIGEST carries no CRC: sign_with_hmac does not update it");
    assertEquals(List.of((1L << 20) - 0x3000, (1L << 20) - 0x4000, (1L << 20) - 0x2000),
        layout.sectionsOf(TocHeader.Kind.DTOC).stream().map(ImageLayout.Placement::offset)
            .toList());
    assertEquals(0x19, ImageWriter.plan(cx6dx().imageSize(64 << 20).build()).log2SlotSize());
  }

  @Test
  void hashesTableHoldsTheHashesOfSectionsAndItoc() throws Exception {
    ImageDescription d = ImageWriterMstflintTest.base(DeviceType.CX7, "28.41.1000", 1 << 20)
        .hashesTable(true).reserve(ReservedSection.IMAGE_SIGNATURE_256).build();
    Path image = dir.resolve("v2.bin");
    ImageLayout layout = ImageWriter.write(d, image, false);
    Fs4Image parsed = ImageParser.parse(image);
    HashesTable table = parsed.hashesTable().orElseThrow();
    assertTrue(table.headerCrcOk() && table.tableCrcOk());
    byte[] bytes = Files.readAllBytes(image);
    int htoc = (int) layout.hashesTableOffset() + HashesTable.HTOC_OFFSET;
    MessageDigest sha = MessageDigest.getInstance("SHA-512");
    List<Integer> types = table.entries().stream().map(HashesTable.Entry::sectionType).toList();
    assertEquals(List.of(0xFD, 0x10, 0x08, 0x04, 0x03), types, "ITOC first; signatures unhashed");
    for (HashesTable.Entry entry : table.entries()) {
      byte[] stored = Arrays.copyOfRange(bytes, htoc + entry.hashOffset(),
          htoc + entry.hashOffset() + 64);
      byte[] expected;
      if (entry.sectionType() == 0xFD) {
        int entries = parsed.itoc().orElseThrow().sections().size();
        expected = sha.digest(Arrays.copyOfRange(bytes, (int) layout.itocOffset(),
            (int) layout.itocOffset() + 0x20 * (entries + 1)));
      } else {
        ImageLayout.Placement p =
            layout.section(TocHeader.Kind.ITOC, entry.sectionType()).orElseThrow();
        expected = sha.digest(Arrays.copyOfRange(bytes, (int) p.offset(), (int) p.end()));
      }
      assertArrayEquals(expected, stored, "hash of type " + entry.sectionType());
    }
  }

  @Test
  void sameDescriptionGivesTheSameBytes() throws Exception {
    ImageDescription d = cx6dx().reserve(ReservedSection.values())
        .section(SectionSpec.random(SectionType.DBG_FW_INI, 0x3000, 99)).build();
    Path first = dir.resolve("1.bin");
    Path second = dir.resolve("2.bin");
    ImageWriter.write(d, first, false);
    ImageWriter.write(d, second, false);
    assertEquals(-1, Files.mismatch(first, second));
    Path other = dir.resolve("3.bin");
    ImageWriter.write(cx6dx().reserve(ReservedSection.values())
        .section(SectionSpec.random(SectionType.DBG_FW_INI, 0x3000, 100)).build(), other, false);
    assertTrue(Files.mismatch(first, other) >= 0, "another seed gives other bytes");
  }

  @Test
  void payloadFilesAreStreamedAndPaddedToWholeDwords() throws Exception {
    byte[] payload = new byte[200_003];
    new java.util.Random(5).nextBytes(payload);
    Path file = dir.resolve("main.bin");
    Files.write(file, payload);
    ImageDescription d = cx6dx()
        .section(new SectionSpec(SectionType.FW_MAIN_CFG.code(), new SectionContent.FromFile(file)))
        .build();
    Path image = dir.resolve("img.bin");
    ImageLayout layout = ImageWriter.write(d, image, false);
    ImageLayout.Placement p = layout.section(TocHeader.Kind.ITOC, 0x12).orElseThrow();
    assertEquals(200_004, p.size());
    byte[] bytes = Files.readAllBytes(image);
    byte[] body = Arrays.copyOfRange(bytes, (int) p.offset(), (int) p.end());
    assertArrayEquals(payload, Arrays.copyOf(body, payload.length));
    assertEquals(0, body[body.length - 1]);
    Fs4Image parsed = ImageParser.parse(image);
    assertEquals(Crc16.sw(body),
        parsed.section(SectionType.FW_MAIN_CFG).orElseThrow().entry().sectionCrc());
  }

  @Test
  void refusesToOverwriteWithoutPermission() throws Exception {
    Path image = dir.resolve("exists.bin");
    Files.writeString(image, "keep me");
    FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
        () -> ImageWriter.write(cx6dx().build(), image, false));
    assertTrue(e.getMessage().contains("already exists"));
    assertEquals("keep me", Files.readString(image));
    ImageWriter.write(cx6dx().build(), image, true);
    assertEquals(1 << 20, Files.size(image));
    assertNoTemporaryFiles();
  }

  @Test
  void failuresLeaveNoFile() throws Exception {
    Path image = dir.resolve("never.bin");
    ImageDescription missingPayload = cx6dx().section(new SectionSpec(0x03,
        new SectionContent.FromFile(dir.resolve("missing.bin")))).build();
    assertThrows(NoSuchFileException.class,
        () -> ImageWriter.write(missingPayload, image, false));
    assertThrows(InvalidDescriptionException.class,
        () -> ImageWriter.write(cx6dx().imageSize(1000).build(), image, false));
    assertThrows(NoSuchFileException.class,
        () -> ImageWriter.write(cx6dx().build(), dir.resolve("no/such/dir/x.bin"), false));
    assertFalse(Files.exists(image));
    assertNoTemporaryFiles();
  }

  private void assertNoTemporaryFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp"))
          .toList());
    }
  }

  @Test
  void invalidDescriptionsGetOneLineReasons() {
    assertInvalid(cx6dx().imageSize(40 * 1024),
        "image size 40960 is below the minimum of 48 KiB (49152)");
    assertInvalid(cx6dx().imageSize(100_000), "image size 100000 is not a multiple of 4 KiB");
    assertInvalid(cx6dx().imageSize(512L << 20),
        "image size 536870912 is above the maximum of 256 MiB");
    assertInvalid(cx6dx().boot2Dwords(2), "BOOT2 size of 2 dwords is outside 4..1048576");
    assertInvalid(cx6dx().hashesTable(true),
        "a hashes table (secure boot v2) needs cx7 or cx8: mstflint cannot sign such an image "
            + "for cx6dx");
    assertInvalid(cx6dx().securityVersion(1L << 32),
        "security version 4294967296 is outside 0..4294967295");
    assertInvalid(cx6dx().psid("P".repeat(17)), "PSID is 17 characters; the field holds 16");
    assertInvalid(cx6dx().section(SectionSpec.filled(SectionType.IMAGE_INFO, 0x400, 0)),
        "section type IMAGE_INFO is written by the image writer itself; reserve it or set its "
            + "fields instead of listing it");
    assertInvalid(cx6dx().section(SectionSpec.filled(SectionType.MAIN_CODE, 6, 0)),
        "section MAIN_CODE size 6 is not a non-negative multiple of 4");
    assertInvalid(cx6dx().section(SectionSpec.filled(SectionType.MAIN_CODE, 8, 256)),
        "section MAIN_CODE fill value 256 is not a byte");
    assertInvalid(cx6dx().imageSize(48 * 1024)
            .section(SectionSpec.filled(SectionType.MAIN_CODE, 0x4000, 0)),
        "section MAIN_CODE (0x4000 bytes) does not fit: the sections need room up to 0x9a00 but "
            + "the image has room up to 0x8000; use a larger image size");
    assertInvalid(cx6dx().imageSize(16 << 20).log2SlotSize(20)
            .section(SectionSpec.filled(SectionType.MAIN_CODE, 2 << 20, 0)),
        "section MAIN_CODE ends at 0x205a00, beyond the 2^20-byte image slot");
    assertInvalid(cx6dx().reserve(ReservedSection.PUBLIC_KEYS_2048).publicKeyEntries(1),
        "1 public-key entries: need 1..64 and at least 0x220 bytes per section (2 entries for "
            + "2048-bit keys)");
    assertInvalid(cx6dx().reserve(ReservedSection.FORBIDDEN_VERSIONS).forbiddenVersionsSize(6),
        "FORBIDDEN_VERSIONS size 6 must be a multiple of 4 from 8 to 65536");
    ImageDescription.Builder many = cx6dx();
    for (int i = 0; i < 63; i++) {
      many.section(SectionSpec.filled(SectionType.MAIN_CODE, 4, 0));
    }
    assertInvalid(many, "67 ITOC sections requested; an ITOC holds at most 63");
  }

  private static void assertInvalid(ImageDescription.Builder builder, String message) {
    InvalidDescriptionException e = assertThrows(InvalidDescriptionException.class,
        () -> ImageWriter.plan(builder.build()));
    assertEquals(message, e.getMessage());
  }
}
