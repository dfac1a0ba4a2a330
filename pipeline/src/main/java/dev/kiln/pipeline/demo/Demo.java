package dev.kiln.pipeline.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.pipeline.json.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code kiln demo}: the whole release path, told as a short story, on the embedded sample
 * description, the keys-sample key and an emulated ConnectX-6 Dx in a temporary directory. Every
 * step runs a real {@code kiln} command in-process; a command this build does not have is
 * reported as MISSING (and the steps that need its output as skipped), never simulated.
 */
public final class Demo {
  /** Where the sample image description lives on the classpath. */
  public static final String SAMPLE_DESCRIPTION = "/dev/kiln/pipeline/samples/cx6dx-sample.json";

  /** The ConnectX-4 Lx (FS3) sample description on the classpath. */
  public static final String FS3_SAMPLE_DESCRIPTION =
      "/dev/kiln/pipeline/samples/cx4lx-sample.json";

  /** The FS3 versions: the one the ConnectX-4 Lx runs, and the one it gets. */
  static final String FS3_OLD = "14.31.1200";
  static final String FS3_NEW = "14.32.1010";
  /** The PSID of the FS3 sample description (its board). */
  static final String FS3_PSID = "MT_2420110034";

  /** The version the device runs before the demo updates it. */
  static final String OLD = "22.38.1000";
  /** The release the demo ships. */
  static final String NEW = "22.41.1000";
  /** A version the published forbidden-versions feed rules out. */
  static final String FORBIDDEN = "22.40.2000";

  /** Runs one {@code kiln} command in-process. */
  @FunctionalInterface
  public interface Kiln {
    Result run(String... args);
  }

  /** What one command did. */
  public record Result(int exitCode, String out, String err) {}

  /** The outcome of the demo. */
  public record Outcome(int passed, int failed, int missing, int skipped) {
    public boolean complete() {
      return failed == 0 && missing == 0 && skipped == 0;
    }
  }

  private final Kiln kiln;
  private final Set<String> commands;
  private final Path dir;
  private final PrintWriter out;
  private final boolean verbose;
  private final Set<String> done = new LinkedHashSet<>();
  private final List<String> missing = new ArrayList<>();
  private int number;
  private int passed;
  private int failed;
  private int skipped;

  /**
   * @param kiln runs commands
   * @param commands the top-level command names this build has
   * @param dir an empty working directory
   * @param verbose also print every command line and its output
   */
  public Demo(Kiln kiln, Set<String> commands, Path dir, PrintWriter out, boolean verbose) {
    this.kiln = kiln;
    this.commands = Set.copyOf(commands);
    this.dir = dir;
    this.out = out;
    this.verbose = verbose;
  }

  /** Runs every step and prints the story; returns the tally. */
  public Outcome run() throws IOException {
    out.println("kiln demo: a signed firmware release, from build to an emulated ConnectX-6 Dx");
    out.println("  working in " + dir);
    Path privateKey = SampleKeys.writePrivateKey(SampleKey.RSA_2048, dir);
    Path publicKey = SampleKeys.writePublicKey(SampleKey.RSA_2048, dir);
    String uuid = SampleKey.RSA_2048.uuid().toString();
    out.println("  keys: the keys-sample RSA-2048 pair, UUID " + uuid);
    out.println("        NOT FOR PRODUCTION: the demo passes --allow-sample-keys to use it");
    String device = "emu:" + dir.resolve("device");
    String shortUuid = uuid.substring(0, 8);
    out.println();

    boolean haveSample = Demo.class.getResource(SAMPLE_DESCRIPTION) != null;
    for (String version : List.of(OLD, NEW, FORBIDDEN)) {
      if (!haveSample) {
        number++;
        missing.add("the sample description " + SAMPLE_DESCRIPTION);
        out.println(String.format(Locale.ROOT, "%2d. %-44s ", number, "build " + version)
            + "MISSING: the sample description is not in this build");
        continue;
      }
      writeDescription(version);
      step("build", "build " + version + " (sample description)", Set.of(),
          List.of("build", file("cx6dx-" + version + ".json"), "--out",
              file("fw-" + version + ".unsigned.bin")),
          0, r -> "fw-" + version + ".unsigned.bin (" + size("fw-" + version + ".unsigned.bin")
              + ")", "build-" + version);
    }
    String keysSize = publicKeysSectionSize("fw-" + NEW + ".unsigned.bin");
    step("keys", "pack the public key (PUBLIC_KEYS_2048)", Set.of("build-" + NEW),
        List.of("keys", "pack", "--out", file("public-keys-2048.bin"), "--size", keysSize,
            "--key", publicKey.toString(), "--uuid", uuid),
        0, r -> "public-keys-2048.bin (" + keysSize + " bytes)", "keys");
    for (String version : List.of(OLD, NEW, FORBIDDEN)) {
      step("set-public-keys", "provision the trusted key into " + version,
          Set.of("keys", "build-" + version),
          List.of("set-public-keys", file("fw-" + version + ".unsigned.bin"),
              file("public-keys-2048.bin"), "--out", file("fw-" + version + ".keyed.bin")),
          0, r -> "fw-" + version + ".keyed.bin trusts key " + shortUuid, "keyed-" + version);
      step("sign", "sign " + version, Set.of("keyed-" + version),
          List.of("sign", file("fw-" + version + ".keyed.bin"), "--key", "file:" + privateKey,
              "--key-uuid", uuid, "--allow-sample-keys", "--out",
              file("fw-" + version + ".bin")),
          0, r -> "fw-" + version + ".bin: IMAGE_SIGNATURE_256 by key " + shortUuid,
          "signed-" + version);
    }
    step("device init", "create an emulated CX6DX running " + OLD, Set.of("signed-" + OLD),
        List.of("device", "init", dir.resolve("device").toString(), "--device", "cx6dx",
            "--psid", SampleFirmware.PSID, "--image", file("fw-" + OLD + ".bin")),
        0, r -> "emu:device runs " + OLD + ", trusts key " + shortUuid, "device");
    step("inspect", "inspect the new image", Set.of("signed-" + NEW),
        List.of("inspect", file("fw-" + NEW + ".bin")),
        0, r -> pick(r.out(), "FW Version", "Security Attributes"), "inspect");
    step("query", "save the device's profile (query --json)", Set.of("device"),
        List.of("query", "--device", device, "--json"),
        0, r -> saveProfile(r.out()), "profile");
    step("check", "check the new image against the device", Set.of("profile", "signed-"
        + NEW),
        List.of("check", file("fw-" + NEW + ".bin"), "--target", file("target.json")),
        0, r -> lastLine(r.out()), "check");
    step("check", "an UNSIGNED image is rejected", Set.of("device", "keyed-" + NEW),
        List.of("check", file("fw-" + NEW + ".keyed.bin"), "--device", device),
        1, r -> "rejected: " + findingLine(r.out()).replaceAll(":.*", "")
            + " (the device accepts only signed images)", "reject-unsigned");
    writeFeedBody();
    step("feed", "publish a signed forbidden feed", Set.of(),
        List.of("feed", "sign", file("feed-body.json"), "--out", file("feed.json"), "--key",
            "file:" + privateKey, "--allow-sample-keys"),
        0, r -> "feed.json signed; forbids " + FORBIDDEN + " (CVE-DEMO-0001)", "feed");
    step("check", "a FORBIDDEN version is rejected", Set.of("device", "feed", "signed-"
        + FORBIDDEN),
        List.of("check", file("fw-" + FORBIDDEN + ".bin"), "--device", device, "--forbidden",
            file("feed.json"), "--feed-trust", publicKey.toString(),
            // The demo's sample-key feed must not enter the operator's own rollback state.
            "--feed-state", file("feed-state.json")),
        1, r -> "rejected: " + findingLine(r.out()).replaceAll(":.*", "") + " (feed: "
            + (r.out().contains("CVE-DEMO-0001") ? "CVE-DEMO-0001" : "?") + ")",
        "reject-forbidden");
    step("bundle", "bundle the release with a signed manifest", Set.of("profile", "signed-"
        + NEW),
        List.of("bundle", "create", "--out", file("release.kbundle"), file("fw-" + NEW + ".bin"),
            "--key", "file:" + privateKey, "--allow-sample-keys", "--target",
            file("target.json")),
        0, r -> "release.kbundle (" + NEW + "), signed manifest; the target "
            + (r.out().contains(" accepts") ? "accepts it" : "REFUSES it"), "bundle");
    step("bundle", "verify the bundle offline", Set.of("bundle"),
        List.of("bundle", "verify", file("release.kbundle"), "--trust", publicKey.toString()),
        0, r -> firstLine(r.out()).replaceAll(" \\(manifest.*;", " (signature ok;"),
        "bundle-verified");
    step("burn", "burn the bundle into the device", Set.of("bundle-verified", "device"),
        List.of("burn", "--device", device, "--bundle", file("release.kbundle"), "--trust",
            publicKey.toString(), "--yes", "--log", file("burn.log")),
        0, r -> pick(r.out(), "Burned").replaceAll(" \\(.*", "")
            + (r.out().contains("Version " + NEW + " is pending") ? "; " + NEW + " pending" : ""),
        "burn");
    step("device reset", "reset the device to load the new firmware", Set.of("burn"),
        List.of("device", "reset", "--device", device),
        0, r -> firstLine(r.out()).replace("-I- ", ""), "reset");
    step("query", "query the running version", Set.of("reset"),
        List.of("query", "--device", device),
        0, r -> pick(r.out(), "FW Version"), "running");
    step("log", "verify the operators' burn log", Set.of("burn"),
        List.of("log", "verify", file("burn.log")),
        0, r -> firstLine(r.out()), "log");

    runFs3(privateKey, uuid, shortUuid);

    out.println();
    int missingCount = missing.size();
    if (missingCount == 0 && failed == 0 && skipped == 0) {
      out.printf("The release path worked end to end: %d steps.%n", passed);
    } else {
      out.printf("Incomplete: passed %d, failed %d, missing %d, skipped %d.%n", passed, failed,
          missingCount, skipped);
      if (!missing.isEmpty()) {
        out.println("Missing from this build: " + String.join(", ", new LinkedHashSet<>(missing)));
      }
    }
    out.flush();
    return new Outcome(passed, failed, missingCount, skipped);
  }

  /**
   * The same path for a ConnectX-4 Lx, whose firmware is FS3: build two versions from the FS3
   * sample, provision and sign them, create an emulated secure-FW ConnectX-4 Lx running the first,
   * burn the second (kiln burn pre-checks it first), reset, query.
   */
  private void runFs3(Path privateKey, String uuid, String shortUuid) throws IOException {
    String device = "emu:" + dir.resolve("device-cx4lx");
    out.println("  and a ConnectX-4 Lx, whose firmware is FS3:");
    for (String version : List.of(FS3_OLD, FS3_NEW)) {
      writeDescription(FS3_SAMPLE_DESCRIPTION, "cx4lx-", version);
      step("build", "build FS3 " + version + " (cx4lx sample)", Set.of(),
          List.of("build", file("cx4lx-" + version + ".json"), "--out",
              file("fs3-" + version + ".unsigned.bin")),
          0, r -> "fs3-" + version + ".unsigned.bin (" + size("fs3-" + version + ".unsigned.bin")
              + ")", "fs3-build-" + version);
      step("set-public-keys", "provision the trusted key into " + version,
          Set.of("keys", "fs3-build-" + version),
          List.of("set-public-keys", file("fs3-" + version + ".unsigned.bin"),
              file("public-keys-2048.bin"), "--out", file("fs3-" + version + ".keyed.bin")),
          0, r -> "fs3-" + version + ".keyed.bin trusts key " + shortUuid,
          "fs3-keyed-" + version);
      step("sign", "sign FS3 " + version, Set.of("fs3-keyed-" + version),
          List.of("sign", file("fs3-" + version + ".keyed.bin"), "--key", "file:" + privateKey,
              "--key-uuid", uuid, "--allow-sample-keys", "--out",
              file("fs3-" + version + ".bin")),
          0, r -> "fs3-" + version + ".bin: IMAGE_SIGNATURE_256 by key " + shortUuid,
          "fs3-signed-" + version);
    }
    step("device init", "create an emulated CX4LX running " + FS3_OLD,
        Set.of("fs3-signed-" + FS3_OLD),
        List.of("device", "init", dir.resolve("device-cx4lx").toString(), "--device", "cx4lx",
            "--psid", FS3_PSID, "--image", file("fs3-" + FS3_OLD + ".bin")),
        0, r -> "emu:device-cx4lx runs " + FS3_OLD + " (FS3)", "fs3-device");
    step("burn", "check and burn FS3 " + FS3_NEW, Set.of("fs3-device", "fs3-signed-" + FS3_NEW),
        List.of("burn", "--device", device, file("fs3-" + FS3_NEW + ".bin"), "--yes"),
        0, r -> pick(r.out(), "Burned").replaceAll(" \\(.*", "")
            + (r.out().contains("Version " + FS3_NEW + " is pending") ? "; " + FS3_NEW
                + " pending" : ""), "fs3-burn");
    step("device reset", "reset the ConnectX-4 Lx", Set.of("fs3-burn"),
        List.of("device", "reset", "--device", device),
        0, r -> firstLine(r.out()).replace("-I- ", ""), "fs3-reset");
    step("query", "query the running FS3 version", Set.of("fs3-reset"),
        List.of("query", "--device", device),
        0, r -> pick(r.out(), "FW Version"), "fs3-running");
  }

  private void step(
      String command, String story, Set<String> needs, List<String> args, int expectedExit,
      Function<Result, String> summary, String produces) {
    number++;
    String label = String.format(Locale.ROOT, "%2d. %-44s ", number, story);
    String topLevel = args.get(0);
    if (!commands.contains(topLevel)) {
      missing.add("kiln " + command);
      out.println(label + "MISSING: 'kiln " + command + "' is not in this build");
      return;
    }
    for (String need : needs) {
      if (!done.contains(need)) {
        skipped++;
        out.println(label + "skipped (an earlier step it needs did not complete)");
        return;
      }
    }
    if (verbose) {
      out.println("    $ kiln " + String.join(" ", args));
    }
    Result result = kiln.run(args.toArray(String[]::new));
    if (verbose) {
      result.out().lines().forEach(line -> out.println("      " + line));
      result.err().lines().forEach(line -> out.println("      " + line));
    }
    if (result.exitCode() != expectedExit) {
      failed++;
      String why = result.err().isBlank() ? firstLine(result.out()) : firstLine(result.err());
      out.println(label + "FAILED (exit " + result.exitCode() + ", expected " + expectedExit
          + "): " + why);
      return;
    }
    passed++;
    done.add(produces);
    String text;
    try {
      text = summary.apply(result);
    } catch (RuntimeException e) {
      text = "ok";
    }
    // Paths inside the demo directory are shown relative to it, and lines kept short.
    text = text.replace(dir + "/", "").replace(dir.toString(), ".");
    if (text.length() > 72) {
      text = text.substring(0, 69) + "...";
    }
    out.println(label + text);
    out.flush();
  }

  private String file(String name) {
    return dir.resolve(name).toString();
  }

  private String size(String name) {
    try {
      return Files.size(dir.resolve(name)) / 1024 + " KiB";
    } catch (IOException e) {
      return "?";
    }
  }

  private void writeDescription(String version) throws IOException {
    writeDescription(SAMPLE_DESCRIPTION, "cx6dx-", version);
  }

  private void writeDescription(String resource, String prefix, String version)
      throws IOException {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode description;
    try (InputStream in = Demo.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("the sample description " + resource + " is missing");
      }
      description =
          (ObjectNode)
              StrictJson.parse(
                  in.readNBytes(Math.toIntExact(StrictJson.MAX_DOCUMENT_BYTES)),
                  SAMPLE_DESCRIPTION);
    }
    description.put("fwVersion", version);
    description.put("productVersion", version);
    mapper.writeValue(dir.resolve(prefix + version + ".json").toFile(), description);
  }

  private void writeFeedBody() throws IOException {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String body =
        """
        {
          "format": "kiln-forbidden-versions-v1",
          "issued": "%s",
          "expires": "%s",
          "sequence": 1,
          "entries": [
            {"psid": "%s", "versions": ["%s"], "reason": "CVE-DEMO-0001 (illustrative)"}
          ]
        }
        """.formatted(now.minus(1, ChronoUnit.HOURS), now.plus(30, ChronoUnit.DAYS),
            SampleFirmware.PSID, FORBIDDEN);
    Files.writeString(dir.resolve("feed-body.json"), body, StandardCharsets.UTF_8);
  }

  /** The PUBLIC_KEYS_2048 section size of a built image, as {@code kiln keys pack --size}. */
  private String publicKeysSectionSize(String image) {
    try {
      return "0x" + Long.toHexString(
          ImageParser.parse(dir.resolve(image))
              .section(SectionType.PUBLIC_KEYS_2048)
              .orElseThrow()
              .size());
    } catch (IOException | RuntimeException e) {
      // The build step failed or is missing; the pack step will be skipped anyway.
      return "0x900";
    }
  }

  private String saveProfile(String json) {
    try {
      Files.writeString(dir.resolve("target.json"), json, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return "target.json: " + pick(json, "\"psid\"", "\"runningVersion\"")
        .replaceAll("[\",]", "").replace(" :", ":");
  }

  static String firstLine(String text) {
    return text.strip().lines().findFirst().orElse("");
  }

  static String lastLine(String text) {
    List<String> lines = text.strip().lines().toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }

  /** The first finding line ("CODE: message") of a check's text output. */
  static String findingLine(String text) {
    return text.lines()
        .map(String::strip)
        .filter(line -> line.startsWith("REFUSE "))
        .map(line -> line.substring("REFUSE".length()).strip())
        .findFirst()
        .orElse(lastLine(text));
  }

  /** The lines of {@code text} that contain any of {@code keys}, joined compactly. */
  static String pick(String text, String... keys) {
    List<String> picked = new ArrayList<>();
    for (String key : keys) {
      text.lines()
          .filter(line -> line.contains(key))
          .findFirst()
          .ifPresent(line -> picked.add(line.strip().replaceAll("\\s{2,}", " ")));
    }
    return String.join("; ", picked);
  }
}
