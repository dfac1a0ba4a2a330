package dev.kiln.pipeline.report;

import java.util.Objects;

/**
 * What was read of a subject file: the SHA-256 and size of the very bytes that were judged (SARIF
 * {@code artifacts[].hashes} and {@code length}, the gate's JSON {@code sha256}).
 *
 * @param sha256 lower-case hex SHA-256
 * @param length size in bytes
 */
public record ArtifactDigest(String sha256, long length) {
  public ArtifactDigest {
    Objects.requireNonNull(sha256, "sha256");
  }

  /** The digest of {@code bytes}. */
  public static ArtifactDigest of(byte[] bytes) {
    return new ArtifactDigest(HexDigests.sha256(bytes), bytes.length);
  }
}
