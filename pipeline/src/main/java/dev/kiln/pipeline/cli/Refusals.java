package dev.kiln.pipeline.cli;

import java.util.List;

/**
 * The output rule for refusals, shared by {@code burn}, {@code update} and {@code check}: every
 * finding is printed once, on stdout (a text line with its code, or in the JSON document); a
 * command that was asked to change a device and refused adds exactly one {@code kiln:} line on
 * stderr that names the outcome and the finding codes but never repeats a finding's message.
 * {@code kiln check} is asked for a verdict, so its REFUSE line on stdout is the outcome and
 * nothing goes to stderr. Documented in docs/burner.md ("One refusal, printed once").
 */
final class Refusals {
  private Refusals() {}

  /** {@code SUBJECT: OUTCOME [CODE] [CODE]}, e.g. the stderr line of a refused burn. */
  static String summary(String subject, String outcome, List<String> codes) {
    StringBuilder line = new StringBuilder(subject).append(": ").append(outcome);
    for (String code : codes) {
      line.append(" [").append(code).append(']');
    }
    return line.toString();
  }
}
