package dev.kiln.pipeline.bundle;

import dev.kiln.pipeline.report.CheckFinding;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Reads and verifies bundles fully offline: entry names, manifest signature by a trusted key,
 * and every image's size and SHA-512.
 *
 * <p>The whole bundle is read into memory once, and the verified bytes are the ones handed on (to
 * {@code kiln burn}), so nothing can change between verification and use.
 */
public final class BundleReader {
  /** Refuse bundles with more entries than any real release has (zip bombs by count). */
  static final int MAX_ENTRIES = 256;
  /** Refuse entries larger than any ConnectX flash image (zip bombs by size). */
  static final long MAX_ENTRY_BYTES = 256L * 1024 * 1024;

  private BundleReader() {}

  /** Reads and verifies the bundle file. */
  public static BundleVerification verify(Path bundle, TrustedKeys trust) throws IOException {
    return verify(readBundle(bundle), trust);
  }

  /** Largest bundle file read: every entry at its maximum would never be a real release. */
  static final long MAX_BUNDLE_BYTES = 1L << 30;

  /** Reads a bundle file whole, refusing files no release could be. */
  public static byte[] readBundle(Path bundle) throws IOException {
    long size = Files.size(bundle);
    if (size > MAX_BUNDLE_BYTES) {
      throw new IOException(bundle + ": " + size + " bytes is larger than any bundle (1 GiB)");
    }
    return Files.readAllBytes(bundle);
  }

  /**
   * Verifies bundle bytes.
   *
   * @throws IOException if the bytes are not a readable zip at all (exit 3)
   */
  public static BundleVerification verify(byte[] bundle, TrustedKeys trust) throws IOException {
    List<CheckFinding> findings = new ArrayList<>();
    Map<String, byte[]> entries = readEntries(bundle, findings);

    byte[] manifestBytes = entries.remove(BundleLayout.MANIFEST);
    byte[] signatureBytes = entries.remove(BundleLayout.SIGNATURE);
    BundleManifest manifest = null;
    if (manifestBytes == null) {
      findings.add(
          CheckFinding.error(BundleCodes.MANIFEST_INVALID, "the bundle has no manifest.json"));
    } else {
      try {
        manifest = BundleManifest.parse(manifestBytes);
      } catch (RuntimeException e) {
        findings.add(CheckFinding.error(BundleCodes.MANIFEST_INVALID, e.getMessage()));
      }
    }
    String signerFingerprint = checkSignature(manifestBytes, signatureBytes, trust, findings);

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
    for (String extra : entries.keySet()) {
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

  /**
   * Reads every entry in local-header order. Unsafe, duplicate and directory entries become
   * findings and are left out of the result.
   */
  private static Map<String, byte[]> readEntries(byte[] bundle, List<CheckFinding> findings)
      throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    int count = 0;
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bundle))) {
      for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
        if (++count > MAX_ENTRIES) {
          throw new IOException("the bundle has more than " + MAX_ENTRIES + " entries");
        }
        String name = entry.getName();
        if (!isSafeName(name)) {
          findings.add(
              CheckFinding.error(
                  BundleCodes.UNSAFE_ENTRY_NAME,
                  "entry '" + name + "' could be extracted outside its directory"));
          continue;
        }
        byte[] data = readLimited(zip, name);
        if (entries.containsKey(name)) {
          findings.add(
              CheckFinding.error(
                  BundleCodes.DUPLICATE_ENTRY, "the bundle holds two entries named " + name));
          continue;
        }
        if (entry.isDirectory()) {
          findings.add(
              CheckFinding.error(BundleCodes.EXTRA_ENTRY, "the bundle holds directory " + name));
          continue;
        }
        entries.put(name, data);
      }
    } catch (ZipException e) {
      throw new IOException("not a readable bundle (zip): " + e.getMessage(), e);
    }
    if (count == 0) {
      throw new IOException("not a bundle: no zip entries");
    }
    return entries;
  }

  /** Names that stay inside the extraction directory on every platform. */
  static boolean isSafeName(String name) {
    if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.contains(":")
        || name.indexOf('\0') >= 0) {
      return false;
    }
    for (String part : name.split("/", -1)) {
      if (part.equals("..") || part.equals(".")) {
        return false;
      }
    }
    return true;
  }

  private static byte[] readLimited(InputStream in, String name) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
      total += n;
      if (total > MAX_ENTRY_BYTES) {
        throw new IOException("bundle entry " + name + " is larger than " + MAX_ENTRY_BYTES);
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
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
