package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kiln.firmware collection's rollout playbook ({@code ansible/playbooks/rollout.yml}), run by
 * the real {@code ansible-playbook} over an inventory of 20 hosts (local connection), each with its
 * own emulated adapter served by its own {@code kiln device serve} daemon (a child process, its
 * token file in the device directory). The collection is built and installed with {@code
 * ansible-galaxy} as an operator would. After every run each adapter's state is asked from its
 * daemon ({@code kiln query}), not only read from Ansible's output and the fleet report.
 */
class AnsibleRolloutTest {
  static final int HOSTS = 20;
  static final String OLD = "22.39.1002";
  static final String NEW = "22.41.1000";
  static final long PLAYBOOK_TIMEOUT_SECONDS = 1800;

  @TempDir static Path dir;
  static Fixtures fixtures;
  static Path repository;
  static Path kiln;
  static Path collections;
  static Path bundle;
  /** Runs OLD; accepts NEW. */
  static Path plainImage;
  /** Runs OLD, and its FORBIDDEN_VERSIONS names NEW: the adapter itself refuses NEW at VERIFY. */
  static Path forbidsNewImage;
  /** Runs a version above NEW: the bundle's image is a downgrade, refused by the pre-check. */
  static Path newerImage;
  static int fleets;

  @BeforeAll
  static void setUp() throws Exception {
    repository = Path.of("").toAbsolutePath().getParent();
    fixtures = new Fixtures(dir);
    plainImage = fixtures.signed(SampleFirmware.Spec.secure(OLD), "old");
    forbidsNewImage =
        fixtures.signed(
            SampleFirmware.Spec.secure(OLD).withForbidden(List.of(FwVersion.parse(NEW))),
            "old-forbids-new");
    newerImage = fixtures.signed(SampleFirmware.Spec.secure("22.42.1000"), "newer");
    Path newImage = fixtures.signed(SampleFirmware.Spec.secure(NEW), "new");
    bundle = dir.resolve("release.kbundle");
    Fixtures.Result created =
        Fixtures.kiln("bundle", "create", "--out", bundle.toString(), "--key",
            "file:" + fixtures.privateKey, "--allow-sample-keys", newImage.toString());
    assertEquals(0, created.exitCode(), created.err());
    // The kiln every host runs: this build's classes, started as the ./kiln launcher starts them
    // (C1 only, serial GC: short one-shot commands).
    List<String> java = new ArrayList<>(KilnChildProcess.command());
    java.addAll(1, List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData"));
    kiln = dir.resolve("kiln");
    Files.writeString(kiln, "#!/bin/sh\nexec " + String.join(" ", quoted(java)) + " \"$@\"\n");
    Files.setPosixFilePermissions(kiln, PosixFilePermissions.fromString("rwx------"));
    // Built and installed as an operator would, which also checks galaxy.yml.
    Path build = Files.createDirectories(dir.resolve("collection-build"));
    expectSuccess(
        List.of("ansible-galaxy", "collection", "build", repository.resolve("ansible").toString(),
            "--output-path", build.toString()));
    Path archive = build.resolve("kiln-firmware-" + galaxyVersion() + ".tar.gz");
    Path installed = dir.resolve("collections");
    expectSuccess(
        List.of("ansible-galaxy", "collection", "install", "--offline", "-p",
            installed.toString(), archive.toString()));
    collections = installed;
    // Every module's DOCUMENTATION, EXAMPLES and RETURN parse (ansible-doc fails otherwise).
    for (String module : List.of("adapter_facts", "update", "activate", "fleet_report")) {
      String doc = expectSuccess(List.of("ansible-doc", "kiln.firmware." + module));
      assertTrue(doc.contains("EXAMPLES") && doc.contains("RETURN VALUES"), module + ":\n" + doc);
    }
  }

  @AfterAll
  static void tearDown() {
    fixtures.close();
  }

  /** Check mode touches nothing; the rollout updates every host; a re-run changes nothing. */
  @Test
  void checkModeTouchesNothingThenTheRolloutUpdatesEveryHostAndAReRunChangesNothing()
      throws Exception {
    try (Fleet fleet = new Fleet(HOSTS, Map.of())) {
      Map<String, Object> vars = fleet.vars(2, List.of("25%", "100%"), 10);
      vars.put("kiln_activation", "reset");
      vars.put("kiln_gather_facts", true);
      vars.put("kiln_gather_security", true);

      Run check = fleet.playbook(vars, true);
      assertEquals(0, check.exitCode(), check.output());
      JsonNode checkReport = fleet.report();
      assertEquals("check-mode", checkReport.get("status").asText(), checkReport.toString());
      assertEquals(HOSTS, results(checkReport, "would-burn"), checkReport.toString());
      for (String host : fleet.hosts()) {
        assertEquals(OLD + " none", fleet.state(host), host + " was touched in check mode");
      }
      assertTrue(Files.notExists(fleet.burnLog("host01")), "check mode logged a burn");

      Run rollout = fleet.playbook(vars, false);
      assertEquals(0, rollout.exitCode(), rollout.output());
      JsonNode report = fleet.report();
      assertEquals("complete", report.get("status").asText(), report.toString());
      assertEquals(HOSTS, report.get("rows").size(), report.toString());
      for (JsonNode row : report.get("rows")) {
        assertEquals("burned-and-reset", row.get("result").asText(), row.toString());
        assertEquals(OLD, row.get("before").asText(), row.toString());
        assertEquals(NEW, row.get("after").asText(), row.toString());
        assertEquals(SampleFirmware.PSID, row.get("psid").asText(), row.toString());
        assertTrue(row.get("adapter").asText().startsWith("tcp://127.0.0.1:"), row.toString());
        assertTrue(row.get("burn_log").asText().endsWith("/burn.log"), row.toString());
      }
      // Canary of 2, then 25% of 20 (5), then the remaining 13.
      assertEquals(List.of(1, 1, 2, 2, 2, 2, 2), waves(report).subList(0, 7));
      assertEquals(3, waves(report).get(HOSTS - 1));
      for (String host : fleet.hosts()) {
        assertEquals(NEW + " none", fleet.state(host), host);
        assertTrue(Files.size(fleet.burnLog(host)) > 0, host + ": no burn log fetched");
      }
      String table = Files.readString(fleet.reportDir.resolve("fleet-report.txt"));
      assertTrue(table.startsWith("host "), table);
      assertTrue(table.contains("status: complete"), table);
      JsonNode facts = report.get("adapters").get("host01");
      assertEquals(SampleFirmware.PSID, facts.get(0).get("psid").asText(), facts.toString());
      assertEquals("0x101d", facts.get(0).get("pci_device_id").asText(), facts.toString());
      assertTrue(facts.get(0).get("security").get("secured").asBoolean(), facts.toString());

      Run again = fleet.playbook(vars, false);
      assertEquals(0, again.exitCode(), again.output());
      String updates = again.task("Update (kiln update; in check mode the dry run)");
      for (String host : fleet.hosts()) {
        assertTrue(updates.contains("ok: [" + host + "]"), host + " changed on a re-run:\n" + updates);
      }
      assertTrue(!updates.contains("changed: ["), updates);
      JsonNode rerun = fleet.report();
      assertEquals(HOSTS, results(rerun, "up-to-date"), rerun.toString());
      for (JsonNode row : rerun.get("rows")) {
        assertTrue(row.get("changed").isBoolean() && !row.get("changed").asBoolean(), row.toString());
      }
      for (String host : fleet.hosts()) {
        assertEquals(NEW + " none", fleet.state(host), host);
      }
    }
  }

  /** The canary's adapter refuses the image: the rollout halts and no other adapter changes. */
  @Test
  void aRefusalInTheCanaryWaveHaltsTheRolloutAndNoOtherHostChanges() throws Exception {
    try (Fleet fleet = new Fleet(HOSTS, Map.of("host01", forbidsNewImage))) {
      Run run = fleet.playbook(fleet.vars(1, List.of("25%", "100%"), 50), false);
      assertNotEquals(0, run.exitCode(), run.output());
      JsonNode report = fleet.report();
      assertEquals("halted", report.get("status").asText(), report.toString());
      JsonNode halt = report.get("halt");
      assertEquals("canary", halt.get("stage").asText(), halt.toString());
      assertEquals("host01", halt.get("hosts").get(0).asText(), halt.toString());
      JsonNode canary = row(report, "host01");
      assertEquals("refused", canary.get("result").asText(), canary.toString());
      assertEquals(List.of("DEVICE_REJECTED"), codes(canary), canary.toString());
      assertTrue(canary.get("adapter").asText().contains(fleet.port("host01")), canary.toString());
      assertTrue(halt.get("reason").asText().contains("host01"), halt.toString());
      assertTrue(halt.get("reason").asText().contains("DEVICE_REJECTED"), halt.toString());
      String table = Files.readString(fleet.reportDir.resolve("fleet-report.txt"));
      assertTrue(table.contains("host01 " + canary.get("adapter").asText() + ": "), table);
      assertEquals(HOSTS - 1, results(report, "not-started"), report.toString());
      for (String host : fleet.hosts()) {
        assertEquals(OLD + " none", fleet.state(host), host);
      }
      for (String host : fleet.hosts().subList(1, HOSTS)) {
        assertTrue(Files.notExists(fleet.burnLog(host)), host + " was reached");
      }
    }
  }

  /**
   * Two of the five hosts of the third wave (hosts 7 to 11) fail, above the wave's 20%: the
   * rollout halts after that wave; the earlier waves and the rest of that wave stay updated
   * (pending, the default activation policy), hosts 12 to 20 are untouched.
   */
  @Test
  void aFailureAboveTheThresholdInALaterWaveHaltsWithEarlierWavesUpdated() throws Exception {
    try (Fleet fleet =
        new Fleet(HOSTS, Map.of("host08", forbidsNewImage, "host09", forbidsNewImage))) {
      Map<String, Object> vars = fleet.vars(1, List.of("25%", "25%", "100%"), 20);
      vars.put("kiln_failure_budget", 5);
      Run run = fleet.playbook(vars, false);
      assertNotEquals(0, run.exitCode(), run.output());
      JsonNode report = fleet.report();
      assertEquals("halted", report.get("status").asText(), report.toString());
      assertEquals(3, report.get("halt").get("wave").asInt(), report.toString());
      assertEquals("wave", report.get("halt").get("stage").asText(), report.toString());
      List<String> hosts = fleet.hosts();
      for (int i = 0; i < HOSTS; i++) {
        String host = hosts.get(i);
        String state = fleet.state(host);
        JsonNode row = row(report, host);
        if (host.equals("host08") || host.equals("host09")) {
          assertEquals(OLD + " none", state, host);
          assertEquals("refused", row.get("result").asText(), row.toString());
          assertEquals(List.of("DEVICE_REJECTED"), codes(row), row.toString());
        } else if (i < 11) {
          assertEquals(OLD + " " + NEW, state, host + " (pending until a reset)");
          assertEquals("burned", row.get("result").asText(), row.toString());
          assertEquals(OLD + " (pending " + NEW + ")", row.get("after").asText(), row.toString());
        } else {
          assertEquals(OLD + " none", state, host + " was touched after the halt");
          assertEquals("not-started", row.get("result").asText(), row.toString());
          assertTrue(Files.notExists(fleet.burnLog(host)), host + " was reached");
        }
      }
    }
  }

  /**
   * One host's pre-check fails (a downgrade): nothing is burned anywhere; told to skip such
   * hosts, the rollout updates the others and still fails that one. Four hosts are enough here.
   */
  @Test
  void aFailedPreCheckStopsEveryBurnUnlessTheHostIsToBeSkipped() throws Exception {
    try (Fleet fleet = new Fleet(4, Map.of("host03", newerImage))) {
      Map<String, Object> vars = fleet.vars(1, List.of("100%"), 50);
      vars.put("kiln_failure_budget", 4);
      Run halted = fleet.playbook(vars, false);
      assertNotEquals(0, halted.exitCode(), halted.output());
      JsonNode report = fleet.report();
      assertEquals("pre-validation", report.get("halt").get("stage").asText(), report.toString());
      assertTrue(report.get("halt").get("reason").asText().contains("host03: kiln: "),
          report.toString());
      assertEquals(List.of("DOWNGRADE"), codes(row(report, "host03")), report.toString());
      assertEquals("precheck-refused", row(report, "host03").get("result").asText());
      assertEquals(3, results(report, "not-started"), report.toString());
      for (String host : List.of("host01", "host02", "host04")) {
        assertEquals(OLD + " none", fleet.state(host), host + " was burned");
      }

      vars.put("kiln_skip_precheck_failures", true);
      Run skipped = fleet.playbook(vars, false);
      assertNotEquals(0, skipped.exitCode(), "the skipped host still fails the run");
      JsonNode after = fleet.report();
      assertEquals("failed", after.get("status").asText(), after.toString());
      assertEquals("precheck-refused", row(after, "host03").get("result").asText());
      assertEquals(3, results(after, "burned"), after.toString());
      for (String host : List.of("host01", "host02", "host04")) {
        assertEquals(OLD + " " + NEW, fleet.state(host), host);
      }
      assertEquals("22.42.1000 none", fleet.state("host03"));
    }
  }

  static int results(JsonNode report, String result) {
    int count = 0;
    for (JsonNode row : report.get("rows")) {
      if (row.get("result").asText().equals(result)) {
        count++;
      }
    }
    return count;
  }

  static JsonNode row(JsonNode report, String host) {
    for (JsonNode row : report.get("rows")) {
      if (row.get("host").asText().equals(host)) {
        return row;
      }
    }
    throw new AssertionError("no row for " + host + " in " + report);
  }

  static List<String> codes(JsonNode row) {
    List<String> codes = new ArrayList<>();
    row.get("finding_codes").forEach(code -> codes.add(code.asText()));
    return codes;
  }

  static List<Integer> waves(JsonNode report) {
    List<Integer> waves = new ArrayList<>();
    report.get("rows").forEach(row -> waves.add(row.get("wave").asInt()));
    return waves;
  }

  /** What ansible-playbook printed and its exit code. */
  record Run(int exitCode, String output) {
    /** What Ansible printed for every run of the task {@code name} (each wave runs it once). */
    String task(String name) {
      StringBuilder runs = new StringBuilder();
      String header = "TASK [" + name + "]";
      for (int at = output.indexOf(header); at >= 0; at = output.indexOf(header, at + 1)) {
        int end = output.indexOf("\nTASK [", at + 1);
        runs.append(output, at, end < 0 ? output.length() : end).append('\n');
      }
      assertTrue(runs.length() > 0, "no task " + name + " in:\n" + output);
      return runs.toString();
    }
  }

  /**
   * Twenty hosts, each with a device directory ({@code kiln device init}) served by its own
   * {@code kiln device serve} process, a stage directory and an inventory entry.
   */
  static final class Fleet implements AutoCloseable {
    final Path root;
    final Path reportDir;
    final Path inventory;
    private final Map<String, Process> daemons = new LinkedHashMap<>();
    private final Map<String, String> uris = new LinkedHashMap<>();

    /** {@code images}: the first image of named hosts (default {@link #plainImage}). */
    Fleet(int count, Map<String, Path> images) throws Exception {
      root = Files.createDirectories(dir.resolve("fleet" + (++fleets)));
      reportDir = root.resolve("report");
      ObjectMapper json = new ObjectMapper();
      ObjectNode all = json.createObjectNode();
      ObjectNode hosts = all.putObject("all").putObject("hosts");
      try {
        for (int i = 1; i <= count; i++) {
          String host = String.format("host%02d", i);
          Path device = root.resolve(host).resolve("adapter");
          Fixtures.Result init =
              Fixtures.kiln("device", "init", device.toString(), "--device", "cx6dx", "--psid",
                  SampleFirmware.PSID, "--image",
                  images.getOrDefault(host, plainImage).toString());
          assertEquals(0, init.exitCode(), init.err());
          String uri = serve(host, device);
          uris.put(host, uri);
          ObjectNode vars = hosts.putObject(host);
          vars.put("ansible_connection", "local");
          vars.put("ansible_python_interpreter", "{{ ansible_playbook_python }}");
          vars.put("kiln_executable", kiln.toString());
          vars.put("kiln_stage_dir", root.resolve(host).resolve("stage").toString());
          vars.putArray("kiln_devices").add(uri);
        }
      } catch (Exception | AssertionError e) {
        close();
        throw e;
      }
      inventory = root.resolve("inventory.yml");
      Files.writeString(inventory, json.writerWithDefaultPrettyPrinter().writeValueAsString(all));
    }

    /** Starts {@code kiln device serve DIR} and returns its tcp:// URI with the token file. */
    private String serve(String host, Path device) throws IOException {
      Process daemon =
          new ProcessBuilder(kiln.toString(), "device", "serve", device.toString(), "--listen",
                  "127.0.0.1:0")
              .redirectError(root.resolve(host + "-daemon.err").toFile())
              .start();
      daemons.put(host, daemon);
      BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8));
      String first = lines.readLine();
      assertTrue(first != null && first.startsWith("listening on 127.0.0.1:"),
          host + ": " + first);
      return "tcp://" + first.substring("listening on ".length()) + "?token-file="
          + device.resolve("daemon.token");
    }

    List<String> hosts() {
      return new ArrayList<>(uris.keySet());
    }

    String port(String host) {
      String uri = uris.get(host);
      return uri.substring("tcp://".length(), uri.indexOf('?'));
    }

    Path burnLog(String host) {
      return reportDir.resolve("hosts").resolve(host).resolve("burn.log");
    }

    /** The rollout's parameters: the staged files, the waves and the report directory. */
    Map<String, Object> vars(int canary, List<String> waves, int maxFailPercentage) {
      Map<String, Object> vars = new LinkedHashMap<>();
      vars.put("kiln_bundle", bundle.toString());
      vars.put("kiln_trust", List.of(fixtures.publicKey.toString()));
      vars.put("kiln_report_dir", reportDir.toString());
      vars.put("kiln_canary", canary);
      vars.put("kiln_waves", waves);
      vars.put("kiln_max_fail_percentage", maxFailPercentage);
      // Facts cost one kiln run per host; the first test gathers them.
      vars.put("kiln_gather_facts", false);
      return vars;
    }

    /** Runs the rollout playbook (with --check when asked) and returns its output. */
    Run playbook(Map<String, Object> vars, boolean checkMode) throws Exception {
      Path varsFile = root.resolve("vars.json");
      Files.writeString(varsFile, new ObjectMapper().writeValueAsString(vars));
      List<String> command = new ArrayList<>(List.of(
          "ansible-playbook", "-i", inventory.toString(), "-f", "10", "-e", "@" + varsFile,
          repository.resolve("ansible/playbooks/rollout.yml").toString()));
      if (checkMode) {
        command.add("--check");
      }
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      Map<String, String> env = builder.environment();
      env.put("ANSIBLE_COLLECTIONS_PATH", collections.toString());
      env.put("ANSIBLE_LOCAL_TEMP", Files.createDirectories(root.resolve("ansible-local")).toString());
      env.put("ANSIBLE_REMOTE_TMP", root.resolve("ansible-remote").toString());
      env.put("ANSIBLE_NOCOLOR", "1");
      env.put("ANSIBLE_RETRY_FILES_ENABLED", "0");
      env.put("ANSIBLE_PIPELINING", "1");
      env.put("LC_ALL", "C.UTF-8");
      Path log = root.resolve("ansible-" + System.nanoTime() + ".log");
      builder.redirectOutput(log.toFile());
      Process process = builder.start();
      if (!process.waitFor(PLAYBOOK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("ansible-playbook did not finish: " + Files.readString(log));
      }
      return new Run(process.exitValue(), Files.readString(log));
    }

    JsonNode report() throws IOException {
      return new ObjectMapper().readTree(reportDir.resolve("fleet-report.json").toFile());
    }

    /** "RUNNING PENDING" as the host's daemon answers {@code kiln query} ("none": nothing pending). */
    String state(String host) throws IOException {
      Fixtures.Result query =
          Fixtures.kiln("query", "--device", uris.get(host), "--json", "--no-read-back");
      assertEquals(0, query.exitCode(), host + ": " + query.err());
      JsonNode profile = new ObjectMapper().readTree(query.out());
      JsonNode pending = profile.get("pendingVersion");
      return profile.get("runningVersion").asText() + " "
          + (pending.isNull() ? "none" : pending.asText());
    }

    @Override
    public void close() {
      for (Process daemon : daemons.values()) {
        daemon.destroy();
      }
      for (Process daemon : daemons.values()) {
        try {
          if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
            daemon.destroyForcibly();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          daemon.destroyForcibly();
        }
      }
    }
  }

  static String galaxyVersion() throws IOException {
    for (String line : Files.readAllLines(repository.resolve("ansible/galaxy.yml"))) {
      if (line.startsWith("version:")) {
        return line.substring("version:".length()).trim();
      }
    }
    throw new AssertionError("ansible/galaxy.yml has no version");
  }

  /** Runs an Ansible tool with the test's collections path; returns its output. */
  static String expectSuccess(List<String> command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (collections != null) {
      builder.environment().put("ANSIBLE_COLLECTIONS_PATH", collections.toString());
    }
    builder.environment().put("ANSIBLE_NOCOLOR", "1");
    builder.environment().put("ANSIBLE_LOCAL_TEMP", dir.resolve("ansible-local").toString());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), command + " did not finish");
    assertEquals(0, process.exitValue(), command + ":\n" + output);
    return output;
  }

  static List<String> quoted(List<String> words) {
    List<String> quoted = new ArrayList<>();
    for (String word : words) {
      quoted.add("'" + word.replace("'", "'\\''") + "'");
    }
    return quoted;
  }
}
