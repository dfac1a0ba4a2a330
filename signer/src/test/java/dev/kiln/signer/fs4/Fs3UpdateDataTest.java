package dev.kiln.signer.fs4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageFormat;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.Section;
import dev.kiln.inspector.UpdateComponent;
import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.build.ReservedSection;
import dev.kiln.inspector.build.SectionSpec;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.format.TocEntry;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.signer.fs4.internal.FwUpdateBlob;
import dev.kiln.signer.fs4.internal.LayoutReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two independent computations of mstflint's FS3 image cache agree: the BOOT_IMG component
 * ({@link UpdateComponent}, Fs3Operations::FwExtract4MBImage) with IMAGE_SIGNATURE_256 and its
 * ITOC entry masked is the fw-update data the signer hashes ({@link FwUpdateBlob},
 * Fs3Operations::GetImageDataForSign), which Fs3SignCommandTest shows to be mstflint's. Both stop
 * at the highest relative section (the device data at absolute offsets are not part of it) and
 * mask the magic and the device-data ITOC entries.
 */
class Fs3UpdateDataTest {
  @TempDir Path dir;

  @Test
  void theComponentMaskedForSigningIsTheSignedData() throws Exception {
    Path file = dir.resolve("fs3.bin");
    ImageWriter.write(ImageDescription.builder(DeviceType.CX4, FwVersion.parse("12.28.2006"))
        .format(ImageFormat.FS3)
        .imageSize(256 * 1024)
        .psid("MT_2190110032")
        .section(SectionSpec.random(SectionType.MAIN_CODE, 0x3000, 4))
        .reserve(ReservedSection.IMAGE_SIGNATURE_256, ReservedSection.PUBLIC_KEYS_2048)
        .build(), file, true);
    Fs4Image image = ImageParser.parse(file);
    byte[] component = UpdateComponent.bytes(image);

    long relativeEnd = 0;
    for (Section section : image.itoc().orElseThrow().sections()) {
      if (section.entry().fs3RelativeAddr()) {
        relativeEnd = Math.max(relativeEnd, section.offset() + section.size());
      } else {
        assertTrue(section.entry().fs3DeviceData(), section.toString());
        assertTrue(section.offset() >= component.length, "device data outside the component");
        int entry = (int) section.entryOffset();
        byte[] masked = Arrays.copyOfRange(component, entry, entry + TocEntry.SIZE);
        byte[] erased = new byte[TocEntry.SIZE];
        Arrays.fill(erased, (byte) 0xFF);
        assertArrayEquals(erased, masked, "device-data entry not masked");
      }
    }
    assertEquals(relativeEnd, component.length);

    Section signature = image.section(SectionType.IMAGE_SIGNATURE_256).orElseThrow();
    byte[] expected = component.clone();
    Arrays.fill(expected, (int) signature.entryOffset(),
        (int) signature.entryOffset() + TocEntry.SIZE, (byte) 0xFF);
    Arrays.fill(expected, (int) signature.offset(),
        (int) (signature.offset() + signature.size()), (byte) 0xFF);
    byte[] signed = FwUpdateBlob.of(LayoutReader.of(image), SectionType.IMAGE_SIGNATURE_256.code())
        .toBytes(ByteBuffer.wrap(Files.readAllBytes(file)));
    assertArrayEquals(expected, signed);
  }
}
