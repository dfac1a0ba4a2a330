package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.emulator.DeviceIdentity;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.signer.fs4.KeyUuid;
import dev.kiln.signer.fs4.PublicKeysFile;
import dev.kiln.signer.pem.PemKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Images and devices for the burner's CLI tests: each image is built with the inspector's writer
 * (through {@link SampleFirmware}), given the sample RSA-2048 public key (NOT FOR PRODUCTION) and
 * signed with {@code kiln sign} itself; each device is an emulator directory running an image.
 */
final class BurnTestImages {
  static final KeyUuid TRUSTED = KeyUuid.parse(SampleKey.RSA_2048.uuid().toString());
  static final String UNTRUSTED = "00112233-4455-6677-8899-aabbccddeeff";

  private BurnTestImages() {}

  /** The output of one in-process {@code kiln} run. */
  record Run(int exitCode, String out, String err) {}

  static Run kiln(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KilnCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  /** Builds an unsigned image that trusts the sample key. */
  static Path unsigned(Path dir, SampleFirmware.Spec spec, String name) throws Exception {
    Files.createDirectories(dir);
    Path out = dir.resolve(name + "-unsigned.bin");
    SampleFirmware.buildUnsigned(
        spec,
        new PublicKeysFile.Key(
            PemKeys.readPublicKey(SampleKey.RSA_2048.publicKeyPem(), "sample key"), TRUSTED),
        out);
    return out;
  }

  /** Builds and signs ({@code kiln sign}, sample key) an image under {@code keyUuid}. */
  static Path signed(Path dir, SampleFirmware.Spec spec, String name, String keyUuid)
      throws Exception {
    Path unsigned = unsigned(dir, spec, name);
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_2048, Files.createTempDirectory(dir, "k"));
    Path out = dir.resolve(name + ".bin");
    Run run =
        kiln(
            "sign", unsigned.toString(), "--key", "file:" + key, "--key-uuid", keyUuid,
            "--allow-sample-keys", "--out", out.toString(),
            "--audit-log", dir.resolve("audit.jsonl").toString());
    assertEquals(0, run.exitCode(), run.err());
    return out;
  }

  static Path signed(Path dir, SampleFirmware.Spec spec, String name) throws Exception {
    return signed(dir, spec, name, TRUSTED.toString());
  }

  /** A CX6DX device with the sample PSID running {@code image}. */
  static Path device(Path dir, Path image) throws Exception {
    EmulatedDevice.create(
        dir,
        new DeviceIdentity(SampleFirmware.DEVICE, SampleFirmware.PSID, 0x0002C9ABCDEFL,
            Math.max(2L << 20, Long.highestOneBit(Files.size(image) * 2 - 1) * 2), 0),
        Files.readAllBytes(image));
    return dir;
  }
}
