package dev.kiln.pipeline.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Writes check results as a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format),
 * the format code-scanning views (GitHub, GitLab) import.
 *
 * <p>Shape: one run whose tool driver is {@code kiln} (version, {@code informationUri}); every
 * check that ran and every finding code that occurs becomes a rule (description, {@code help}
 * text and markdown, {@code helpUri} into docs/); every finding a result located at its subject
 * file, relative to {@code %SRCROOT%} (the working directory, given absolutely in {@code
 * originalUriBaseIds}; a file outside it gets an absolute {@code file:} URI), with a {@code
 * region} when the finding has a place (§3.30: byte range in an image, line and column in a
 * policy) and a {@code partialFingerprints} entry so that code scanning tracks it across runs. A
 * check that could not run is a {@code toolExecutionNotification} of the run's invocation, which
 * also records the exit code. A clean gate produces a run with no results ("no alerts").
 *
 * @see <a href="https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html">SARIF 2.1.0</a>
 */
public final class SarifReport {
  /** The OASIS schema URI of version 2.1.0 (errata 01), which SARIF consumers recognise. */
  public static final String SCHEMA_URI =
      "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

  /** The base id of relative artifact URIs (the conventional name; GitHub resolves it too). */
  public static final String BASE_ID = "%SRCROOT%";

  /** The {@code partialFingerprints} key (versioned, as §3.27.17 recommends). */
  public static final String FINGERPRINT_KEY = "kilnFinding/v1";

  /**
   * What the log says besides the entries.
   *
   * @param tool version and home page of kiln
   * @param describe one-sentence description of a finding code (the rule's short text)
   * @param documentation docs page and anchor of a finding code, relative to {@link
   *     ToolInfo#documentationUri()}
   * @param baseDirectory the directory relative artifact URIs are relative to (absolute)
   * @param exitCode the command's exit code
   * @param artifacts digest and size per subject, for the subjects whose bytes were read
   */
  public record Context(
      ToolInfo tool,
      Function<String, String> describe,
      Function<String, String> documentation,
      Path baseDirectory,
      int exitCode,
      Map<String, ArtifactDigest> artifacts) {
    public Context {
      Objects.requireNonNull(tool, "tool");
      Objects.requireNonNull(describe, "describe");
      Objects.requireNonNull(documentation, "documentation");
      baseDirectory = baseDirectory.toAbsolutePath().normalize();
      artifacts = Map.copyOf(artifacts);
    }
  }

  private SarifReport() {}

  /** Renders the entries as SARIF JSON. */
  public static byte[] render(List<ReportEntry> entries, Context context) throws IOException {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode log = mapper.createObjectNode();
    log.put("$schema", SCHEMA_URI);
    log.put("version", "2.1.0");
    ObjectNode run = log.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "kiln");
    driver.put("version", context.tool().version());
    driver.put("informationUri", context.tool().informationUri());
    // Rules in order of first appearance (checks, then findings), so the file is stable for the
    // same input and a check that passed still has its rule (code scanning closes its alerts).
    Map<String, Integer> ruleIndex = new LinkedHashMap<>();
    for (ReportEntry entry : entries) {
      entry.checks().forEach(code -> ruleIndex.putIfAbsent(code, ruleIndex.size()));
      entry.findings().forEach(f -> ruleIndex.putIfAbsent(f.code(), ruleIndex.size()));
    }
    ArrayNode rules = driver.putArray("rules");
    for (String code : ruleIndex.keySet()) {
      rules.add(rule(mapper, code, context));
    }
    run.putObject("originalUriBaseIds")
        .putObject(BASE_ID)
        .put("uri", directoryUri(context.baseDirectory()));
    Map<String, Integer> artifactIndex = new LinkedHashMap<>();
    ArrayNode artifacts = run.putArray("artifacts");
    // Only the files whose bytes were read: an entry of locations alone says nothing new.
    for (ReportEntry entry : entries) {
      ArtifactDigest read = context.artifacts().get(entry.subject());
      if (read == null || artifactIndex.containsKey(entry.subject())) {
        continue;
      }
      artifactIndex.put(entry.subject(), artifactIndex.size());
      ObjectNode artifact = artifacts.addObject();
      artifact.set("location", artifactLocation(mapper, entry.subject(), context, -1));
      artifact.put("length", read.length());
      artifact.putObject("hashes").put("sha-256", read.sha256());
    }
    if (artifacts.isEmpty()) {
      run.remove("artifacts");
    }
    ObjectNode invocation = run.putArray("invocations").addObject();
    // SARIF §3.20.14: false only when the tool could not do its job (a policy or trust file it
    // cannot use), not when it found problems.
    invocation.put("executionSuccessful", context.exitCode() <= 1);
    invocation.put("exitCode", context.exitCode());
    ArrayNode notifications = invocation.putArray("toolExecutionNotifications");
    ArrayNode results = run.putArray("results");
    for (ReportEntry entry : entries) {
      int artifact = artifactIndex.getOrDefault(entry.subject(), -1);
      for (CheckFinding finding : entry.findings()) {
        ObjectNode result = results.addObject();
        result.put("ruleId", finding.code());
        result.put("ruleIndex", ruleIndex.get(finding.code()));
        result.put("level", finding.severity().sarifLevel());
        result.putObject("message").put("text", finding.message());
        ObjectNode physical =
            result.putArray("locations").addObject().putObject("physicalLocation");
        physical.set("artifactLocation",
            artifactLocation(mapper, entry.subject(), context, artifact));
        // A finding with no place of its own is about the whole file (§3.30.2: a region may span
        // the artifact), when its size is known.
        ArtifactDigest read = context.artifacts().get(entry.subject());
        finding.region()
            .or(() -> Optional.ofNullable(read).map(a -> FindingRegion.bytes(0, a.length())))
            .ifPresent(region -> physical.set("region", region(mapper, region)));
        result.putObject("partialFingerprints")
            .put(FINGERPRINT_KEY, fingerprint(entry.subject(), context, finding));
      }
      for (Map.Entry<String, String> skipped : entry.notEvaluated().entrySet()) {
        ObjectNode notification = notifications.addObject();
        notification.putObject("associatedRule")
            .put("id", skipped.getKey())
            .put("index", ruleIndex.get(skipped.getKey()));
        notification.put("level", "error");
        notification.putObject("message")
            .put("text", skipped.getKey() + " was not evaluated: " + skipped.getValue());
        notification.putArray("locations").addObject().putObject("physicalLocation")
            .set("artifactLocation", artifactLocation(mapper, entry.subject(), context, artifact));
      }
    }
    return mapper.writeValueAsBytes(log);
  }

  private static ObjectNode rule(ObjectMapper mapper, String code, Context context) {
    String description = context.describe().apply(code);
    String page = context.documentation().apply(code);
    String helpUri = context.tool().documentationUri() + page;
    ObjectNode rule = mapper.createObjectNode();
    rule.put("id", code);
    rule.put("name", ruleName(code));
    rule.putObject("shortDescription").put("text", description);
    rule.putObject("fullDescription")
        .put("text", description + " Finding code " + code + " of kiln.");
    ObjectNode help = rule.putObject("help");
    help.put("text", description + " See docs/" + page + " (" + helpUri + ").");
    help.put("markdown",
        "**" + code + "**: " + description + "\n\nSee [docs/" + page + "](" + helpUri + ").");
    rule.put("helpUri", helpUri);
    rule.putObject("defaultConfiguration").put("level", "error");
    return rule;
  }

  /** {@code GATE_UNSIGNED} as {@code GateUnsigned}: SARIF §3.49.7 wants an identifier-like name. */
  static String ruleName(String code) {
    StringBuilder name = new StringBuilder();
    for (String word : code.split("_")) {
      if (!word.isEmpty()) {
        name.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
      }
    }
    return name.toString();
  }

  private static ObjectNode region(ObjectMapper mapper, FindingRegion where) {
    ObjectNode region = mapper.createObjectNode();
    if (where.isBinary()) {
      region.put("byteOffset", where.byteOffset());
      if (where.byteLength() >= 0) {
        region.put("byteLength", where.byteLength());
      }
    } else {
      region.put("startLine", where.line());
      if (where.column() > 0) {
        region.put("startColumn", where.column());
      }
      if (where.endColumn() > 0) {
        region.put("endLine", where.line());
        region.put("endColumn", where.endColumn());
      }
    }
    return region;
  }

  /**
   * The subject as an artifact location: relative to {@link #BASE_ID} when it lies under the base
   * directory, else an absolute {@code file:} URI (no relative reference climbs out of the base).
   */
  private static ObjectNode artifactLocation(
      ObjectMapper mapper, String subject, Context context, int index) {
    ObjectNode location = mapper.createObjectNode();
    Path file = context.baseDirectory().resolve(subject.replace('\\', '/')).normalize();
    if (file.startsWith(context.baseDirectory()) && !file.equals(context.baseDirectory())) {
      location.put("uri", toUriReference(context.baseDirectory().relativize(file).toString()));
      location.put("uriBaseId", BASE_ID);
    } else {
      location.put("uri", file.toUri().toASCIIString());
    }
    if (index >= 0) {
      location.put("index", index);
    }
    return location;
  }

  private static String directoryUri(Path directory) {
    String uri = directory.toUri().toASCIIString();
    return uri.endsWith("/") ? uri : uri + "/";
  }

  /**
   * Identifies a finding across runs (same rule, same file, same place, same message): the
   * SHA-256 of those, hex.
   */
  private static String fingerprint(String subject, Context context, CheckFinding finding) {
    String relative =
        context.baseDirectory().relativize(
            context.baseDirectory().resolve(subject).normalize()).toString();
    String identity =
        String.join("\u0000", finding.code(), relative,
            finding.region().map(FindingRegion::toString).orElse(""), finding.message());
    return HexDigests.sha256(identity.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * SARIF wants a URI reference, not a file path: separators become '/', characters that are not
   * allowed in a URI path (spaces, '#', ...) are percent-encoded, and a first segment with a
   * colon gets a leading {@code ./} so that it is not read as a scheme.
   */
  static String toUriReference(String path) {
    String slashed = path.replace('\\', '/');
    int colon = slashed.indexOf(':');
    int slash = slashed.indexOf('/');
    if (colon >= 0 && (slash < 0 || colon < slash)) {
      slashed = "./" + slashed;
    }
    try {
      return new URI(null, null, slashed, null).toASCIIString();
    } catch (URISyntaxException e) {
      // The multi-argument constructor quotes every illegal character, so this cannot happen for
      // a path; keep the message useful anyway.
      throw new IllegalArgumentException("cannot express as a URI: " + path, e);
    }
  }
}
