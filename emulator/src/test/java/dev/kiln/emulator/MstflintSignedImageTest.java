package dev.kiln.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.inspector.section.FwVersion;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.registers.MccErrorCode;
import dev.kiln.testkit.Mstflint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An independent signer: the device accepts an image signed by the vendor tool ({@code mstflint
 * sign --private_key --key_uuid}) with the trusted key, and rejects the same image signed under an
 * unknown UUID. So the device-side check is not merely agreeing with Kiln's own signer.
 */
class MstflintSignedImageTest {

  @Test
  void deviceAcceptsWhatMstflintSignsWithTheTrustedKey(@TempDir Path work) throws Exception {
    Mstflint mstflint = Mstflint.require();
    byte[] running = TestImages.build(work, TestImages.spec(22, 41, 1000));
    byte[] unsigned =
        TestImages.build(work, TestImages.spec(22, 42, 1010).withSigner(TestImages.Signer.NONE));
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_2048, Files.createTempDirectory(work, "k"));

    Path trusted = work.resolve("trusted.bin");
    Files.write(trusted, unsigned);
    Mstflint.Result signed =
        mstflint.onImage(trusted, "--private_key", key.toString(), "--key_uuid",
            SampleKey.RSA_2048.uuid().toString(), "sign");
    assertEquals(0, signed.exitCode(), signed.output());

    Path foreign = work.resolve("foreign.bin");
    Files.write(foreign, unsigned);
    Mstflint.Result other =
        mstflint.onImage(foreign, "--private_key", key.toString(), "--key_uuid",
            "00112233-4455-6677-8899-aabbccddeeff", "sign");
    assertEquals(0, other.exitCode(), other.output());

    Path dir = work.resolve("dev");
    EmulatedDevice.create(dir, TestImages.identity(), running);
    try (EmulatedDevice device = EmulatedDevice.open(dir)) {
      SimpleHost host = new SimpleHost(device);
      assertEquals(MccErrorCode.REJECTED_UNKNOWN_KEY, host.burn(Files.readAllBytes(foreign)));
      assertEquals(MccErrorCode.OK, host.burn(Files.readAllBytes(trusted)));
      host.reset();
      assertEquals(Optional.of(new FwVersion(22, 42, 1010)), device.runningVersion());
    }
  }
}
