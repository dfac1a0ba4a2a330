package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.signer.fs4.Fs4Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln verify --trust / --trust-image-keys / --require-signed} and inspect's checks. */
class SignVerifyTrustTest {
  private static final String UUID = "cafe0000-0000-0000-0000-00000000beef";

  @TempDir Path dir;

  private Path signed(String name) throws Exception {
    Path image = dir.resolve(name);
    Files.write(image, Fs4Fixtures.build(Fs4Fixtures.v1()));
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir);
    SignCommandTest.Run run =
        SignCommandTest.kiln(
            "sign",
            image.toString(),
            "--key",
            "file:" + key,
            "--key-uuid",
            UUID,
            "--allow-sample-keys");
    assertEquals(0, run.exitCode(), run.err());
    return image;
  }

  @Test
  void trustedPemKeyPassesAndOtherKeyFails() throws Exception {
    Path image = signed("s.bin");
    Path good = SampleKeys.writePublicKey(SampleKey.RSA_4096, dir);
    SignCommandTest.Run ok =
        SignCommandTest.kiln("verify", image.toString(), "--trust", good.toString());
    assertEquals(0, ok.exitCode(), ok.out() + ok.err());
    assertTrue(ok.out().contains("SIGNATURE_VERIFIED"), ok.out());

    Path other = SampleKeys.writePublicKey(SampleKey.RSA_2048, dir);
    SignCommandTest.Run unknown =
        SignCommandTest.kiln("verify", image.toString(), "--trust", other.toString());
    assertEquals(ExitCodes.CHECK_FAILED, unknown.exitCode());
    assertTrue(unknown.out().contains("SIGNATURE_UNKNOWN_KEY"), unknown.out());
  }

  @Test
  void unsignedImageFailsOnlyWhenASignatureIsRequired() throws Exception {
    Path image = dir.resolve("plain.bin");
    Files.write(image, Fs4Fixtures.build(Fs4Fixtures.v1()));
    assertEquals(0, SignCommandTest.kiln("verify", image.toString()).exitCode());
    SignCommandTest.Run required =
        SignCommandTest.kiln("verify", image.toString(), "--require-signed");
    assertEquals(ExitCodes.CHECK_FAILED, required.exitCode());
    assertTrue(required.out().contains("SIGNATURE_MISSING"), required.out());
    Path key = SampleKeys.writePublicKey(SampleKey.RSA_4096, dir);
    assertEquals(
        ExitCodes.CHECK_FAILED,
        SignCommandTest.kiln("verify", image.toString(), "--trust", key.toString()).exitCode());
  }

  @Test
  void changedBytesAfterSigningFail() throws Exception {
    Path image = signed("t.bin");
    // Re-set FORBIDDEN_VERSIONS after signing: structurally fine, but no longer what was signed.
    Path forbidden = dir.resolve("fv.bin");
    Files.write(forbidden, new byte[0x100]);
    assertEquals(
        0,
        SignCommandTest.kiln("set-forbidden-versions", image.toString(), forbidden.toString())
            .exitCode());
    Path key = SampleKeys.writePublicKey(SampleKey.RSA_4096, dir);
    SignCommandTest.Run run =
        SignCommandTest.kiln("verify", image.toString(), "--trust", key.toString());
    assertEquals(ExitCodes.CHECK_FAILED, run.exitCode());
    assertTrue(run.out().contains("SIGNATURE_NOT_COVERING"), run.out());
  }

  @Test
  void imageKeysAndInspect() throws Exception {
    Path image = signed("k.bin");
    Path pub = SampleKeys.writePublicKey(SampleKey.RSA_4096, dir);
    Path keys = dir.resolve("keys.bin");
    assertEquals(
        0,
        SignCommandTest.kiln(
                "keys",
                "pack",
                "--out",
                keys.toString(),
                "--size",
                "0x1100",
                "--key",
                pub.toString(),
                "--uuid",
                UUID)
            .exitCode());
    SignCommandTest.Run noKeys =
        SignCommandTest.kiln("verify", image.toString(), "--trust-image-keys");
    assertEquals(ExitCodes.CHECK_FAILED, noKeys.exitCode(), noKeys.out());
    // set-public-keys on a signed-fw = 0 image rewrites the digest; sign again afterwards.
    assertEquals(
        0, SignCommandTest.kiln("set-public-keys", image.toString(), keys.toString()).exitCode());
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir);
    assertEquals(
        0,
        SignCommandTest.kiln(
                "sign",
                image.toString(),
                "--key",
                "file:" + key,
                "--key-uuid",
                UUID,
                "--allow-sample-keys")
            .exitCode());
    SignCommandTest.Run own =
        SignCommandTest.kiln("verify", image.toString(), "--trust-image-keys");
    assertEquals(0, own.exitCode(), own.out());
    SignCommandTest.Run section =
        SignCommandTest.kiln("verify", image.toString(), "--trust", keys.toString());
    assertEquals(0, section.exitCode(), section.out());

    SignCommandTest.Run inspect = SignCommandTest.kiln("inspect", image.toString());
    assertTrue(
        inspect
            .out()
            .contains(
                "IMAGE_SIGNATURE_512 check: key UUID "
                    + UUID
                    + ", verifies with image PUBLIC_KEYS_4096 entry 0"),
        inspect.out());
    SignCommandTest.Run json = SignCommandTest.kiln("inspect", image.toString(), "--json");
    assertTrue(
        json.out().contains("\"status\" : \"VERIFIED\"")
            || json.out().contains("\"status\":\"VERIFIED\""),
        json.out());
  }

  @Test
  void unreadableTrustFileIsExit3AndNonKeyIsExit4() throws Exception {
    Path image = signed("u.bin");
    assertEquals(
        ExitCodes.UNREADABLE_INPUT,
        SignCommandTest.kiln(
                "verify", image.toString(), "--trust", dir.resolve("missing.pem").toString())
            .exitCode());
    Path junk = dir.resolve("junk.bin");
    Files.write(junk, new byte[64]);
    assertEquals(
        ExitCodes.KEY_ACCESS,
        SignCommandTest.kiln("verify", image.toString(), "--trust", junk.toString()).exitCode());
  }
}
