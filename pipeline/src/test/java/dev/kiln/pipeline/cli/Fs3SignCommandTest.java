package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.build.ReservedSection;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.section.ImageInfoFlag;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.pipeline.cli.SignCommandTest.Run;
import dev.kiln.testkit.Mstflint;
import dev.kiln.testkit.SoftHsmToken;
import dev.kiln.testkit.kms.LocalKms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code kiln sign}, {@code verify --trust}, {@code set-public-keys} and {@code
 * set-forbidden-versions} on FS3 (ConnectX-4 Lx) images against mstflint 4.21: the same bytes as
 * {@code mstflint sign} with RSA-2048 (IMAGE_SIGNATURE_256) and RSA-4096 (IMAGE_SIGNATURE_512),
 * through the file, PKCS#11 (SoftHSM) and AWS KMS (local KMS) backends; a 4096-bit key on an
 * image without IMAGE_SIGNATURE_512 and secure-boot signing refused as mstflint refuses them.
 */
class Fs3SignCommandTest {
  private static final Mstflint MSTFLINT = Mstflint.require();
  private static final String UUID = "11111111-2222-3333-4444-555555555555";

  @TempDir Path dir;
  private Path image;

  @BeforeEach
  void build() throws Exception {
    image = dir.resolve("fs3.bin");
    ImageWriter.write(description(true).build(), image, true);
  }

  static ImageDescription.Builder description(boolean with512) {
    ImageDescription.Builder builder =
        Fs3RandomDescriptionsMstflintTest.descriptionBuilder(new Random(77))
            .flag(ImageInfoFlag.SIGNED_FW, false)
            .reserved(java.util.Set.of())
            .reserve(ReservedSection.IMAGE_SIGNATURE_256, ReservedSection.PUBLIC_KEYS_2048,
                ReservedSection.PUBLIC_KEYS_4096, ReservedSection.FORBIDDEN_VERSIONS);
    return with512 ? builder.reserve(ReservedSection.IMAGE_SIGNATURE_512) : builder;
  }

  @ParameterizedTest
  @EnumSource(value = SampleKey.class, names = {"RSA_2048", "RSA_4096"})
  void fileKeysSignAsMstflintDoes(SampleKey key) throws Exception {
    Path pem = SampleKeys.writePrivateKey(key, Files.createTempDirectory(dir, "k"));
    Path byMstflint = mstflint(image, "--private_key", pem.toString(), "--key_uuid", UUID, "sign");
    Path byKiln = kilnSign("file:" + pem, "kiln.bin");
    assertArrayEquals(Files.readAllBytes(byMstflint), Files.readAllBytes(byKiln));
    assertEquals(0, MSTFLINT.verify(byKiln).exitCode());

    Path trusted = SampleKeys.writePublicKey(key, Files.createTempDirectory(dir, "pub"));
    Run verify = SignCommandTest.kiln("verify", byKiln.toString(), "--trust", trusted.toString(),
        "--json");
    assertEquals(0, verify.exitCode(), verify.out() + verify.err());
    assertTrue(verify.out().contains("SIGNATURE_VERIFIED"), verify.out());
    // One flipped byte of a signed section: the signature no longer verifies.
    byte[] bytes = Files.readAllBytes(byKiln);
    var section = ImageParser.parse(byKiln).section(SectionType.IMAGE_INFO).orElseThrow();
    bytes[(int) section.offset()] ^= 1;
    Path tampered = Files.write(dir.resolve("tampered.bin"), bytes);
    Run bad = SignCommandTest.kiln("verify", tampered.toString(), "--trust", trusted.toString());
    assertEquals(ExitCodes.CHECK_FAILED, bad.exitCode(), bad.out());
    assertTrue(bad.out().contains("SIGNATURE_"), bad.out());
  }

  @Test
  void pkcs11AndKmsKeysWriteTheSameBytes() throws Exception {
    Path pem = SampleKeys.writePrivateKey(SampleKey.RSA_2048, dir);
    Path byFile = kilnSign("file:" + pem, "file.bin");
    SoftHsmToken token = SoftHsmToken.create("kiln-fs3-sign", SampleKey.RSA_2048);
    Path byToken = kilnSign(token.uri(SampleKey.RSA_2048), "pkcs11.bin");
    assertArrayEquals(Files.readAllBytes(byFile), Files.readAllBytes(byToken));

    String previousId = System.getProperty("aws.accessKeyId");
    String previousSecret = System.getProperty("aws.secretAccessKey");
    System.setProperty("aws.accessKeyId", LocalKms.ACCESS_KEY_ID);
    System.setProperty("aws.secretAccessKey", LocalKms.SECRET_ACCESS_KEY);
    try (LocalKms kms = LocalKms.start()) {
      String keyId = kms.importKey(SampleKey.RSA_2048.privateKeyPem(), "SIGN_VERIFY");
      Path byKms = kilnSign("awskms:///" + keyId, "kms.bin", "--kms-region", kms.region(),
          "--kms-endpoint", kms.endpoint().toString());
      assertArrayEquals(Files.readAllBytes(byFile), Files.readAllBytes(byKms));
    } finally {
      SignCommandTest.restore("aws.accessKeyId", previousId);
      SignCommandTest.restore("aws.secretAccessKey", previousSecret);
    }
  }

  /** mstflint: "ITOC entry type: IMAGE_SIGNATURE_512 (163) not found"; kiln names the section. */
  @Test
  void a4096BitKeyWithoutImageSignature512IsRefusedAsByMstflint() throws Exception {
    Path without = dir.resolve("no512.bin");
    ImageWriter.write(description(false).build(), without, true);
    Path pem = SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir);
    Path copy = dir.resolve("no512-mstflint.bin");
    Files.copy(without, copy);
    Mstflint.Result reference =
        MSTFLINT.onImage(copy, "--private_key", pem.toString(), "--key_uuid", UUID, "sign");
    assertNotEquals(0, reference.exitCode());
    assertTrue(reference.output().contains("IMAGE_SIGNATURE_512 (163) not found"),
        reference.output());
    Path out = dir.resolve("no512-kiln.bin");
    Run run = SignCommandTest.kiln("sign", without.toString(), "--key", "file:" + pem,
        "--key-uuid", UUID, "--out", out.toString(), "--allow-sample-keys");
    assertEquals(ExitCodes.CHECK_FAILED, run.exitCode(), run.err());
    assertEquals("kiln: the image has no IMAGE_SIGNATURE_512 section (ITOC type 0xA3)\n",
        run.err());
    assertFalse(Files.exists(out));
  }

  /** mstflint: "Image signing is applicable only for selected FW images" (rsa_sign on FS3). */
  @Test
  void secureBootSigningIsRefused() throws Exception {
    Path pem = SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir);
    Path out = dir.resolve("sb.bin");
    Run run = SignCommandTest.kiln("sign", image.toString(), "--secure-boot", "--key",
        "file:" + pem, "--key-uuid", UUID, "--out", out.toString(), "--allow-sample-keys");
    assertEquals(ExitCodes.CHECK_FAILED, run.exitCode(), run.err());
    assertTrue(run.err().startsWith("kiln: ") && run.err().contains("FS4 images only"),
        run.err());
    assertFalse(Files.exists(out));
  }

  /**
   * The ITOC only at a later 4 KiB boundary, random bytes (no ITOC signature) at the first one:
   * mstflint's signed data holds the 0x20 bytes it read there, and so does kiln's.
   */
  @Test
  void anItocFoundAtALaterBoundarySignsAsMstflintDoes() throws Exception {
    var parsed = ImageParser.parse(image);
    int itoc = (int) parsed.itoc().orElseThrow().headerOffset();
    int length = 0x20 * (parsed.itoc().orElseThrow().sections().size() + 2);
    long sectionsEnd = parsed.sections().stream().filter(s -> s.entry().fs3RelativeAddr())
        .mapToLong(s -> s.offset() + s.size()).max().orElseThrow();
    int moved = (int) ((sectionsEnd + 0xFFF) / 0x1000 * 0x1000);
    byte[] bytes = Files.readAllBytes(image);
    System.arraycopy(bytes, itoc, bytes, moved, length);
    java.util.Arrays.fill(bytes, itoc, itoc + length, (byte) 0xFF);
    byte[] noise = new byte[0x20];
    new Random(3).nextBytes(noise);
    noise[0] = 0x12; // not "ITOC"
    System.arraycopy(noise, 0, bytes, itoc, noise.length);
    Files.write(image, bytes);
    assertEquals(0, MSTFLINT.verify(image).exitCode());
    Path pem = SampleKeys.writePrivateKey(SampleKey.RSA_2048, dir);
    Path byMstflint = mstflint(image, "--private_key", pem.toString(), "--key_uuid", UUID, "sign");
    Path byKiln = kilnSign("file:" + pem, "moved-kiln.bin");
    assertArrayEquals(Files.readAllBytes(byMstflint), Files.readAllBytes(byKiln));
  }

  /** Without a FORBIDDEN_VERSIONS section both refuse set_forbidden_versions, kiln clearly. */
  @Test
  void setForbiddenVersionsWithoutTheSectionIsRefusedByBoth() throws Exception {
    Path without = dir.resolve("no-forbidden.bin");
    ImageWriter.write(description(true).reserved(java.util.Set.of())
        .reserve(ReservedSection.IMAGE_SIGNATURE_256, ReservedSection.PUBLIC_KEYS_2048).build(),
        without, true);
    Path file = Files.write(dir.resolve("forbidden.bin"), new byte[0x100]);
    Path copy = dir.resolve("no-forbidden-mstflint.bin");
    Files.copy(without, copy);
    Mstflint.Result reference = MSTFLINT.onImage(copy, "set_forbidden_versions", file.toString());
    assertNotEquals(0, reference.exitCode(), reference.output());
    Path out = dir.resolve("no-forbidden-kiln.bin");
    Run run = SignCommandTest.kiln("set-forbidden-versions", without.toString(), file.toString(),
        "--out", out.toString());
    assertEquals(ExitCodes.CHECK_FAILED, run.exitCode(), run.err());
    assertTrue(run.err().startsWith("kiln: ") && run.err().contains("FORBIDDEN_VERSIONS"),
        run.err());
    assertFalse(Files.exists(out));
  }

  /** set_public_keys then set_forbidden_versions (each refreshing the unkeyed digest). */
  @Test
  void setPublicKeysAndForbiddenVersionsAsMstflintDoes() throws Exception {
    var parsed = ImageParser.parse(image);
    byte[] keys = new byte[(int) parsed.section(SectionType.PUBLIC_KEYS_2048).orElseThrow().size()];
    new Random(5).nextBytes(keys);
    keys[0] = 0;
    keys[1] = 0;
    keys[2] = 0;
    keys[3] = 3; // a 2048-bit key list
    Path keysFile = Files.write(dir.resolve("keys.bin"), keys);
    Path byMstflint = mstflint(image, "set_public_keys", keysFile.toString());
    Path byKiln = dir.resolve("keys-kiln.bin");
    Run run = SignCommandTest.kiln("set-public-keys", image.toString(), keysFile.toString(),
        "--out", byKiln.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertArrayEquals(Files.readAllBytes(byMstflint), Files.readAllBytes(byKiln));

    byte[] forbidden =
        new byte[(int) parsed.section(SectionType.FORBIDDEN_VERSIONS).orElseThrow().size()];
    new Random(6).nextBytes(forbidden);
    Path forbiddenFile = Files.write(dir.resolve("forbidden.bin"), forbidden);
    Path byMstflint2 = mstflint(byKiln, "set_forbidden_versions", forbiddenFile.toString());
    Path byKiln2 = dir.resolve("forbidden-kiln.bin");
    run = SignCommandTest.kiln("set-forbidden-versions", byKiln.toString(),
        forbiddenFile.toString(), "--out", byKiln2.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertArrayEquals(Files.readAllBytes(byMstflint2), Files.readAllBytes(byKiln2));
    assertEquals(0, MSTFLINT.verify(byKiln2).exitCode());
  }

  private Path kilnSign(String key, String name, String... extra) throws Exception {
    Path out = dir.resolve(name);
    List<String> args = new ArrayList<>(List.of("sign", image.toString(), "--key", key,
        "--key-uuid", UUID, "--out", out.toString(), "--allow-sample-keys"));
    args.addAll(List.of(extra));
    Run run = SignCommandTest.kiln(args.toArray(String[]::new));
    assertEquals(0, run.exitCode(), run.err());
    return out;
  }

  /** mstflint on a copy of {@code input}; returns the copy. */
  private Path mstflint(Path input, String... args) throws Exception {
    Path copy = Files.createTempFile(dir, "mstflint", ".bin");
    Files.copy(input, copy, StandardCopyOption.REPLACE_EXISTING);
    Mstflint.Result result = MSTFLINT.onImage(copy, args);
    assertEquals(0, result.exitCode(), result.output());
    return copy;
  }
}
