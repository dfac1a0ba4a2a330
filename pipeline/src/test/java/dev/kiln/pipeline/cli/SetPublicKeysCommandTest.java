package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.signer.fs4.Fs4Fixtures;
import dev.kiln.testkit.Mstflint;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SetPublicKeysCommandTest {
  @TempDir Path dir;

  private Path keysFile(SampleKey key, String size) throws Exception {
    Path keys = dir.resolve("keys-" + key.bits() + ".bin");
    assertEquals(
        0,
        SignCommandTest.kiln(
                "keys",
                "pack",
                "--out",
                keys.toString(),
                "--size",
                size,
                "--key",
                SampleKeys.writePublicKey(key, dir).toString(),
                "--uuid",
                "ab".repeat(16))
            .exitCode());
    return keys;
  }

  @Test
  void matchesMstflintForBothKeySizesAndSignedFw() throws Exception {
    for (boolean signedFw : new boolean[] {false, true}) {
      for (SampleKey key : SampleKey.values()) {
        Path keys = keysFile(key, key.bits() == 4096 ? "0x1100" : "0x900");
        byte[] image = Fs4Fixtures.build(Fs4Fixtures.v2().withSignedFw(signedFw));
        Path reference = dir.resolve("ref.bin");
        Path ours = dir.resolve("ours.bin");
        Files.write(reference, image);
        Files.write(ours, image);
        Mstflint.Result vendor =
            Mstflint.require().onImage(reference, "set_public_keys", keys.toString());
        assertEquals(0, vendor.exitCode(), vendor.output());
        SignCommandTest.Run run =
            SignCommandTest.kiln("set-public-keys", ours.toString(), keys.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(ours));
        assertTrue(
            run.out().contains(signedFw ? "sign it again" : "updated the image digest"), run.out());
        assertTrue(Files.exists(dir.resolve("ours.bin.kiln-audit.jsonl")));
      }
    }
  }

  @Test
  void wrongSizeAndTypeAreRefusedWithoutWriting() throws Exception {
    Path image = dir.resolve("image.bin");
    byte[] bytes = Fs4Fixtures.build(Fs4Fixtures.v1());
    Files.write(image, bytes);
    Path keys = keysFile(SampleKey.RSA_4096, "0x1200");
    SignCommandTest.Run size =
        SignCommandTest.kiln("set-public-keys", image.toString(), keys.toString());
    assertEquals(ExitCodes.CHECK_FAILED, size.exitCode());
    assertEquals(
        "kiln: the public keys file has 4608 bytes but the image's PUBLIC_KEYS_4096"
            + " section has 4352\n",
        size.err());
    Path junk = dir.resolve("junk.bin");
    Files.write(junk, new byte[0x1100]);
    SignCommandTest.Run type =
        SignCommandTest.kiln("set-public-keys", image.toString(), junk.toString());
    assertEquals(ExitCodes.CHECK_FAILED, type.exitCode());
    assertTrue(type.err().contains("key type 0"), type.err());
    assertArrayEquals(bytes, Files.readAllBytes(image));
  }
}
