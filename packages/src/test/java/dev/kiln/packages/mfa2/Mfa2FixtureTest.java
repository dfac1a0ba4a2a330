package dev.kiln.packages.mfa2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.format.Fs4Magic;
import dev.kiln.testkit.SharedFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The archive the vendor's mstarchive 4.36 made from two images (fixture {@code mfa2}): our reader
 * gives what mstarchive's dump lists, and our writer, given the same images, version and creation
 * time, writes the same structure.
 */
class Mfa2FixtureTest {
  private static final Path FIXTURE = SharedFixtures.directory("mfa2");

  @Test
  void readsTheVendorsArchiveAsItsDumpListsIt() throws Exception {
    Mfa2Archive archive = Mfa2Reader.read(FIXTURE.resolve("two-psids.mfa2"));
    assertEquals(
        Files.readString(FIXTURE.resolve("two-psids.mfa2.dump.txt")).strip(),
        Mfa2Dump.text(archive).strip());
    for (String psid : List.of("MT_0000000359", "MT_0000000999")) {
      List<Mfa2Component> components = archive.componentsFor(psid);
      assertEquals(1, components.size());
      byte[] stored = Files.readAllBytes(FIXTURE.resolve("two-psids." + psid + ".component.bin"));
      assertArrayEquals(stored, components.get(0).image(), psid);
      byte[] masked = stored.clone();
      Fs4Magic.mask(masked, 0);
      assertArrayEquals(masked, components.get(0).data(), "stored with the magic masked");
    }
    assertTrue(archive.componentsFor("MT_0000000000").isEmpty());
  }

  @Test
  void writesTheStructureMstarchiveWritesForTheSameImages() throws Exception {
    byte[] vendor = Files.readAllBytes(FIXTURE.resolve("two-psids.mfa2"));
    byte[] ours = ours();
    assertEquals(Mfa2Reader.read(vendor, "vendor"), Mfa2Reader.read(ours, "ours"));
    int descriptorsEnd = 0x140;
    assertEquals(descriptorsEnd, blockOffset(ours));
    assertArrayEquals(
        withoutCompressedFields(Arrays.copyOf(vendor, descriptorsEnd)),
        withoutCompressedFields(Arrays.copyOf(ours, descriptorsEnd)),
        "the descriptors differ only in the compressed size and the digests over it");
  }

  @Test
  void writesTheSameBytesForTheSameInputs() throws Exception {
    assertArrayEquals(ours(), ours());
  }

  static byte[] ours() throws Exception {
    List<Fs4Image> images = List.of(
        ImageParser.parse(Files.readAllBytes(FIXTURE.resolve("source-MT_0000000999.bin")), "999"),
        ImageParser.parse(Files.readAllBytes(FIXTURE.resolve("source-MT_0000000359.bin")), "359"));
    return Mfa2Writer.toBytes(
        Mfa2Images.archive("1.0.0", LocalDateTime.parse("2026-12-04T02:28:05"), images));
  }

  private static int blockOffset(byte[] archive) {
    return ((archive[0x20] & 0xff) << 24) | ((archive[0x21] & 0xff) << 16)
        | ((archive[0x22] & 0xff) << 8) | (archive[0x23] & 0xff);
  }

  /** Zeroes cb_archive_size and both SHA-256 values: what depends on the compressor's bytes. */
  private static byte[] withoutCompressedFields(byte[] descriptors) {
    Arrays.fill(descriptors, 0x24, 0x28, (byte) 0);
    Arrays.fill(descriptors, 0x4c, 0x6c, (byte) 0);
    Arrays.fill(descriptors, 0x70, 0x90, (byte) 0);
    return descriptors;
  }
}
