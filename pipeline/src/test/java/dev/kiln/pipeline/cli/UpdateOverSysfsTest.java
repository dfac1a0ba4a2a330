package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.testkit.Mstflint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln devices} and {@code kiln update} with no test seam at all: inside {@code kiln device
 * exec} the host's {@code /sys/bus/pci/devices} is the emulated function (FUSE, private mount
 * namespace), so the listing reads the real sysfs path and the burn goes through {@code
 * SysfsConfigSpace} (JNA), the VSEC gateway and the ICMD mailbox as on a real host. Fails (never
 * skips) without root or /dev/fuse, as {@link DeviceExecCommandTest}.
 */
class UpdateOverSysfsTest {
  static final String OLD = "22.39.1002";
  static final String NEW = "22.41.1000";

  @TempDir static Path dir;
  static Path old;
  static Path bundle;
  static Path trust;

  /** Small images (BurnTestImages.SIZE): every config-space access crosses FUSE here. */
  @BeforeAll
  static void setUp() throws Exception {
    old = BurnTestImages.signed(dir, SampleFirmware.Spec.secure(OLD), "old");
    Path newer = BurnTestImages.signed(dir, SampleFirmware.Spec.secure(NEW), "new");
    trust = SampleKeys.writePublicKey(SampleKey.RSA_2048, dir);
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_2048, dir);
    bundle = dir.resolve("release.kbundle");
    BurnTestImages.Run created =
        BurnTestImages.kiln("bundle", "create", "--out", bundle.toString(), "--key",
            "file:" + key, "--allow-sample-keys", newer.toString());
    assertEquals(0, created.exitCode(), created.err());
  }

  /** {@code kiln device exec DEVICE -- kiln ARGS}. */
  private static Mstflint.Result onTheHost(Path device, String... args) {
    List<String> command = new ArrayList<>(List.of("device", "exec", device.toString(), "--"));
    command.addAll(KilnChildProcess.command(args));
    return KilnChildProcess.run(command.toArray(String[]::new));
  }

  @Test
  void theHostsAdapterIsListedAndUpdatedThroughSysfs() throws Exception {
    Path device = BurnTestImages.device(dir.resolve("dev"), old);
    ObjectMapper mapper = new ObjectMapper();

    Mstflint.Result list = onTheHost(device, "devices", "--json");
    assertEquals(0, list.exitCode(), list.output());
    JsonNode adapters = mapper.readTree(list.stdout()).get("devices");
    assertEquals(1, adapters.size(), list.stdout());
    assertEquals("pci:0000:03:00.0", adapters.get(0).get("device").asText());
    assertEquals("0x101d", adapters.get(0).get("pciDeviceId").asText());
    assertEquals("/dev/mst/mt4125_pciconf0", adapters.get(0).get("mstName").asText());
    assertEquals(SampleFirmware.PSID, adapters.get(0).get("psid").asText(), list.stdout());
    assertEquals(OLD, adapters.get(0).get("runningVersion").asText());

    Mstflint.Result update =
        onTheHost(device, "update", "--bundle", bundle.toString(), "--trust",
            trust.toString(), "--yes", "--json");
    assertEquals(0, update.exitCode(), update.output());
    JsonNode outcome = mapper.readTree(update.stdout()).get("devices").get(0);
    assertEquals("burned", outcome.get("action").asText(), update.stdout());
    assertEquals(NEW, outcome.get("pendingVersionAfter").asText());

    // A new exec powers the device on again: the new image runs, and the same update by the
    // mst name says up to date.
    Mstflint.Result again =
        onTheHost(device, "update", "--device", "/dev/mst/mt4125_pciconf0", "--bundle",
            bundle.toString(), "--trust", trust.toString(), "--yes");
    assertEquals(0, again.exitCode(), again.output());
    assertEquals("pci:0000:03:00.0: up to date (FW " + NEW + ")\n", again.stdout());
  }
}
