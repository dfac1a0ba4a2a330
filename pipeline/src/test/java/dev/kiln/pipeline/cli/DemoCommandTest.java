package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.pipeline.check.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * {@code kiln demo} runs end to end in-process, as the README's first command: every step must
 * pass (a missing part would make the demo exit 1 and this test fail).
 */
class DemoCommandTest {
  @Test
  void demoTellsTheWholeStory() {
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
