package dev.kiln.pipeline.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, point 1: the commands of examples/README.md, run as shipped in a fresh clone with the
 * distribution's kiln on PATH (and no Maven): a lab token made by create-token.sh --generate as
 * setup-lab.sh does, {@code kiln release examples/release.json --dry-run} and for real, and the
 * gate's verdict on the released image (pass) and on an unsigned one (refused). A file an example
 * names that does not exist makes a command, and so this test, fail.
 */
@Tag("distribution")
class ExamplesRunTest {
  /** The tools the examples' scripts use; Maven is not among them. */
  static final List<String> TOOLS =
      List.of("bash", "env", "readlink", "curl", "tar", "gzip", "mkdir", "cat", "cp", "mv", "ls",
          "date", "dirname", "sed", "grep", "rm", "mktemp", "chmod", "softhsm2-util",
          "pkcs11-tool");

  @TempDir Path dir;

  /** The environment of a job on a clean machine: HOME, TMPDIR and PATH inside {@code dir}. */
  static Map<String, String> environment(Path dir, String extraPath) throws Exception {
    Path tools = Distribution.tools(dir.resolve("tools"), TOOLS);
    Map<String, String> env = new HashMap<>();
    env.put("HOME", Files.createDirectories(dir.resolve("home")).toString());
    env.put("TMPDIR", Files.createDirectories(dir.resolve("tmp")).toString());
    env.put("XDG_STATE_HOME", dir.resolve("state").toString());
    env.put("PATH", (extraPath == null ? "" : extraPath + ":") + Distribution.path(tools));
    env.put("LANG", "C.UTF-8");
    return env;
  }

  /** The {@code ```sh} blocks of a Markdown file, in order. */
  static List<String> shellBlocks(Path markdown) throws Exception {
    Matcher matcher =
        Pattern.compile("(?m)^```sh\\n(.*?)^```$", Pattern.DOTALL)
            .matcher(Files.readString(markdown));
    List<String> blocks = new ArrayList<>();
    while (matcher.find()) {
      blocks.add(matcher.group(1));
    }
    return blocks;
  }

  @Test
  void theReadmeCommandsRunAsShipped() throws Exception {
    Path home = Distribution.unpack(dir.resolve("opt"));
    Path clone = FreshClone.into(dir.resolve("clone"));
    for (String made : List.of("keys", "targets", "feeds", "out")) {
      assertTrue(!Files.exists(clone.resolve("examples").resolve(made)),
          "a fresh clone has no examples/" + made + " until setup-lab.sh makes it");
    }
    List<String> blocks = shellBlocks(clone.resolve("examples/README.md"));
    assertEquals(2, blocks.size(), "the release and the gate blocks");
    Map<String, String> env = environment(dir, home.resolve("bin").toString());
    Distribution.Run run =
        Distribution.run(clone, env,
            List.of("/bin/bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                String.join("\n", blocks)));
    String out = run.out();
    assertEquals(0, run.exitCode(), out);
    assertTrue(out.contains("release cx6dx-22.41.1000: dry run passed"), out);
    assertTrue(out.contains("[3/7] sign"), out);
    assertTrue(out.contains("IMAGE_SIGNATURE_256 with pkcs11:token=release;object=fw-rsa2048"),
        out);
    assertTrue(out.contains("target lab-cx6dx accepts cx6dx-sample.bin (22.41.1000)"), out);
    assertTrue(out.contains("release cx6dx-22.41.1000: done"), out);
    assertTrue(out.contains("gate passed: 1 image(s)"), out);
    assertTrue(out.contains("GATE_UNSIGNED"), out);
    assertTrue(out.contains("gate refused it: exit 1"), out);
    assertTrue(Files.isRegularFile(
        clone.resolve("examples/out/cx6dx-22.41.1000/cx6dx-22.41.1000.kbundle")));
  }
}
