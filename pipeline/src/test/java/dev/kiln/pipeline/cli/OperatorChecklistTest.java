package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.emulator.DeviceIdentity;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.testkit.FakeSysfs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every command of docs/burner.md's "The operator's checklist" as written, in order, each
 * as its own {@code kiln} process in a directory holding the files the checklist names, on a host
 * ({@link EmulatedHostMain}) with two adapters: 0000:03:00.0 ({@code mlx5_0}), whose PSID the
 * bundle serves, and 0000:82:00.0 of another PSID.
 */
class OperatorChecklistTest {
  static final String OLD = "22.39.1002";
  static final String NEW = "22.41.1000";

  /** The {@code kiln ...} lines of the checklist's shell blocks. */
  static List<String> checklistCommands() throws Exception {
    Path doc = Path.of("").toAbsolutePath().getParent().resolve("docs/burner.md");
    String text = Files.readString(doc, StandardCharsets.UTF_8);
    int start = text.indexOf("## The operator's checklist");
    assertTrue(start >= 0, "docs/burner.md has no operator's checklist");
    int end = text.indexOf("\n## ", start + 1);
    List<String> commands = new ArrayList<>();
    boolean inBlock = false;
    for (String line : text.substring(start, end).split("\n")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("```")) {
        inBlock = !inBlock;
      } else if (inBlock) {
        assertTrue(trimmed.startsWith("kiln "), "not a kiln command: " + trimmed);
        commands.add(trimmed);
      }
    }
    return commands;
  }

  record Result(String command, int exitCode, String out, String err) {}

  static Result run(Path work, Path sysfs, String devices, String command) throws Exception {
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    argv.add("-XX:TieredStopAtLevel=1");
    argv.add("-Dkiln.sysfs.root=" + sysfs);
    argv.add("-Dkiln.test.pci=" + devices);
    argv.add("-cp");
    argv.add(System.getProperty("java.class.path"));
    argv.add(EmulatedHostMain.class.getName());
    List<String> words = List.of(command.split(" +"));
    argv.addAll(words.subList(1, words.size()));
    Path out = Files.createTempFile(work.getParent(), "out", ".txt");
    Path err = Files.createTempFile(work.getParent(), "err", ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(argv).directory(work.toFile()).redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    builder.environment().put("XDG_STATE_HOME", work.getParent().resolve("state").toString());
    Process process = builder.start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), command + " did not finish");
    return new Result(command, process.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void everyChecklistCommandRunsAsWritten(@TempDir Path dir) throws Exception {
    Path work = Files.createDirectories(dir.resolve("work"));
    String otherPsid = "MT_0000000999";
    try (Fixtures fixtures = new Fixtures(dir.resolve("fixtures"))) {
      Path newer = fixtures.signed(SampleFirmware.Spec.secure(NEW), "fw");
      Fixtures.Result created =
          Fixtures.kiln("bundle", "create", "--out", work.resolve("release.kbundle").toString(),
              "--key", "file:" + fixtures.privateKey, "--allow-sample-keys", newer.toString());
      assertEquals(0, created.exitCode(), created.err());
      Files.copy(fixtures.publicKey, work.resolve("release-signing.pub"));
      Path served = device(fixtures, dir.resolve("dev-a"), SampleFirmware.PSID);
      Path other = device(fixtures, dir.resolve("dev-b"), otherPsid);
      Path sysfs = dir.resolve("sys");
      new FakeSysfs(sysfs)
          .function("0000:03:00.0", 0x15b3, 0x101d)
          .function("0000:82:00.0", 0x15b3, 0x101d)
          .rdma("0000:03:00.0", "mlx5_0");
      String devices = "0000:03:00.0=" + served + ",0000:82:00.0=" + other;

      List<String> commands = checklistCommands();
      assertEquals(7, commands.size(), commands.toString());
      List<Result> results = new ArrayList<>();
      for (String command : commands) {
        Result result = run(work, sysfs, devices, command);
        assertEquals(0, result.exitCode(), result.command() + "\n" + result.out() + result.err());
        results.add(result);
      }
      // 1. kiln devices: both adapters, the old version.
      String list = results.get(0).out();
      assertTrue(list.contains("pci:0000:03:00.0") && list.contains(OLD)
          && list.contains("mlx5_0 /dev/mst/mt4125_pciconf0") && list.contains(otherPsid), list);
      // 2. dry run: would burn, nothing written.
      assertTrue(results.get(1).out().startsWith("pci:0000:03:00.0: would burn FW " + NEW),
          results.get(1).out());
      // 3. update: burned the served adapter, skipped the other.
      assertTrue(results.get(2).out().startsWith("pci:0000:03:00.0: burned FW " + NEW),
          results.get(2).out());
      assertTrue(results.get(2).out().contains("pci:0000:82:00.0: skipped"),
          results.get(2).out());
      // 4. reset, then the list shows the new version, and the update by name is up to date.
      assertTrue(results.get(4).out().contains(NEW), results.get(4).out());
      JsonNode last = new ObjectMapper().readTree(results.get(5).out());
      assertEquals("up-to-date", last.get("devices").get(0).get("action").asText());
      assertEquals("pci:0000:03:00.0", last.get("devices").get(0).get("device").asText());
      // 5. release: nothing is stuck after a clean run.
      assertTrue(results.get(6).out().contains("the update handle is free; nothing to release"),
          results.get(6).out() + results.get(6).err());
    }
  }

  private static Path device(Fixtures fixtures, Path dir, String psid) throws Exception {
    Path image =
        fixtures.signed(SampleFirmware.Spec.secure(OLD).withPsid(psid), dir.getFileName() + "-fw");
    EmulatedDevice.create(
        dir, new DeviceIdentity(SampleFirmware.DEVICE, psid, 0x0002c9000000L, 4L << 20, 0),
        Files.readAllBytes(image));
    return dir;
  }
}
