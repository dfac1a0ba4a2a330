package dev.kiln.pipeline.release;

/**
 * One step of a release (build, sign, verify, check, bundle). A stage reads what earlier stages
 * left in the {@link PipelineContext}, does one thing, and records its products there; it never
 * writes outside the context's work directory, so a dry run or a failed release leaves no trace.
 */
public interface Stage {
  /** Short lower-case name printed in progress lines and failures, e.g. {@code sign}. */
  String name();

  /** Runs the stage; a failure names what went wrong (the runner adds the stage name). */
  void invoke(PipelineContext context) throws PipelineException;
}
