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
    // The second part: a ConnectX-4 Lx, FS3 firmware, through build, sign, burn and reset.
    assertTrue(story.contains("emu:device-cx4lx runs 14.31.1200 (FS3)"), story);
    assertTrue(story.contains("FW Version: 14.32.1010"), story);
    assertTrue(story.contains("The release path worked end to end"), story);
    assertTrue(story.lines().count() < 52, story);
  }
}
