package dev.kiln.pipeline.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, point 1: both CI examples, executed step by step as their CI system would, in a fresh
 * clone, with the kiln distribution fetched by their own install step (the one substitution: its
 * download URL, KILN_DIST_URL, points at the archive {@code mvn package} built) and no Maven on
 * PATH. A failing step, an action or expression this runner does not know, or a report or
 * artifact the workflow names but did not produce fails the test.
 */
@Tag("distribution")
class ExampleCiTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @TempDir Path dir;

  static String distributionUrl() {
    return Distribution.archive().toUri().toString();
  }

  static Distribution.Run bash(Path cwd, Map<String, String> env, String script) throws Exception {
    return Distribution.run(cwd, env,
        List.of("/bin/bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script));
  }

  @Test
  void theGithubActionsWorkflowRunsStepByStep() throws Exception {
    JsonNode workflow = YAML.readTree(
        FreshClone.REPOSITORY.resolve("examples/ci/github-actions.yml").toFile());
    Map<String, String> env = ExamplesRunTest.environment(dir, null);
    workflow.path("env").properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
    assertTrue(env.containsKey("KILN_DIST_URL"), "the workflow names where kiln comes from");
    env.put("KILN_DIST_URL", distributionUrl());
    Path runnerTemp = Files.createDirectories(dir.resolve("runner-temp"));
    env.put("RUNNER_TEMP", runnerTemp.toString());
    env.put("CI", "true");
    env.put("GITHUB_ACTIONS", "true");
    Path githubEnv = runnerTemp.resolve("github-env");
    Path githubPath = runnerTemp.resolve("github-path");

    Iterator<Map.Entry<String, JsonNode>> jobs = workflow.path("jobs").properties().iterator();
    assertTrue(jobs.hasNext(), "the workflow has a job");
    while (jobs.hasNext()) {
      Map.Entry<String, JsonNode> job = jobs.next();
      Path workspace = Files.createDirectories(dir.resolve("github").resolve(job.getKey()));
      env.put("GITHUB_WORKSPACE", workspace.toString());
      List<String> failures = new ArrayList<>();
      int index = 0;
      for (JsonNode step : job.getValue().path("steps")) {
        String name = step.path("name").asText(step.path("uses").asText("step " + index++));
        String condition = step.path("if").asText("");
        if (!condition.isEmpty() && !condition.equals("always()")) {
          fail(name + ": this runner knows only if: always(), not " + condition);
        }
        if (!failures.isEmpty() && condition.isEmpty()) {
          continue; // GitHub skips a step after a failure unless it says if: always()
        }
        if (step.has("uses")) {
          String failure = action(step, workspace);
          if (failure != null) {
            failures.add(name + ": " + failure);
          }
          continue;
        }
        String script = step.path("run").asText(null);
        assertTrue(script != null, name + ": neither uses nor run");
        assertFalse(script.contains("${{"), name + ": an expression this runner cannot evaluate");
        Files.writeString(githubEnv, "");
        Files.writeString(githubPath, "");
        Map<String, String> stepEnv = new HashMap<>(env);
        step.path("env").properties().forEach(e -> stepEnv.put(e.getKey(), e.getValue().asText()));
        stepEnv.put("GITHUB_ENV", githubEnv.toString());
        stepEnv.put("GITHUB_PATH", githubPath.toString());
        Distribution.Run run = bash(workspace, stepEnv, script);
        if (run.exitCode() != 0) {
          failures.add(name + ": exit " + run.exitCode() + "\n" + run.out());
        }
        for (String line : Files.readAllLines(githubEnv)) {
          int equals = line.indexOf('=');
          assertTrue(equals > 0, name + ": GITHUB_ENV line " + line);
          env.put(line.substring(0, equals), line.substring(equals + 1));
        }
        for (String line : Files.readAllLines(githubPath)) {
          env.put("PATH", line + ":" + env.get("PATH"));
        }
      }
      assertEquals(List.of(), failures, "job " + job.getKey());
      assertTrue(Files.isRegularFile(workspace.resolve("out/cx6dx-sample.bin")),
          "the build step produced out/*.bin");
    }
  }

  /** Plays one {@code uses:} step; returns why it failed, or null. */
  private String action(JsonNode step, Path workspace) throws Exception {
    String uses = step.path("uses").asText();
    String action = uses.substring(0, uses.indexOf('@') < 0 ? uses.length() : uses.indexOf('@'));
    JsonNode with = step.path("with");
    switch (action) {
      case "actions/checkout" -> FreshClone.into(workspace);
      case "actions/setup-java" -> {
        int wanted = Integer.parseInt(with.path("java-version").asText("0"));
        assertTrue(wanted >= 17, "kiln needs Java 17 or later, the workflow asks for " + wanted);
        assertTrue(Runtime.version().feature() >= wanted, "this JVM is older than the workflow's");
      }
      case "actions/cache" -> assertFalse(with.path("path").asText().isEmpty(), "cache path");
      case "github/codeql-action/upload-sarif" -> {
        Path sarif = workspace.resolve(with.path("sarif_file").asText());
        if (!Files.isRegularFile(sarif)) {
          return "no SARIF file " + sarif;
        }
        JsonNode json = new ObjectMapper().readTree(sarif.toFile());
        assertEquals("2.1.0", json.path("version").asText(), "SARIF version");
      }
      case "actions/upload-artifact" -> {
        Path artifact = workspace.resolve(with.path("path").asText());
        if (!Files.exists(artifact)) {
          return "no artifact " + artifact;
        }
      }
      default -> fail("an action this runner does not know: " + uses);
    }
    return null;
  }

  @Test
  void theGitlabPipelineRunsJobByJob() throws Exception {
    JsonNode pipeline = YAML.readTree(
        FreshClone.REPOSITORY.resolve("examples/ci/gitlab-ci.yml").toFile());
    Set<String> keywords = Set.of("stages", "variables", "default", "include", "workflow");
    Map<String, JsonNode> jobs = new LinkedHashMap<>();
    pipeline.properties().forEach(e -> {
      if (!keywords.contains(e.getKey()) && !e.getKey().startsWith(".")) {
        jobs.put(e.getKey(), extended(pipeline, e.getValue()));
      }
    });
    Map<String, String> variables = new HashMap<>();
    pipeline.path("variables").properties()
        .forEach(e -> variables.put(e.getKey(), e.getValue().asText()));
    assertTrue(variables.containsKey("KILN_DIST_URL"), "the pipeline names where kiln comes from");
    variables.put("KILN_DIST_URL", distributionUrl());

    Map<String, Path> ran = new HashMap<>();
    for (JsonNode stage : pipeline.path("stages")) {
      for (Map.Entry<String, JsonNode> entry : jobs.entrySet()) {
        JsonNode job = entry.getValue();
        if (!job.path("stage").asText("test").equals(stage.asText())) {
          continue;
        }
        String name = entry.getKey();
        // Each job starts from a fresh checkout plus the artifacts of the jobs it needs.
        Path project = FreshClone.into(dir.resolve("gitlab").resolve(name));
        for (JsonNode need : job.path("needs")) {
          Path from = ran.get(need.asText());
          assertTrue(from != null, name + " needs " + need.asText() + ", which did not run first");
          for (JsonNode artifact : jobs.get(need.asText()).path("artifacts").path("paths")) {
            copyTree(from.resolve(artifact.asText()), project.resolve(artifact.asText()));
          }
        }
        Map<String, String> env = ExamplesRunTest.environment(dir.resolve("env-" + name), null);
        env.putAll(variables);
        env.put("CI", "true");
        env.put("GITLAB_CI", "true");
        env.put("CI_PROJECT_DIR", project.toString());
        List<String> lines = new ArrayList<>();
        job.path("before_script").forEach(line -> lines.add(line.asText()));
        job.path("script").forEach(line -> lines.add(line.asText()));
        assertFalse(lines.isEmpty(), name + " has a script");
        Distribution.Run run = bash(project, env, String.join("\n", lines));
        assertEquals(0, run.exitCode(), name + ":\n" + run.out());
        JsonNode artifacts = job.path("artifacts");
        List<String> kept = new ArrayList<>();
        artifacts.path("paths").forEach(path -> kept.add(path.asText()));
        artifacts.path("reports").properties().forEach(report -> kept.add(report.getValue().asText()));
        for (String path : kept) {
          assertTrue(Files.exists(project.resolve(path)), name + " did not produce " + path);
        }
        ran.put(name, project);
      }
    }
    assertEquals(jobs.keySet(), ran.keySet(), "every job belongs to a stage and ran");
    assertTrue(Files.readString(ran.get("kiln-gate").resolve("kiln-gate.xml"),
        StandardCharsets.UTF_8).contains("<testsuite"), "a JUnit report");
  }

  /** A job with the keys of the hidden job it {@code extends} that it does not set itself. */
  private static JsonNode extended(JsonNode pipeline, JsonNode job) {
    if (!job.has("extends")) {
      return job;
    }
    JsonNode base = pipeline.path(job.path("extends").asText());
    assertTrue(base.isObject(), "extends names a job: " + job.path("extends"));
    ObjectNode merged = ((ObjectNode) extended(pipeline, base)).deepCopy();
    job.properties().forEach(e -> merged.set(e.getKey(), e.getValue()));
    return merged;
  }

  private static void copyTree(Path from, Path to) throws Exception {
    assertTrue(Files.exists(from), "artifact " + from + " missing");
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path source : (Iterable<Path>) walk::iterator) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES,
              StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
