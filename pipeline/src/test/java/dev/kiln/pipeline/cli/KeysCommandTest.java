package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.signer.fs4.Fs4Fixtures;
import dev.kiln.testkit.Mstflint;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysCommandTest {
  @TempDir Path dir;

  private static RSAPublicKey publicKey(SampleKey key) throws Exception {
    String pem = key.publicKeyPem().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return (RSAPublicKey)
        KeyFactory.getInstance("RSA")
            .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
  }

  @Test
  void packWritesTheEntryLayoutAndMstflintAcceptsIt() throws Exception {
    Path pub = SampleKeys.writePublicKey(SampleKey.RSA_4096, dir);
    Path keys = dir.resolve("keys.bin");
    SignCommandTest.Run run =
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
            "00112233-4455-6677-8899-aabbccddeeff");
    assertEquals(0, run.exitCode(), run.err());
    byte[] section = Files.readAllBytes(keys);
    assertEquals(0x1100, section.length);
    ByteBuffer words = ByteBuffer.wrap(section);
    assertEquals(0x80000004, words.getInt(0));
    assertEquals(65537, words.getInt(0x0C));
    assertEquals("00112233445566778899aabbccddeeff", HexFormat.of().formatHex(section, 0x10, 0x20));
    assertEquals(
        publicKey(SampleKey.RSA_4096).getModulus(),
        new BigInteger(1, Arrays.copyOfRange(section, 0x20, 0x220)));
    assertTrue(Arrays.equals(new byte[0x1100 - 0x220], Arrays.copyOfRange(section, 0x220, 0x1100)));

    Path image = dir.resolve("image.bin");
    Files.write(image, Fs4Fixtures.build(Fs4Fixtures.v1()));
    Mstflint.Result result = Mstflint.require().onImage(image, "set_public_keys", keys.toString());
    assertEquals(0, result.exitCode(), result.output());
    assertEquals(0, Mstflint.require().verify(image).exitCode());
  }

  @Test
  void packRefusesMixedSizesAndBadSizes() throws Exception {
    Path pub4096 = SampleKeys.writePublicKey(SampleKey.RSA_4096, dir);
    Path pub2048 = SampleKeys.writePublicKey(SampleKey.RSA_2048, dir);
    Path keys = dir.resolve("keys.bin");
    SignCommandTest.Run mixed =
        SignCommandTest.kiln(
            "keys",
            "pack",
            "--out",
            keys.toString(),
            "--size",
            "0x1100",
            "--key",
            pub4096.toString(),
            "--uuid",
            "1".repeat(32),
            "--key",
            pub2048.toString(),
            "--uuid",
            "2".repeat(32));
    assertEquals(ExitCodes.USAGE, mixed.exitCode());
    assertTrue(mixed.err().contains("keys of one size"), mixed.err());
    SignCommandTest.Run small =
        SignCommandTest.kiln(
            "keys",
            "pack",
            "--out",
            keys.toString(),
            "--size",
            "256",
            "--key",
            pub2048.toString(),
            "--uuid",
            "2".repeat(32));
    assertEquals(ExitCodes.USAGE, small.exitCode());
    SignCommandTest.Run unpaired =
        SignCommandTest.kiln(
            "keys",
            "pack",
            "--out",
            keys.toString(),
            "--size",
            "0x900",
            "--key",
            pub2048.toString(),
            "--key",
            pub2048.toString(),
            "--uuid",
            "2".repeat(32));
    assertEquals(ExitCodes.USAGE, unpaired.exitCode());
    assertFalse(Files.exists(keys));
  }

  @Test
  void fingerprintNamesSampleKeys() throws Exception {
    Path pub = SampleKeys.writePublicKey(SampleKey.RSA_2048, dir);
    SignCommandTest.Run run = SignCommandTest.kiln("keys", "fingerprint", pub.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().startsWith(SampleKey.RSA_2048.fingerprint() + "  RSA-2048"), run.out());
    assertTrue(run.out().contains("NOT FOR PRODUCTION"));
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir);
    SignCommandTest.Run fromRef = SignCommandTest.kiln("keys", "fingerprint", "file:" + key);
    assertTrue(fromRef.out().startsWith(SampleKey.RSA_4096.fingerprint()), fromRef.out());
  }

  @Test
  void forbiddenWritesKfv1() throws Exception {
    Path out = dir.resolve("fv.bin");
    SignCommandTest.Run run =
        SignCommandTest.kiln(
            "keys", "forbidden", "--out", out.toString(), "22.39.1002", "22.40.1000-22.40.1999");
    assertEquals(0, run.exitCode(), run.err());
    byte[] body = Files.readAllBytes(out);
    assertEquals(0x100, body.length);
    ForbiddenVersions decoded = ForbiddenVersions.decode(body);
    assertTrue(decoded.forbids(FwVersion.parse("22.39.1002")));
    assertTrue(decoded.forbids(FwVersion.parse("22.40.1500")));
    assertFalse(decoded.forbids(FwVersion.parse("22.41.1000")));
    assertEquals(
        ExitCodes.USAGE,
        SignCommandTest.kiln("keys", "forbidden", "--out", out.toString(), "22.x.1").exitCode());
    assertArrayEquals(body, Files.readAllBytes(out));
  }
}
