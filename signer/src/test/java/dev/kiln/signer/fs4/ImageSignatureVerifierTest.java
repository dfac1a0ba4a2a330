package dev.kiln.signer.fs4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.format.Crc16;
import dev.kiln.inspector.format.Dwords;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.SigningServices;
import dev.kiln.signer.fs4.Fs4ImageSigner.PreparedImage;
import dev.kiln.signer.fs4.Fs4ImageSigner.SigningKey;
import dev.kiln.signer.fs4.SignatureReport.Status;
import dev.kiln.signer.fs4.internal.PublicKeyEntries;
import dev.kiln.testkit.Mstflint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSignatureVerifierTest {
  private static final KeyUuid UUID_2048 = KeyUuid.parse("11111111-2222-3333-4444-555555555555");
  private static final KeyUuid UUID_4096 = KeyUuid.parse("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");

  @TempDir Path dir;

  private Path sign(Fs4Fixtures.Spec spec, String name, SampleKey... keys) throws Exception {
    Path input = dir.resolve(name + ".bin");
    Files.write(input, Fs4Fixtures.build(spec));
    List<SigningService> services = new ArrayList<>();
    List<SigningKey> signingKeys = new ArrayList<>();
    try {
      for (SampleKey key : keys) {
        SigningService service =
            SigningServices.open(
                "file:" + SampleKeys.writePrivateKey(key, dir), KeyOptions.defaults());
        services.add(service);
        signingKeys.add(new SigningKey(service, key.bits() == 4096 ? UUID_4096 : UUID_2048));
      }
      Path output = dir.resolve(name + ".signed.bin");
      try (PreparedImage prepared = Fs4ImageSigner.sign(input, output, signingKeys)) {
        prepared.commit();
      }
      return output;
    } finally {
      services.forEach(SigningService::close);
    }
  }

  private TrustStore pemTrust(SampleKey... keys) throws Exception {
    TrustStore store = TrustStore.empty();
    for (SampleKey key : keys) {
      store = store.plus(TrustStore.load(SampleKeys.writePublicKey(key, dir)));
    }
    return store;
  }

  private static SignatureReport report(Path image, TrustStore trust) throws Exception {
    Fs4Image parsed = ImageParser.parse(image);
    return ImageSignatureVerifier.verify(parsed, trust);
  }

  private static Status status(SignatureReport report, String section) {
    return report.entries().stream()
        .filter(e -> e.sectionName().equals(section))
        .findFirst()
        .orElseThrow()
        .status();
  }

  @Test
  void signaturesVerifyAgainstPemKeys() throws Exception {
    Path signed = sign(Fs4Fixtures.v1(), "two", SampleKey.RSA_2048, SampleKey.RSA_4096);
    SignatureReport report = report(signed, pemTrust(SampleKey.RSA_2048, SampleKey.RSA_4096));
    assertEquals(Status.VERIFIED, status(report, "IMAGE_SIGNATURE_256"));
    assertEquals(Status.VERIFIED, status(report, "IMAGE_SIGNATURE_512"));
    assertEquals(UUID_4096, report.entries().get(1).keyUuid().orElseThrow());
    assertTrue(report.passes());
  }

  @Test
  void unsignedImageIsNotSigned() throws Exception {
    Path image = dir.resolve("plain.bin");
    Files.write(image, Fs4Fixtures.build(Fs4Fixtures.v1()));
    SignatureReport report = report(image, pemTrust(SampleKey.RSA_4096));
    assertFalse(report.isSigned());
    assertFalse(report.passes());
    assertEquals(Status.EMPTY, status(report, "IMAGE_SIGNATURE_512"));
  }

  @Test
  void tamperedImageDoesNotVerify() throws Exception {
    Path signed = sign(Fs4Fixtures.v1(), "tamper", SampleKey.RSA_4096);
    byte[] bytes = Files.readAllBytes(signed);
    // Change one byte of HW_BOOT_CFG (first section after IMAGE_INFO) and fix its CRC so that the
    // image stays structurally valid: only the signature can notice.
    int sectionAt = Fs4Fixtures.FIRST_SECTION_AT + 0x400;
    bytes[sectionAt + 5] ^= 0x40;
    int entryAt = Fs4Fixtures.TOC_AT + 0x40;
    int crc = Crc16.sw(bytes, sectionAt, 0x100);
    Dwords.put(bytes, entryAt + 0x18, (Dwords.get(bytes, entryAt + 0x18) & 0xFFFF0000) | crc);
    Dwords.put(bytes, entryAt + 0x1C, Crc16.sw(bytes, entryAt, 0x1C));
    Files.write(signed, bytes);
    assertEquals(0, Mstflint.require().verify(signed).exitCode());
    SignatureReport report = report(signed, pemTrust(SampleKey.RSA_4096));
    assertEquals(Status.NOT_COVERING, status(report, "IMAGE_SIGNATURE_512"));
    assertFalse(report.passes());
  }

  @Test
  void corruptSignatureIsBad() throws Exception {
    Path signed = sign(Fs4Fixtures.v1(), "corrupt", SampleKey.RSA_2048);
    Fs4Image parsed = ImageParser.parse(signed);
    long at =
        parsed
            .sectionsOf(dev.kiln.inspector.format.SectionType.IMAGE_SIGNATURE_256)
            .get(0)
            .offset();
    byte[] bytes = Files.readAllBytes(signed);
    bytes[(int) at + 0x30] ^= 1;
    Files.write(signed, bytes);
    SignatureReport report = report(signed, pemTrust(SampleKey.RSA_2048));
    assertEquals(Status.BAD_SIGNATURE, status(report, "IMAGE_SIGNATURE_256"));
  }

  @Test
  void imageKeysCarryUuidsAndUnknownUuidsFail() throws Exception {
    Path signed = sign(Fs4Fixtures.v1(), "uuid", SampleKey.RSA_4096);
    TrustStore pem = pemTrust(SampleKey.RSA_4096);
    byte[] section = new byte[0x1100];
    byte[] entry = PublicKeyEntries.encode(pem.keys().get(0).key(), UUID_4096);
    System.arraycopy(entry, 0, section, 0, entry.length);
    SignatureReport good = report(signed, TrustStore.fromPublicKeysSection(section, "keys"));
    assertEquals(Status.VERIFIED, status(good, "IMAGE_SIGNATURE_512"));

    byte[] other = PublicKeyEntries.encode(pem.keys().get(0).key(), UUID_2048);
    System.arraycopy(other, 0, section, 0, other.length);
    SignatureReport unknown = report(signed, TrustStore.fromPublicKeysSection(section, "keys"));
    assertEquals(Status.UNKNOWN_KEY, status(unknown, "IMAGE_SIGNATURE_512"));
    assertFalse(unknown.passes());

    // The image's own PUBLIC_KEYS_4096 section, set through set-public-keys.
    Path withKeys = dir.resolve("withkeys.bin");
    System.arraycopy(entry, 0, section, 0, entry.length);
    try (PreparedImage prepared = Fs4ImageSigner.setPublicKeys(signed, withKeys, section)) {
      prepared.commit();
    }
    Path resigned = dir.resolve("resigned.bin");
    try (SigningService service =
            SigningServices.open(
                "file:" + SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir),
                KeyOptions.defaults());
        PreparedImage prepared =
            Fs4ImageSigner.sign(withKeys, resigned, List.of(new SigningKey(service, UUID_4096)))) {
      prepared.commit();
    }
    Fs4Image parsed = ImageParser.parse(resigned);
    SignatureReport own = ImageSignatureVerifier.verify(parsed, TrustStore.fromImage(parsed));
    assertEquals(Status.VERIFIED, status(own, "IMAGE_SIGNATURE_512"));
  }

  @Test
  void hashesTableSignaturesVerifyAsSigned() throws Exception {
    for (SampleKey[] keys :
        List.of(
            new SampleKey[] {SampleKey.RSA_4096},
            new SampleKey[] {SampleKey.RSA_2048},
            new SampleKey[] {SampleKey.RSA_2048, SampleKey.RSA_4096})) {
      Path signed = sign(Fs4Fixtures.v2(), "v2-" + keys.length + keys[0].bits(), keys);
      SignatureReport report = report(signed, pemTrust(SampleKey.RSA_2048, SampleKey.RSA_4096));
      assertTrue(report.passes(), report.toString());
    }
  }

  @Test
  void unkeyedDigestIsRecognised() throws Exception {
    for (Fs4Fixtures.Spec spec : List.of(Fs4Fixtures.v1(), Fs4Fixtures.v2())) {
      Path input = dir.resolve("d" + spec.hashesTable() + ".bin");
      Files.write(input, Fs4Fixtures.build(spec));
      Path output = dir.resolve("d" + spec.hashesTable() + ".out.bin");
      try (PreparedImage prepared = Fs4ImageSigner.insertDigest(input, output)) {
        prepared.commit();
      }
      SignatureReport report = report(output, TrustStore.empty());
      assertEquals(Status.DIGEST_OK, status(report, "IMAGE_SIGNATURE_256"), report.toString());
      assertFalse(report.isSigned());
    }
  }

  @Test
  void secureBootSignaturesVerifyAgainstTheTrustedKey() throws Exception {
    Path output = secureBootSigned(Fs4Fixtures.v1(), "sb");
    SignatureReport trusted = report(output, pemTrust(SampleKey.RSA_4096));
    for (String part : List.of("boot", "critical", "non-critical")) {
      assertEquals(Status.VERIFIED, status(trusted, "RSA_4096_SIGNATURES (" + part + ")"));
    }
    assertEquals(Status.VERIFIED, status(trusted, "IMAGE_SIGNATURE_512"));
    assertEquals(Status.EMPTY, status(trusted, "IMAGE_SIGNATURE_256"));
    assertTrue(trusted.passes(), trusted.toString());
    SignatureReport other = report(output, pemTrust(SampleKey.RSA_2048));
    assertEquals(Status.UNKNOWN_KEY, status(other, "RSA_4096_SIGNATURES"));
    assertFalse(other.passes());
  }

  @Test
  void secureBootV2BootSignatureVerifiesAndCoversTheBootRecord() throws Exception {
    Path output = secureBootSigned(Fs4Fixtures.v2(), "sb2");
    SignatureReport trusted = report(output, pemTrust(SampleKey.RSA_4096));
    assertEquals(Status.VERIFIED, status(trusted, "RSA_4096_SIGNATURES (boot)"), trusted.toString());
    assertEquals(Status.VERIFIED, status(trusted, "IMAGE_SIGNATURE_512"), trusted.toString());
    assertTrue(trusted.passes(), trusted.toString());

    // The boot record is covered by the boot signature only (no CRC, no ITOC section).
    byte[] tampered = Files.readAllBytes(output);
    int bootRecord = java.nio.ByteBuffer.wrap(tampered).getInt(0x18);
    tampered[bootRecord + 7] ^= 0x01;
    Path changed = dir.resolve("sb2.tampered.bin");
    Files.write(changed, tampered);
    SignatureReport report = report(changed, pemTrust(SampleKey.RSA_4096));
    assertEquals(
        Status.NOT_COVERING, status(report, "RSA_4096_SIGNATURES (boot)"), report.toString());
    assertFalse(report.passes());
  }

  /** A fixture image signed by {@code rsa_sign}'s method with the RSA-4096 sample key. */
  private Path secureBootSigned(Fs4Fixtures.Spec spec, String name) throws Exception {
    Path input = dir.resolve(name + ".bin");
    Files.write(input, Fs4Fixtures.build(spec));
    Path output = dir.resolve(name + ".signed.bin");
    try (SigningService service =
            SigningServices.open(
                "file:" + SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir),
                KeyOptions.defaults());
        PreparedImage prepared =
            Fs4ImageSigner.signSecureBoot(input, output, new SigningKey(service, UUID_4096))) {
      prepared.commit();
    }
    return output;
  }
}
