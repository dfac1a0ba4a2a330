package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.Sleeper;
import dev.kiln.emulator.DeviceServer;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.pipeline.cli.BurnTestImages.Run;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Recording;
import dev.kiln.registers.RegisterEnvelope;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --record FILE} on a device command, then {@code replay:FILE}: the same command output. */
class RecordReplayTest {
  @TempDir static Path work;
  static Path image;
  static Path newer;

  @BeforeAll
  static void build() throws Exception {
    DeviceOptions.sleeper = millis -> {};
    image = BurnTestImages.signed(work, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    newer = BurnTestImages.signed(work, SampleFirmware.Spec.secure("22.41.1000"), "v2");
  }

  @AfterAll
  static void restore() {
    DeviceOptions.sleeper = Sleeper.REAL;
  }

  /** The output without the Device line / field (which names the URI). */
  static String withoutDevice(String out) {
    return out.replaceAll("(?m)^Device: .*\\n", "").replaceAll("\"device\" : \"[^\"]*\"", "");
  }

  static void assertRoundTrip(String device, Path recording, String... options) {
    String[] record = concat(new String[] {"query", "--device", device, "--record",
        recording.toString()}, options);
    Run recorded = kiln(record);
    assertEquals(0, recorded.exitCode(), recorded.err());
    Run replayed = kiln(concat(new String[] {"query", "--device", "replay:" + recording}, options));
    assertEquals(0, replayed.exitCode(), replayed.err());
    assertEquals(withoutDevice(recorded.out()), withoutDevice(replayed.out()));
    assertTrue(replayed.out().contains("FW Version:             22.39.1002")
        || replayed.out().contains("\"runningVersion\" : \"22.39.1002\""), replayed.out());
  }

  static String[] concat(String[] a, String... b) {
    String[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Test
  void queryRecordedInProcessReplaysToTheSameOutput(@TempDir Path dir) throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), image);
    assertRoundTrip(device, dir.resolve("text.kilnrec"));
    // --json reads the running image back: a whole MCC read session replays too.
    assertRoundTrip(device, dir.resolve("json.kilnrec"), "--json");
  }

  @Test
  void queryRecordedOverTcpReplaysToTheSameOutput(@TempDir Path dir) throws Exception {
    try (EmulatedDevice emulated =
            EmulatedDevice.open(BurnTestImages.device(dir.resolve("dev"), image));
        DeviceServer server = DeviceServer.start(emulated, InetAddress.getLoopbackAddress(), 0)) {
      assertRoundTrip(
          "tcp://127.0.0.1:" + server.port() + "?token-file=" + server.tokenFile(),
          dir.resolve("tcp.kilnrec"));
    }
  }

  @Test
  void checkAndVerifyAgainstADeviceRecordAndReplayToo(@TempDir Path dir) throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), image);
    for (String[] command :
        List.of(new String[] {"check", newer.toString()}, new String[] {"verify"})) {
      Path recording = dir.resolve(command[0] + ".kilnrec");
      Run recorded = kiln(concat(command, "--device", device, "--record", recording.toString()));
      assertEquals(0, recorded.exitCode(), recorded.err());
      String replayDevice = "replay:" + recording;
      Run replayed = kiln(concat(command, "--device", replayDevice));
      assertEquals(0, replayed.exitCode(), replayed.err());
      assertEquals(recorded.out().replace(device, "DEV"), replayed.out().replace(replayDevice,
          "DEV"));
    }
    Path profile = dir.resolve("profile.json");
    Files.writeString(profile, kiln("query", "--device", device, "--json").out());
    Run usage = kiln("check", image.toString(), "--target", profile.toString(), "--record",
        dir.resolve("x.kilnrec").toString());
    assertEquals(ExitCodes.USAGE, usage.exitCode(), usage.err());
    assertTrue(usage.err().contains("--record needs --device"), usage.err());
  }

  @Test
  void aRecordedBurnReplaysTheSameBurnOnly(@TempDir Path dir) throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), image);
    Path recording = dir.resolve("burn.kilnrec");
    Run burned = kiln("burn", "--device", device, newer.toString(), "--yes", "--json", "--record",
        recording.toString());
    assertEquals(0, burned.exitCode(), burned.err());
    Run replayed = kiln("burn", "--device", "replay:" + recording, newer.toString(), "--yes",
        "--json");
    assertEquals(0, replayed.exitCode(), replayed.err());
    // Another image is other MCDA writes: the read-only replay refuses the first one.
    Run other = kiln("burn", "--device", "replay:" + recording, image.toString(), "--yes",
        "--skip-precheck");
    assertEquals(ExitCodes.DEVICE, other.exitCode(), other.err());
    assertTrue(other.err().contains("is read-only"), other.err());
  }

  @Test
  void aTornLastRecordIsIgnoredAndItsRequestThenFailsClearly(@TempDir Path dir) throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), image);
    Path recording = dir.resolve("torn.kilnrec");
    assertEquals(0, kiln("query", "--device", device, "--record", recording.toString())
        .exitCode());
    List<Recording.Transaction> whole = Recording.read(recording);
    byte[] bytes = Files.readAllBytes(recording);
    // Cut the file inside its last record, as a kill -9 mid-write leaves it.
    Files.write(recording, Arrays.copyOf(bytes, bytes.length - 3));
    assertEquals(whole.subList(0, whole.size() - 1), Recording.read(recording));
    Run replayed = kiln("query", "--device", "replay:" + recording);
    assertEquals(ExitCodes.DEVICE, replayed.exitCode());
    RegisterEnvelope lost = whole.get(whole.size() - 1).requestEnvelope();
    assertTrue(replayed.err().startsWith("kiln: replay:" + recording + ": "), replayed.err());
    assertTrue(replayed.err().contains(lost.register().describe()), replayed.err());
  }

  @Test
  void theRecordingHoldsNoHwAccessKey(@TempDir Path dir) throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), image);
    Path key = dir.resolve("key");
    Files.writeString(key, "1122334455667788\n");
    Path recording = dir.resolve("set-key.kilnrec");
    Run set = kiln("device", "set-key", "--device", device, "--key-file", key.toString(),
        "--record", recording.toString());
    assertEquals(0, set.exitCode(), set.err());
    byte[] bytes = Files.readAllBytes(recording);
    String hex = HexFormat.of().formatHex(bytes);
    assertFalse(hex.contains("1122334455667788"), "the key is in the recording");
    long mlockSets =
        Recording.read(recording).stream()
            .filter(t -> decode(t).registerId() == AccessRegister.MLOCK.id()
                && decode(t).methodCode() == 2)
            .count();
    assertEquals(1, mlockSets);
    // Replaying the (key-less) recording answers the same (key-less) write.
    Run replayed = kiln("device", "set-key", "--device", "replay:" + recording, "--key-file",
        key.toString());
    assertEquals(0, replayed.exitCode(), replayed.err());
    assertEquals(set.out(), replayed.out());
  }

  @Test
  void aRecordingThatCannotBeCreatedFailsBeforeAnyTransaction(@TempDir Path dir)
      throws Exception {
    String device = "emu:" + BurnTestImages.device(dir.resolve("dev"), image);
    Path target = dir.resolve("elsewhere");
    Path link = dir.resolve("link.kilnrec");
    Files.createSymbolicLink(link, target);
    Run run = kiln("query", "--device", device, "--record", link.toString());
    assertEquals(ExitCodes.DEVICE, run.exitCode());
    assertTrue(run.err().startsWith("kiln: cannot create the recording " + link + ": "),
        run.err());
    assertFalse(Files.exists(target));
    Run missing = kiln("query", "--device", device, "--record",
        dir.resolve("no/such/dir/r.kilnrec").toString());
    assertEquals("kiln: cannot create the recording " + dir.resolve("no/such/dir/r.kilnrec")
        + ": its directory does not exist\n", missing.err());
  }

  private static RegisterEnvelope decode(Recording.Transaction transaction) {
    try {
      return transaction.requestEnvelope();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
