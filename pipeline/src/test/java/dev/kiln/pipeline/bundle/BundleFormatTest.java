package dev.kiln.pipeline.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.section.FwVersion;
import dev.kiln.keys.SampleKey;
import dev.kiln.pipeline.report.CheckFinding;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundle container on its own: signing, deterministic layout, offline verification and every
 * tamper case. The image bytes here are arbitrary because the container does not interpret them;
 * the CLI tests bundle real FS4 images.
 */
class BundleFormatTest {
  static final Instant CREATED = Instant.parse("2026-11-25T07:00:00Z");

  @TempDir static Path dir;
  static DocumentSigner signer;
  static DocumentSigner otherSigner;
  static TrustedKeys trust;

  @BeforeAll
  static void keys() throws Exception {
    signer = TestSigners.sample(SampleKey.RSA_2048, dir);
    otherSigner = TestSigners.sample(SampleKey.RSA_4096, dir);
    trust = TrustedKeys.load(List.of(TestSigners.samplePublic(SampleKey.RSA_2048, dir)));
  }

  static BundleWriter.Content image(String name, String version, byte fill) {
    byte[] bytes = new byte[4096];
    java.util.Arrays.fill(bytes, fill);
    ManifestImage entry =
        new ManifestImage(
            "images/" + name, bytes.length, BundleReader.sha512Hex(bytes), "MT_0000000528",
            List.of(0x212), FwVersion.parse(version), 1,
            List.of("6f065e04bb0b43349d90f62cea2b3382"),
            List.of(new ManifestImage.TargetResult("lab", true, List.of())));
    return new BundleWriter.Content(entry, bytes);
  }

  static byte[] bundle(DocumentSigner with) throws Exception {
    return BundleWriter.write(
        "22.41.1000", CREATED,
        List.of(image("old.bin", "22.39.1002", (byte) 1), image("new.bin", "22.41.1000", (byte) 2)),
        with);
  }

  static List<String> codes(BundleVerification verification) {
    return verification.findings().stream().map(CheckFinding::code).distinct().toList();
  }

  @Test
  void intactBundleVerifiesAndSelectsTheHighestVersionNumerically() throws Exception {
    BundleVerification verification = BundleReader.verify(bundle(signer), trust);
    assertEquals(List.of(), verification.findings());
    assertTrue(verification.verified());
    ManifestImage chosen = verification.select("MT_0000000528", 0x212).orElseThrow();
    // 22.41.1000 beats 22.39.1002 although "1002" > "1000" as text.
    assertEquals("images/new.bin", chosen.path());
    assertEquals(4096, verification.imageBytes(chosen).length);
    assertTrue(verification.select("MT_0000000528", 0x20f).isEmpty());
    assertTrue(verification.select("MT_OTHER", 0x212).isEmpty());
  }

  @Test
  void sameInputsGiveTheSameBytes() throws Exception {
    assertArrayEquals(bundle(signer), bundle(signer));
  }

  @Test
  void entriesHaveFixedTimesAndOrder() throws Exception {
    List<String> names = new ArrayList<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bundle(signer)))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        names.add(e.getName());
        assertEquals(BundleLayout.ENTRY_TIME, e.getTimeLocal());
        assertEquals(ZipEntry.STORED, e.getMethod());
      }
    }
    assertEquals(
        List.of("manifest.json", "manifest.sig", "images/old.bin", "images/new.bin"), names);
  }

  @Test
  void changedImageByteFails() throws Exception {
    byte[] tampered = rewrite(bundle(signer), entries -> entries.get("images/new.bin")[100] ^= 1);
    BundleVerification verification = BundleReader.verify(tampered, trust);
    assertEquals(List.of(BundleCodes.IMAGE_DIGEST_MISMATCH), codes(verification));
    assertFalse(verification.verified());
    assertTrue(verification.select("MT_0000000528", 0x212).isEmpty());
  }

  @Test
  void swappedImagesFail() throws Exception {
    byte[] tampered =
        rewrite(
            bundle(signer),
            entries -> {
              byte[] old = entries.get("images/old.bin");
              entries.put("images/old.bin", entries.get("images/new.bin"));
              entries.put("images/new.bin", old);
            });
    assertEquals(
        List.of(BundleCodes.IMAGE_DIGEST_MISMATCH),
        codes(BundleReader.verify(tampered, trust)));
  }

  @Test
  void changedManifestFails() throws Exception {
    byte[] tampered =
        rewrite(
            bundle(signer),
            entries -> {
              String manifest = new String(entries.get("manifest.json"), StandardCharsets.UTF_8);
              entries.put(
                  "manifest.json",
                  manifest.replace("\"securityVersion\" : 1", "\"securityVersion\" : 9")
                      .getBytes(StandardCharsets.UTF_8));
            });
    assertEquals(List.of(BundleCodes.BAD_SIGNATURE), codes(BundleReader.verify(tampered, trust)));
  }

  @Test
  void signatureReplacedByAnotherKeysFailsAsUnknownKey() throws Exception {
    byte[] foreign = bundle(otherSigner);
    Map<String, byte[]> foreignEntries = entries(foreign);
    byte[] tampered =
        rewrite(
            bundle(signer),
            entries -> entries.put("manifest.sig", foreignEntries.get("manifest.sig")));
    assertEquals(List.of(BundleCodes.UNKNOWN_KEY), codes(BundleReader.verify(tampered, trust)));
  }

  @Test
  void signatureOfAnotherManifestBySameKeyFails() throws Exception {
    byte[] other =
        BundleWriter.write(
            "other", CREATED, List.of(image("x.bin", "22.41.1000", (byte) 7)), signer);
    byte[] otherSig = entries(other).get("manifest.sig");
    byte[] tampered = rewrite(bundle(signer), entries -> entries.put("manifest.sig", otherSig));
    assertEquals(List.of(BundleCodes.BAD_SIGNATURE), codes(BundleReader.verify(tampered, trust)));
  }

  @Test
  void bundleOfUntrustedSignerFails() throws Exception {
    assertEquals(
        List.of(BundleCodes.UNKNOWN_KEY), codes(BundleReader.verify(bundle(otherSigner), trust)));
  }

  @Test
  void removedImageFails() throws Exception {
    byte[] tampered = rewrite(bundle(signer), entries -> entries.remove("images/old.bin"));
    assertEquals(List.of(BundleCodes.IMAGE_MISSING), codes(BundleReader.verify(tampered, trust)));
  }

  @Test
  void removedSignatureFails() throws Exception {
    byte[] tampered = rewrite(bundle(signer), entries -> entries.remove("manifest.sig"));
    assertEquals(
        List.of(BundleCodes.SIGNATURE_MISSING), codes(BundleReader.verify(tampered, trust)));
  }

  @Test
  void extraEntryFails() throws Exception {
    byte[] tampered =
        rewrite(bundle(signer), entries -> entries.put("images/extra.bin", new byte[] {1}));
    assertEquals(List.of(BundleCodes.EXTRA_ENTRY), codes(BundleReader.verify(tampered, trust)));
  }

  @Test
  void zipSlipNamesFail() throws Exception {
    for (String name : List.of("../evil.bin", "/etc/evil", "images/../../evil", "C:\\evil")) {
      byte[] tampered = rewrite(bundle(signer), entries -> entries.put(name, new byte[] {1}));
      assertEquals(
          List.of(BundleCodes.UNSAFE_ENTRY_NAME), codes(BundleReader.verify(tampered, trust)),
          name);
    }
  }

  @Test
  void removedManifestFails() throws Exception {
    byte[] tampered = rewrite(bundle(signer), entries -> entries.remove("manifest.json"));
    BundleVerification verification = BundleReader.verify(tampered, trust);
    assertFalse(verification.verified());
    assertTrue(codes(verification).contains(BundleCodes.MANIFEST_INVALID), codes(verification)
        .toString());
  }

  @Test
  void duplicateEntryNamesFail() throws Exception {
    byte[] withExtra =
        rewrite(bundle(signer), entries -> entries.put("images/nex.bin", new byte[] {9}));
    // The JDK's zip writer refuses duplicate names, so rename the extra entry in place (local
    // header and central directory) to collide with images/new.bin.
    byte[] from = "images/nex.bin".getBytes(StandardCharsets.US_ASCII);
    byte[] to = "images/new.bin".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i + from.length <= withExtra.length; i++) {
      if (java.util.Arrays.equals(withExtra, i, i + from.length, from, 0, from.length)) {
        System.arraycopy(to, 0, withExtra, i, to.length);
      }
    }
    assertTrue(
        codes(BundleReader.verify(withExtra, trust)).contains(BundleCodes.DUPLICATE_ENTRY),
        codes(BundleReader.verify(withExtra, trust)).toString());
  }

  @Test
  void notAZipIsUnreadable() {
    assertThrows(
        IOException.class,
        () -> BundleReader.verify("not a zip".getBytes(StandardCharsets.US_ASCII), trust));
  }

  @Test
  void ambiguousImagesAreRefusedAtCreation() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                BundleWriter.write(
                    "v", CREATED,
                    List.of(
                        image("a.bin", "22.41.1000", (byte) 1),
                        image("b.bin", "22.41.1000", (byte) 2)),
                    signer));
    assertTrue(e.getMessage().contains("ambiguous"), e.getMessage());
  }

  static Map<String, byte[]> entries(byte[] zipBytes) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(zipBytes))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        entries.put(e.getName(), zip.readAllBytes());
      }
    }
    return entries;
  }

  /** Unpacks, lets {@code change} edit the entries, and packs again (deflated, like a tool). */
  static byte[] rewrite(byte[] zipBytes, Consumer<Map<String, byte[]>> change)
      throws IOException {
    Map<String, byte[]> entries = entries(zipBytes);
    change.accept(entries);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return out.toByteArray();
  }
}
