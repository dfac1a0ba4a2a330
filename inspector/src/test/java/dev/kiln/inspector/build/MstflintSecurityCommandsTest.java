package dev.kiln.inspector.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.ImageVerifier;
import dev.kiln.inspector.VerificationResult;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ImageInfo;
import dev.kiln.inspector.section.ImageInfoFlag;
import dev.kiln.inspector.section.ImageSignature;
import dev.kiln.inspector.section.PublicKeys;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.testkit.Mstflint;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mstflint's own security commands ({@code sign}, {@code set_public_keys}, {@code
 * set_forbidden_versions}) succeed on images the writer built — they need the reserved sections
 * of fs4-format.md §16 — and leave images that both mstflint and kiln still verify. The sections
 * mstflint rewrote decode with kiln's section classes to what was put in.
 */
class MstflintSecurityCommandsTest {
  private static final Mstflint MSTFLINT = Mstflint.require();

  @TempDir Path dir;

  private Path build(DeviceType device, boolean hashesTable, boolean signedFw) throws Exception {
    ImageDescription description =
        ImageWriterMstflintTest.base(device, "22.41.1000", 1 << 20)
            .hashesTable(hashesTable)
            .flag(ImageInfoFlag.SECURE_FW, !signedFw)
            .flag(ImageInfoFlag.SIGNED_FW, signedFw)
            .reserve(ReservedSection.values())
            .build();
    Path image = dir.resolve(device.cliName() + (hashesTable ? "-v2" : "") + ".bin");
    ImageWriter.write(description, image, false);
    return image;
  }

  @Test
  void unkeyedSignStoresTheDigestAndKeepsTheImageValid() throws Exception {
    Path image = build(DeviceType.CX6DX, false, false);
    run(image, "sign");
    assertStillValid(image);
    ImageSignature signature = ImageSignature.decode(ImageSignature.Kind.SIGNATURE_256,
        body(image, SectionType.IMAGE_SIGNATURE_256));
    assertFalse(signature.isEmpty(), "sign must have stored a SHA-256 digest");
    byte[] tail = Arrays.copyOfRange(signature.signature(), 32, 256);
    assertArrayEquals(new byte[tail.length], tail, "the unkeyed digest fills only 32 bytes");
  }

  @Test
  void signWith2048And4096KeysOnV1Image() throws Exception {
    Path image = build(DeviceType.CX6DX, false, true);
    signWith(image, SampleKey.RSA_2048);
    ImageSignature sig256 = ImageSignature.decode(ImageSignature.Kind.SIGNATURE_256,
        body(image, SectionType.IMAGE_SIGNATURE_256));
    assertArrayEquals(uuidBytes(SampleKey.RSA_2048.uuid()), sig256.keypairUuid());
    assertStillValid(image);

    signWith(image, SampleKey.RSA_4096);
    ImageSignature sig512 = ImageSignature.decode(ImageSignature.Kind.SIGNATURE_512,
        body(image, SectionType.IMAGE_SIGNATURE_512));
    assertArrayEquals(uuidBytes(SampleKey.RSA_4096.uuid()), sig512.keypairUuid());
    assertTrue(ImageSignature.decode(ImageSignature.Kind.SIGNATURE_256,
        body(image, SectionType.IMAGE_SIGNATURE_256)).isEmpty(),
        "a 4096-bit sign zeroes IMAGE_SIGNATURE_256");
    assertStillValid(image);
  }

  @Test
  void signWith4096KeyOnCx7HashesTableImage() throws Exception {
    Path image = build(DeviceType.CX7, true, true);
    signWith(image, SampleKey.RSA_4096);
    assertStillValid(image);
    ImageSignature sig512 = ImageSignature.decode(ImageSignature.Kind.SIGNATURE_512,
        body(image, SectionType.IMAGE_SIGNATURE_512));
    assertArrayEquals(uuidBytes(SampleKey.RSA_4096.uuid()), sig512.keypairUuid());
  }

  @Test
  void setPublicKeysAcceptsKilnEncodedKeyLists() throws Exception {
    for (boolean hashesTable : new boolean[] {false, true}) {
      Path image = build(hashesTable ? DeviceType.CX7 : DeviceType.CX6DX, hashesTable, false);
      for (SampleKey key : SampleKey.values()) {
        PublicKeys.Kind kind =
            key.bits() == 2048 ? PublicKeys.Kind.KEYS_2048 : PublicKeys.Kind.KEYS_4096;
        List<PublicKeys.Entry> entries = new ArrayList<>();
        entries.add(PublicKeys.Entry.firmwareKey(kind, 0x10001, uuidBytes(key.uuid()),
            modulus(key, kind.modulusLength())));
        while (entries.size() < PublicKeys.DEFAULT_ENTRIES) {
          entries.add(PublicKeys.Entry.unused(kind));
        }
        PublicKeys keys = new PublicKeys(kind, entries);
        Path file = dir.resolve("keys-" + key.bits() + ".bin");
        Files.write(file, keys.encode());
        run(image, "set_public_keys", file.toString());
        assertEquals(keys, PublicKeys.decode(kind, body(image, kind.sectionType())));
        assertStillValid(image);
      }
    }
  }

  @Test
  void setForbiddenVersionsAcceptsKilnLayout() throws Exception {
    for (boolean hashesTable : new boolean[] {false, true}) {
      Path image = build(hashesTable ? DeviceType.CX7 : DeviceType.CX6DX, hashesTable, false);
      ForbiddenVersions forbidden = new ForbiddenVersions(List.of(
          ForbiddenVersions.Range.of(FwVersion.parse("22.39.1002")),
          new ForbiddenVersions.Range(FwVersion.parse("22.40.1000"),
              FwVersion.parse("22.40.1999"))));
      Path file = dir.resolve("forbidden.bin");
      Files.write(file, forbidden.encode(ForbiddenVersions.DEFAULT_SECTION_SIZE));
      run(image, "set_forbidden_versions", file.toString());
      ForbiddenVersions back =
          ForbiddenVersions.decode(body(image, SectionType.FORBIDDEN_VERSIONS));
      assertEquals(forbidden, back);
      assertTrue(back.forbids(FwVersion.parse("22.40.1500")));
      assertFalse(back.forbids(FwVersion.parse("22.41.1000")));
      assertStillValid(image);
    }
  }

  private static void signWith(Path image, SampleKey key) throws Exception {
    Path pem = SampleKeys.writePrivateKey(key, image.getParent().resolve("keys"));
    run(image, "--private_key", pem.toString(), "--key_uuid", key.uuid().toString(), "sign");
  }

  private static void run(Path image, String... args) {
    Mstflint.Result result = MSTFLINT.onImage(image, args);
    assertEquals(0, result.exitCode(), () -> String.join(" ", args) + ": " + result.output());
  }

  /** mstflint and kiln both still accept the image, and query still prints the same facts. */
  private static void assertStillValid(Path image) throws Exception {
    Mstflint.Result verify = MSTFLINT.verify(image);
    assertEquals(0, verify.exitCode(), verify.output());
    Fs4Image parsed = ImageParser.parse(image);
    VerificationResult result = ImageVerifier.verify(parsed);
    assertTrue(result.errors().isEmpty(), () -> "kiln findings: " + result.errors());
    Mstflint.Result query = MSTFLINT.queryFull(image);
    ImageInfo info = ImageInfo.decode(body(image, SectionType.IMAGE_INFO));
    assertEquals(info.fwVersion().toString(), query.field("FW Version"));
    assertEquals(info.psid(), query.field("PSID"));
    assertEquals("22.41.1000", query.field("FW Version"));
  }

  private static byte[] body(Path image, SectionType type) throws Exception {
    Fs4Image parsed = ImageParser.parse(image);
    return parsed.bodyBytes(parsed.section(type).orElseThrow());
  }

  private static byte[] uuidBytes(UUID uuid) {
    return ByteBuffer.allocate(16)
        .putLong(uuid.getMostSignificantBits())
        .putLong(uuid.getLeastSignificantBits())
        .array();
  }

  private static byte[] modulus(SampleKey key, int length) throws Exception {
    String base64 = key.publicKeyPem().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    RSAPublicKey publicKey = (RSAPublicKey) KeyFactory.getInstance("RSA")
        .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    byte[] raw = publicKey.getModulus().toByteArray();
    byte[] fixed = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, fixed, length - copy, copy);
    assertEquals(publicKey.getModulus(), new BigInteger(1, fixed));
    return fixed;
  }
}
