package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.pipeline.demo.Demo;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@code kiln demo} runs end to end in-process, as the README's first command. */
class DemoCommandTest {
  /**
   * The demo's first steps need {@code kiln build} and the sample description, which another
   * part of the project provides; until both are in the build the demo reports them MISSING
   * (checked below) and the end-to-end assertion cannot hold.
   */
  static boolean buildAvailable() {
    return DemoCommandTest.class.getResource(Demo.SAMPLE_DESCRIPTION) != null
        && KilnCli.newCommandLine(new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()))
            .getSubcommands().containsKey("build");
  }

  @Test
  void missingPartsAreReportedNotFaked() {
    Assumptions.assumeFalse(buildAvailable(), "kiln build and the sample are present");
    Fixtures.Result result = Fixtures.kiln("demo");
    assertEquals(1, result.exitCode(), result.out() + result.err());
    assertTrue(result.out().contains("MISSING"), result.out());
    assertTrue(result.out().contains("skipped"), result.out());
  }

  @Test
  void demoTellsTheWholeStory() {
    Assumptions.assumeTrue(buildAvailable(), "kiln build or the sample description is missing");
    Fixtures.Result result = Fixtures.kiln("demo");
    assertEquals(0, result.exitCode(), result.out() + result.err());
    String story = result.out();
    assertTrue(story.contains("NOT FOR PRODUCTION"), story);
    assertTrue(story.contains("rejected: UNSIGNED"), story);
    assertTrue(story.contains("rejected: FORBIDDEN_VERSION"), story);
    assertTrue(story.contains("CVE-DEMO-0001"), story);
    assertTrue(story.contains("FW Version: 22.41.1000"), story);
    assertTrue(story.contains("The release path worked end to end"), story);
    assertTrue(story.lines().count() < 40, story);
  }
}
