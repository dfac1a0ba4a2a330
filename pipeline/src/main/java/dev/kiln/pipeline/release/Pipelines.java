package dev.kiln.pipeline.release;

import java.util.List;

/** The release pipeline, composed so that it reads like the process. */
public final class Pipelines {
  private Pipelines() {}

  /**
   * build → keys (PUBLIC_KEYS provisioning) → sign → verify → check → bundle → packages (MFA2 and
   * DSP0267 from the same images; every package verified).
   */
  public static List<Stage> release(ImageBuilder builder) {
    return List.of(
        new BuildStage(builder),
        new ProvisionKeysStage(),
        new SignStage(),
        new VerifyStage(),
        new CheckStage(),
        new BundleStage(),
        new PackagesStage());
  }
}
