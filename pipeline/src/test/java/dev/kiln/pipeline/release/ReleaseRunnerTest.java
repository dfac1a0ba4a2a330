package dev.kiln.pipeline.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.signer.KeyAccessException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stage runner: order, first failure named, publication only after success, dry run. */
class ReleaseRunnerTest {
  @TempDir Path dir;

  PipelineContext context(boolean dryRun, StringWriter text) throws Exception {
    ReleaseDescription description =
        new ReleaseDescription(
            "t", dir.resolve("out"),
            List.of(new ReleaseDescription.ImageSource(Optional.empty(),
                Optional.of(dir.resolve("in.bin")))),
            List.of(), false,
            new ReleaseDescription.Signing("file:k.pem", "00000000000000000000000000000001",
                Optional.empty(), Optional.empty(), Optional.empty(), false),
            List.of(dir.resolve("k.pub.pem")), List.of(), Optional.empty(),
            Path.of("t.kbundle"), "file:k.pem", Optional.empty());
    Path work = Files.createDirectories(dir.resolve("work"));
    return new PipelineContext(
        description, dryRun, work, new PrintWriter(text, true), Clock.systemUTC(),
        (reference, options) -> {
          throw new KeyAccessException("no keys in this test");
        });
  }

  /** A stage that records its run and leaves one product. */
  static Stage producing(String name, List<String> ran) {
    return new Stage() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void invoke(PipelineContext context) throws PipelineException {
        ran.add(name);
        try {
          Path file = context.workDirectory().resolve(name + ".out");
          Files.writeString(file, name, StandardCharsets.UTF_8);
          context.addProduct(file, name + ".out");
        } catch (java.io.IOException e) {
          throw new PipelineException(3, e.getMessage(), e);
        }
      }
    };
  }

  static Stage failing(String name, List<String> ran) {
    return new Stage() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void invoke(PipelineContext context) throws PipelineException {
        ran.add(name);
        throw new PipelineException(4, "the HSM said no");
      }
    };
  }

  @Test
  void runsInOrderAndPublishes() throws Exception {
    List<String> ran = new ArrayList<>();
    StringWriter text = new StringWriter();
    ReleaseRunner.run(context(false, text), List.of(producing("a", ran), producing("b", ran)));
    assertEquals(List.of("a", "b"), ran);
    assertTrue(text.toString().startsWith("[1/2] a"), text.toString());
    assertEquals("a", Files.readString(dir.resolve("out/a.out")));
    assertEquals("b", Files.readString(dir.resolve("out/b.out")));
  }

  @Test
  void stopsAtTheFirstFailureNamingTheStageAndPublishesNothing() throws Exception {
    List<String> ran = new ArrayList<>();
    StringWriter text = new StringWriter();
    PipelineException e =
        assertThrows(
            PipelineException.class,
            () -> ReleaseRunner.run(
                context(false, text),
                List.of(producing("a", ran), failing("sign", ran), producing("c", ran))));
    assertEquals("stage sign failed: the HSM said no", e.getMessage());
    assertEquals(4, e.exitCode());
    assertEquals(List.of("a", "sign"), ran);
    assertTrue(text.toString().contains("[2/3] sign FAILED"), text.toString());
    assertFalse(Files.exists(dir.resolve("out")));
  }

  @Test
  void dryRunPublishesNothing() throws Exception {
    List<String> ran = new ArrayList<>();
    StringWriter text = new StringWriter();
    ReleaseRunner.run(context(true, text), List.of(producing("a", ran)));
    assertEquals(List.of("a"), ran);
    assertFalse(Files.exists(dir.resolve("out")));
    assertTrue(text.toString().contains("nothing was written (1 file(s) would be published)"));
  }

  @Test
  void signStageMapsKeyFailuresToExit4() throws Exception {
    StringWriter text = new StringWriter();
    PipelineException e =
        assertThrows(
            PipelineException.class,
            () -> ReleaseRunner.run(context(false, text), List.of(new SignStage())));
    assertEquals(4, e.exitCode());
    assertEquals("stage sign failed: no keys in this test", e.getMessage());
  }
}
