package dev.kiln.pipeline.bundle;

import dev.kiln.inspector.io.BoundedFiles;
import dev.kiln.pipeline.report.CheckFinding;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and verifies bundles fully offline: entry names, manifest signature by a trusted key,
 * and every image's size and SHA-512.
 *
 * <p>The whole bundle is read into memory once, and the verified bytes are the ones handed on (to
 * {@code kiln burn}), so nothing can change between verification and use.
 */
public final class BundleReader {
  private BundleReader() {}

  /** Reads and verifies the bundle file. */
  public static BundleVerification verify(Path bundle, TrustedKeys trust) throws IOException {
    return named(bundle, () -> verify(readBundle(bundle), trust));
  }

  /** {@link #readUnverified(byte[], TrustedKeys)} of a bundle file. */
  public static BundleVerification readUnverified(Path bundle, TrustedKeys trust)
      throws IOException {
    return named(bundle, () -> readUnverified(readBundle(bundle), trust));
  }

  /** Reading of bundle bytes that may refuse the archive. */
  interface BundleRead<T> {
    T run() throws IOException;
  }

  /** Runs {@code read}, naming {@code bundle} in a refusal of its archive. */
  static <T> T named(Path bundle, BundleRead<T> read) throws IOException {
    try {
      return read.run();
    } catch (BundleArchive.MalformedBundleException e) {
      throw new BundleArchive.MalformedBundleException(bundle + ": " + e.getMessage(), e);
    }
  }

  /** Largest bundle file read: every entry at its maximum would never be a real release. */
  static final long MAX_BUNDLE_BYTES = 1L << 30;

  /** Reads a bundle file whole, refusing files no release could be. */
  public static byte[] readBundle(Path bundle) throws IOException {
    return BoundedFiles.read(bundle, MAX_BUNDLE_BYTES, "a bundle");
  }

  /**
   * Verifies bundle bytes.
   *
   * @throws IOException if the bytes are not a readable zip at all (exit 3)
   */
  public static BundleVerification verify(byte[] bundle, TrustedKeys trust) throws IOException {
    return verify(bundle, trust, false);
  }

  /**
   * Reads bundle bytes for display without trusting them: the manifest is parsed (strictly and
   * bounded) even when its signature is missing or does not verify. Nothing read this way may be
   * used to burn; {@link BundleVerification#verified()} still tells whether it verifies.
   */
  public static BundleVerification readUnverified(byte[] bundle, TrustedKeys trust)
      throws IOException {
    return verify(bundle, trust, true);
  }

  /**
   * The manifest's signature is checked over its raw bytes first; only a manifest signed by a
   * trusted key is parsed at all (unless {@code parseUnverified}, for display), so a hostile
   * manifest never reaches the JSON parser of a verifier.
   */
  private static BundleVerification verify(
      byte[] bundle, TrustedKeys trust, boolean parseUnverified) throws IOException {
    List<CheckFinding> findings = new ArrayList<>();
    Map<String, byte[]> entries = BundleArchive.read(bundle, findings);

    byte[] manifestBytes = entries.remove(BundleLayout.MANIFEST);
    byte[] signatureBytes = entries.remove(BundleLayout.SIGNATURE);
    if (manifestBytes == null) {
      findings.add(
          CheckFinding.error(BundleCodes.MANIFEST_INVALID, "the bundle has no manifest.json"));
    }
    int before = findings.size();
    String signerFingerprint = checkSignature(manifestBytes, signatureBytes, trust, findings);
    boolean signatureVerified = manifestBytes != null && findings.size() == before;
    BundleManifest manifest = null;
    if (manifestBytes != null && (signatureVerified || parseUnverified)) {
      try {
        manifest = BundleManifest.parse(manifestBytes);
      } catch (IllegalArgumentException e) {
        findings.add(CheckFinding.error(BundleCodes.MANIFEST_INVALID, e.getMessage()));
      }
    }

    Map<String, byte[]> images = new LinkedHashMap<>();
    if (manifest != null) {
      for (ManifestImage image : manifest.images()) {
        byte[] bytes = entries.remove(image.path());
        if (bytes == null) {
          findings.add(
              CheckFinding.error(
                  BundleCodes.IMAGE_MISSING,
                  "the manifest lists " + image.path() + " but the bundle does not hold it"));
          continue;
        }
        if (bytes.length != image.size() || !sha512Hex(bytes).equals(image.sha512())) {
          findings.add(
              CheckFinding.error(
                  BundleCodes.IMAGE_DIGEST_MISMATCH,
                  image.path() + " does not match the manifest's SHA-512: it was changed or"
                      + " swapped"));
          continue;
        }
        images.put(image.path(), bytes);
      }
    }
    // Without a manifest (missing, or left unparsed because its signature failed) nothing says
    // which entries belong: the signature finding is the one that matters.
    for (String extra : manifest == null ? List.<String>of() : entries.keySet()) {
      findings.add(
          CheckFinding.error(
              BundleCodes.EXTRA_ENTRY,
              "the bundle holds " + extra + ", which the manifest does not list"));
    }
    return new BundleVerification(findings, manifest, images, signerFingerprint);
  }

  private static String checkSignature(
      byte[] manifestBytes, byte[] signatureBytes, TrustedKeys trust, List<CheckFinding> out) {
    DetachedSignature.Check check = DetachedSignature.check(manifestBytes, signatureBytes, trust);
    switch (check.status()) {
      case MISSING -> out.add(
          CheckFinding.error(BundleCodes.SIGNATURE_MISSING, "the bundle has no manifest.sig"));
      case UNREADABLE -> out.add(
          CheckFinding.error(
              BundleCodes.SIGNATURE_MISSING, "manifest.sig is not a kiln signature document"));
      case UNKNOWN_KEY -> out.add(
          CheckFinding.error(
              BundleCodes.UNKNOWN_KEY,
              "the manifest is signed by key " + check.fingerprint()
                  + ", which is not among the trusted keys"));
      case BAD_SIGNATURE -> out.add(
          CheckFinding.error(
              BundleCodes.BAD_SIGNATURE,
              "the manifest signature does not verify: the manifest or its signature was"
                  + " changed"));
      case VALID -> {
        // nothing to report
      }
    }
    return check.fingerprint();
  }

  /** Lower-case hex SHA-512. */
  public static String sha512Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JRE has SHA-512", e);
    }
  }
}
