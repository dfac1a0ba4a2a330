package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * The launcher's class-data-sharing training run must exercise what it claims: every step,
 * including the build and the quick verify/inspect of the large image, has to succeed, or the
 * archive silently misses the classes of that path and one-shot commands get slower.
 */
class StartupTrainingTest {
  @Test
  void everyTrainingStepSucceeds() throws Exception {
    StringWriter report = new StringWriter();
    int exitCode = StartupTraining.run(new PrintWriter(report, true));
    assertEquals("", report.toString());
    assertEquals(0, exitCode);
  }
}
