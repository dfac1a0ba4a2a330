package dev.kiln.pipeline.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.inspector.Finding;
import dev.kiln.inspector.FindingCode;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.VerificationResult;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.fs4.ImageSignatureVerifier;
import dev.kiln.signer.fs4.ImageSigningException;
import dev.kiln.signer.fs4.SignatureReport;
import dev.kiln.signer.fs4.TrustStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The signature options of {@code kiln verify} ({@code --trust}, {@code --trust-image-keys}, {@code
 * --require-signed}) and the signature lines of {@code kiln inspect}. Signature problems become
 * findings (codes {@code SIGNATURE_*}) next to the structural ones, so they fail the command with
 * exit code 1 like any other check.
 */
public final class SignatureTrustOptions {
  @Option(
      names = "--trust",
      arity = "1..*",
      paramLabel = "KEYS",
      description =
          "Trusted public keys: PEM or DER public-key files, PUBLIC_KEYS section files"
              + " (e.g. from 'kiln keys pack') and/or key references (file:, pkcs11:, awskms:;"
              + " their public half). Every signature must verify against one of them.")
  List<String> trustFiles = new ArrayList<>();

  // How --trust key references are opened (--key-pass, --kms-region, --kms-endpoint).
  @Mixin KeyAccessOptions access = new KeyAccessOptions();

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = "--trust-image-keys",
      description = "Trust the keys in the image's own PUBLIC_KEYS_2048/4096 sections.")
  boolean trustImageKeys;

  @Option(
      names = "--require-signed",
      description =
          "Fail when the image carries no RSA signature (implied by the trust options); alone,"
              + " a signature by any key passes.")
  boolean requireSigned;

  private TrustStore loaded;

  /** True when any signature option was given. */
  public boolean active() {
    return !trustFiles.isEmpty() || trustImageKeys || requireSigned;
  }

  /** Adds the signature findings to a structural result; unchanged when no option was given. */
  public VerificationResult apply(Fs4Image image, VerificationResult result) {
    if (!active()) {
      return result;
    }
    TrustStore trust = trustFiles();
    if (trustImageKeys) {
      trust = trust.plus(TrustStore.fromImage(image));
    }
    SignatureReport report;
    try {
      report = ImageSignatureVerifier.verify(image, trust);
    } catch (ImageSigningException | RuntimeException e) {
      if (!result.passed()) {
        return result; // the structural findings already say why the layout is unusable
      }
      return result.withFindings(
          List.of(
              finding(
                  FindingCode.SIGNATURE_INVALID,
                  -1,
                  "IMAGE",
                  "signatures cannot be checked: " + e.getMessage())));
    }
    List<Finding> findings = new ArrayList<>(findings(report, !trust.isEmpty() || requireSigned));
    if (trustFiles.isEmpty() && !trustImageKeys) {
      // --require-signed alone asks whether the image is signed, not by whom: no key was named,
      // so "unknown key" is no failure here.
      findings.removeIf(f -> f.code() == FindingCode.SIGNATURE_UNKNOWN_KEY);
    }
    findings.addAll(lockoutFindings(image, report));
    return result.withFindings(findings);
  }

  /**
   * SIGNATURE_KEY_NOT_IN_IMAGE for each signature that verifies with a trusted key but not with
   * the image's own PUBLIC_KEYS: what a device trusts once it runs the image.
   */
  static List<Finding> lockoutFindings(Fs4Image image, SignatureReport report) {
    List<Finding> findings = new ArrayList<>();
    if (report.entries().stream().noneMatch(e -> e.status() == SignatureReport.Status.VERIFIED)) {
      return findings;
    }
    TrustStore own;
    SignatureReport ownReport;
    try {
      own = TrustStore.fromImage(image);
      ownReport = ImageSignatureVerifier.verify(image, own);
    } catch (ImageSigningException | RuntimeException e) {
      return findings; // the signature findings already say why the layout is unusable
    }
    for (SignatureReport.Entry entry : report.entries()) {
      if (entry.status() != SignatureReport.Status.VERIFIED) {
        continue;
      }
      boolean ownVerifies =
          ownReport.entries().stream()
              .anyMatch(
                  e -> e.sectionName().equals(entry.sectionName())
                      && e.status() == SignatureReport.Status.VERIFIED);
      if (!ownVerifies) {
        findings.add(
            finding(
                FindingCode.SIGNATURE_KEY_NOT_IN_IMAGE,
                entry.offset(),
                entry.sectionName(),
                entry.keyUuid().map(u -> "key UUID " + u + ": ").orElse("")
                    + "the signing key is not among the image's own PUBLIC_KEYS"
                    + (own.isEmpty() ? " (they hold no key)" : "")
                    + ": a device running this image would refuse the next image signed with it"
                    + " (key lock-out)"));
      }
    }
    return findings;
  }

  // Synchronized: ImageVerification checks several images in parallel.
  private synchronized TrustStore trustFiles() {
    if (loaded == null) {
      TrustStore store = TrustStore.empty();
      for (String entry : trustFiles) {
        if (!TrustStore.isKeyReference(entry)) {
          SignCommand.requireReadable(Path.of(entry));
        }
        String file = entry;
        try {
          store = store.plus(TrustStore.load(entry, access.toKeyOptions(spec)));
        } catch (KeyAccessException e) {
          throw new CommandFailure(ExitCodes.KEY_ACCESS, e.getMessage(), e);
        } catch (IOException e) {
          throw new CommandFailure(
              ExitCodes.UNREADABLE_INPUT, ParseErrors.describe(Path.of(file), e), e);
        }
      }
      loaded = store;
    }
    return loaded;
  }

  /** One finding per signature section, plus SIGNATURE_MISSING when nothing is signed. */
  static List<Finding> findings(SignatureReport report, boolean signatureRequired) {
    List<Finding> findings = new ArrayList<>();
    for (SignatureReport.Entry entry : report.entries()) {
      String uuid =
          entry
              .keyUuid()
              .filter(u -> !entry.detail().contains(u.toString()))
              .map(u -> "key UUID " + u + ": ")
              .orElse("");
      FindingCode code =
          switch (entry.status()) {
            case VERIFIED -> FindingCode.SIGNATURE_VERIFIED;
            case UNKNOWN_KEY -> FindingCode.SIGNATURE_UNKNOWN_KEY;
            case NOT_COVERING -> FindingCode.SIGNATURE_NOT_COVERING;
            case BAD_SIGNATURE -> FindingCode.SIGNATURE_INVALID;
            case DIGEST_MISMATCH -> FindingCode.SIGNATURE_DIGEST_MISMATCH;
            case DIGEST_OK, EMPTY -> null;
          };
      if (code != null) {
        findings.add(finding(code, entry.offset(), entry.sectionName(), uuid + entry.detail()));
      }
    }
    if (signatureRequired && !report.isSigned()) {
      findings.add(
          finding(
              FindingCode.SIGNATURE_MISSING,
              -1,
              "IMAGE_SIGNATURE",
              "the image carries no RSA signature (IMAGE_SIGNATURE_256/512 are empty or hold"
                  + " only the unkeyed digest)"));
    }
    return findings;
  }

  private static Finding finding(FindingCode code, long offset, String structure, String text) {
    return Finding.of(code, offset, structure, text);
  }

  /** {@code kiln inspect}: one line per signature section, checked against the image's keys. */
  static void printInspect(PrintWriter out, Fs4Image image) {
    SignatureReport report = inspectReport(image);
    if (report == null) {
      return;
    }
    for (SignatureReport.Entry entry : report.entries()) {
      out.printf(
          "%s check: %s%s%n",
          entry.sectionName(),
          entry.keyUuid().map(u -> "key UUID " + u + ", ").orElse(""),
          inspectVerdict(entry));
    }
  }

  /** {@code kiln inspect --json}: the same as an array {@code signatureChecks}. */
  static void addInspectJson(ObjectNode root, Fs4Image image) {
    SignatureReport report = inspectReport(image);
    ArrayNode checks = root.putArray("signatureChecks");
    if (report == null) {
      return;
    }
    for (SignatureReport.Entry entry : report.entries()) {
      ObjectNode node = checks.addObject();
      node.put("section", entry.sectionName());
      node.put("offset", entry.offset());
      node.put("status", entry.status().name());
      node.put("keyUuid", entry.keyUuid().map(Object::toString).orElse(null));
      node.put("trustedKey", entry.trustedKey().orElse(null));
      node.put("detail", entry.detail());
    }
  }

  private static SignatureReport inspectReport(Fs4Image image) {
    try {
      return ImageSignatureVerifier.verify(image, TrustStore.fromImage(image));
    } catch (ImageSigningException | RuntimeException e) {
      return null;
    }
  }

  private static String inspectVerdict(SignatureReport.Entry entry) {
    return switch (entry.status()) {
      case VERIFIED -> "verifies with " + entry.trustedKey().orElse("the image's keys");
      case UNKNOWN_KEY -> "no matching key in the image's PUBLIC_KEYS sections";
      case NOT_COVERING -> "signed by an image key, but the image changed after signing";
      case BAD_SIGNATURE -> "does not verify with the image's key for this UUID";
      case DIGEST_OK -> "unkeyed digest, matches";
      case DIGEST_MISMATCH -> "unkeyed digest, does not match";
      case EMPTY -> "empty";
    };
  }
}
