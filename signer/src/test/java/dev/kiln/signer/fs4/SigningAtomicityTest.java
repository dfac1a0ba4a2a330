package dev.kiln.signer.fs4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.signer.DigestAlgorithm;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.SigningServices;
import dev.kiln.signer.fs4.Fs4ImageSigner.PreparedImage;
import dev.kiln.signer.fs4.Fs4ImageSigner.SigningKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On any failure the input stays as it was and neither an output nor a temporary file remains. */
class SigningAtomicityTest {
  @TempDir Path dir;

  /** A real PEM key whose signatures come back damaged, as a faulty HSM or wrong KMS key would. */
  private static final class DamagingService implements SigningService {
    private final SigningService real;

    DamagingService(SigningService real) {
      this.real = real;
    }

    @Override
    public String describe() {
      return "damaging:" + real.describe();
    }

    @Override
    public String backend() {
      return real.backend();
    }

    @Override
    public RSAPublicKey publicKey() throws KeyAccessException {
      return real.publicKey();
    }

    @Override
    public byte[] signDigest(DigestAlgorithm algorithm, byte[] digest) throws KeyAccessException {
      byte[] signature = real.signDigest(algorithm, digest);
      signature[signature.length / 2] ^= 1;
      return signature;
    }

    @Override
    public Optional<String> lastRequestId() {
      return Optional.empty();
    }

    @Override
    public void close() {
      real.close();
    }
  }

  private Path input() throws IOException {
    Path input = dir.resolve("in.bin");
    Files.write(input, Fs4Fixtures.build(Fs4Fixtures.v1()));
    return input;
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(p -> !p.getFileName().toString().endsWith(".pem")).sorted().toList();
    }
  }

  @Test
  void aSignatureThatDoesNotVerifyWritesNothing() throws Exception {
    Path input = input();
    byte[] before = Files.readAllBytes(input);
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir);
    try (SigningService service =
        new DamagingService(SigningServices.open("file:" + key, KeyOptions.defaults()))) {
      KeyAccessException failure =
          assertThrows(
              KeyAccessException.class,
              () ->
                  Fs4ImageSigner.sign(
                      input,
                      input,
                      List.of(new SigningKey(service, KeyUuid.parse("0".repeat(32))))));
      assertTrue(failure.getMessage().contains("does not verify"), failure.getMessage());
    }
    assertArrayEquals(before, Files.readAllBytes(input));
    assertEquals(List.of(input), files());
  }

  @Test
  void missingSectionFailsBeforeAnyCopy() throws Exception {
    Path input = dir.resolve("in.bin");
    Files.write(input, Fs4Fixtures.build(Fs4Fixtures.v1().without(0xA3)));
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir);
    Path output = dir.resolve("out.bin");
    try (SigningService service = SigningServices.open("file:" + key, KeyOptions.defaults())) {
      ImageSigningException failure =
          assertThrows(
              ImageSigningException.class,
              () ->
                  Fs4ImageSigner.sign(
                      input,
                      output,
                      List.of(new SigningKey(service, KeyUuid.parse("1".repeat(32))))));
      assertEquals(
          "the image has no IMAGE_SIGNATURE_512 section (ITOC type 0xA3)", failure.getMessage());
    }
    assertFalse(Files.exists(output));
    assertEquals(List.of(input), files());
  }

  @Test
  void anImageWithABadSectionCrcIsRefusedAfterTheWork() throws Exception {
    byte[] image = Fs4Fixtures.build(Fs4Fixtures.v1());
    image[Fs4Fixtures.FIRST_SECTION_AT + 0x500] ^= 1; // inside PCIE_LINK_CODE; its CRC now fails
    Path input = dir.resolve("in.bin");
    Files.write(input, image);
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir);
    Path output = dir.resolve("out.bin");
    try (SigningService service = SigningServices.open("file:" + key, KeyOptions.defaults())) {
      ImageSigningException failure =
          assertThrows(
              ImageSigningException.class,
              () ->
                  Fs4ImageSigner.sign(
                      input,
                      output,
                      List.of(new SigningKey(service, KeyUuid.parse("3".repeat(32))))));
      assertTrue(failure.getMessage().contains("fails verification"), failure.getMessage());
      assertTrue(failure.getMessage().contains("PCIE_LINK_CODE"), failure.getMessage());
    }
    assertArrayEquals(image, Files.readAllBytes(input));
    assertEquals(List.of(input), files());
  }

  @Test
  void closingWithoutCommitLeavesNoOutput() throws Exception {
    Path input = input();
    byte[] before = Files.readAllBytes(input);
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_2048, dir);
    Path output = dir.resolve("out.bin");
    try (SigningService service = SigningServices.open("file:" + key, KeyOptions.defaults());
        PreparedImage prepared =
            Fs4ImageSigner.sign(
                input, output, List.of(new SigningKey(service, KeyUuid.parse("2".repeat(32)))))) {
      // A failing audit log (or anything else) between prepare and commit: no commit.
      assertEquals(1, prepared.signatures().size());
      assertFalse(Files.exists(output));
    }
    assertFalse(Files.exists(output));
    assertArrayEquals(before, Files.readAllBytes(input));
    assertEquals(List.of(input), files());
  }

  @Test
  void wrongSizeForbiddenVersionsFileIsRefused() throws Exception {
    Path input = input();
    ImageSigningException failure =
        assertThrows(
            ImageSigningException.class,
            () -> Fs4ImageSigner.setForbiddenVersions(input, input, new byte[0x104]));
    assertEquals(
        "the forbidden versions file has 260 bytes but the image's FORBIDDEN_VERSIONS section"
            + " has 256",
        failure.getMessage());
    assertEquals(List.of(input), files());
  }

  @Test
  void hashesTableImagesOfOtherChipsAreRefused() throws Exception {
    Fs4Fixtures.Spec cx7 = Fs4Fixtures.v2();
    Fs4Fixtures.Spec cx6dx =
        new Fs4Fixtures.Spec(cx7.size(), true, 0x212, false, false, cx7.sections());
    Path input = dir.resolve("in.bin");
    Files.write(input, Fs4Fixtures.build(cx6dx));
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir);
    try (SigningService service = SigningServices.open("file:" + key, KeyOptions.defaults())) {
      ImageSigningException failure =
          assertThrows(
              ImageSigningException.class,
              () ->
                  Fs4ImageSigner.sign(
                      input,
                      input,
                      List.of(new SigningKey(service, KeyUuid.parse("4".repeat(32))))));
      assertTrue(failure.getMessage().contains("0x212"), failure.getMessage());
    }
    assertEquals(List.of(input), files());
  }
}
