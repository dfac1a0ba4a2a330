package dev.kiln.packages.mfa2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageFormat;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.ImageSummary;
import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.build.SectionSpec;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.UidEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An FS3 (ConnectX-4 Lx) image goes into an MFA2 archive masked like an FS4 one and comes out as
 * an FS3 image again: the component reader puts back the magic of the image's own format.
 */
class Mfa2Fs3Test {
  @TempDir Path dir;

  @Test
  void anFs3ImageReadsBackAsFs3() throws Exception {
    Path file = dir.resolve("cx4lx.bin");
    ImageWriter.write(
        ImageDescription.builder(DeviceType.CX4LX, FwVersion.parse("14.32.1010"))
            .format(ImageFormat.FS3)
            .imageSize(1 << 20)
            .psid("MT_2420110034")
            .guids(new UidEntry(0x248a070300b1c200L, 4, 1))
            .macs(UidEntry.mac(0x248a07b1c200L, 4))
            .section(SectionSpec.random(SectionType.MAIN_CODE, 0x2000, 3))
            .build(),
        file, true);
    Fs4Image image = ImageParser.parse(Files.readAllBytes(file), "cx4lx.bin");
    byte[] archive =
        Mfa2Writer.toBytes(
            Mfa2Images.archive("14.32.1010", LocalDateTime.of(2026, 12, 4, 0, 0), List.of(image)));
    Mfa2Component component =
        Mfa2Reader.read(archive, "cx4lx.mfa2").componentsFor("MT_2420110034").get(0);
    Fs4Image back = ImageParser.parse(component.image(), "component");
    assertEquals(ImageFormat.FS3, back.format());
    assertEquals(ImageSummary.of(image).fwVersion(), ImageSummary.of(back).fwVersion());
    assertEquals(ImageSummary.of(image).psid(), ImageSummary.of(back).psid());
  }
}
