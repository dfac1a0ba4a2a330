package dev.kiln.pipeline.gate;

import dev.kiln.burner.precheck.ImageFacts;
import dev.kiln.burner.precheck.PreValidator;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.ImageVerifier;
import dev.kiln.inspector.VerificationResult;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.check.ImageFactsSource;
import dev.kiln.pipeline.feed.FeedCodec;
import dev.kiln.pipeline.feed.FeedEntry;
import dev.kiln.pipeline.feed.FeedException;
import dev.kiln.pipeline.feed.ForbiddenVersionsFeed;
import dev.kiln.pipeline.report.CheckFinding;
import dev.kiln.pipeline.report.ReportEntry;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.fs4.ImageSignatureVerifier;
import dev.kiln.signer.fs4.ImageSigningException;
import dev.kiln.signer.fs4.SignatureReport;
import dev.kiln.signer.fs4.TrustStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The CI gate: checks each image against a {@link GatePolicy} and fails closed, i.e. anything the
 * gate cannot positively establish (an unreadable image, an unverifiable signature, an unusable
 * feed) is a failure.
 */
public final class Gate {
  /** Every check the gate runs per image, in order (JUnit lists each as a test case). */
  public static final List<String> CHECKS =
      List.of(
          GateCodes.UNREADABLE_IMAGE, GateCodes.STRUCTURE_INVALID, GateCodes.UNSIGNED,
          GateCodes.UNTRUSTED_KEY, GateCodes.SIGNATURE_INVALID, GateCodes.MISSING_SIGNATURE,
          GateCodes.PSID_NOT_ALLOWED, GateCodes.DEVICE_NOT_ALLOWED, GateCodes.NOT_SECURE_FW,
          GateCodes.FORBIDDEN_VERSION, GateCodes.SECURITY_VERSION_TOO_LOW,
          GateCodes.KEY_LOCKOUT);

  private final GatePolicy policy;
  private final ImageFactsSource facts;
  private final Clock clock;

  public Gate(GatePolicy policy, ImageFactsSource facts, Clock clock) {
    this.policy = policy;
    this.facts = facts;
    this.clock = clock;
  }

  /**
   * Runs the gate over the images.
   *
   * @throws IOException if a trusted key or the feed file named by the policy cannot be read
   * @throws KeyAccessException if a trusted key file holds no usable key
   */
  public GateResult run(List<Path> images) throws IOException, KeyAccessException {
    TrustStore trust = TrustStore.empty();
    for (Path key : policy.trustedKeys()) {
      trust = trust.plus(TrustStore.load(key));
    }
    List<ReportEntry> entries = new ArrayList<>();
    Optional<ForbiddenVersionsFeed> feed = Optional.empty();
    if (policy.feed().isPresent()) {
      GatePolicy.FeedSource source = policy.feed().get();
      byte[] bytes = Files.readAllBytes(source.path());
      try {
        feed =
            Optional.of(
                FeedCodec.verify(bytes, TrustedKeys.load(source.trustedKeys()), clock.instant()));
        entries.add(new ReportEntry(source.path().toString(), List.of("FEED_VALID"), List.of()));
      } catch (FeedException e) {
        // The images are still checked, but the gate fails: a stale or forged feed must never
        // let a forbidden version through.
        entries.add(
            new ReportEntry(
                source.path().toString(), List.of("FEED_VALID"),
                List.of(CheckFinding.error(e.code(), e.getMessage()))));
      }
    }
    GatedPackages packages = new GatedPackages(policy.packageKeys());
    for (Path input : images) {
      if (GatedPackages.isPackage(input)) {
        GatedPackages.Opened opened = packages.open(input);
        entries.add(opened.entry());
        for (GatedPackages.Image image : opened.images()) {
          entries.add(check(image.image(), image.subject(), image.expected(), trust, feed));
        }
      } else {
        entries.add(checkImage(input, trust, feed));
      }
    }
    return new GateResult(entries);
  }

  private ReportEntry checkImage(
      Path path, TrustStore trust, Optional<ForbiddenVersionsFeed> feed) {
    String subject = path.toString();
    Fs4Image image;
    try {
      image = ImageParser.parse(path);
    } catch (IOException e) {
      return new ReportEntry(subject, CHECKS, List.of(
          CheckFinding.error(
              GateCodes.UNREADABLE_IMAGE, "not a readable FS4 image: " + e.getMessage())));
    }
    return check(image, subject, code -> false, trust, feed);
  }

  /**
   * Gates one parsed image; {@code expected} names structural finding codes its package makes
   * expected (an MFA2 component has no DTOC).
   */
  private ReportEntry check(
      Fs4Image image, String subject, Predicate<String> expected, TrustStore trust,
      Optional<ForbiddenVersionsFeed> feed) {
    List<CheckFinding> findings = new ArrayList<>();
    VerificationResult structure = ImageVerifier.verify(image);
    List<dev.kiln.inspector.Finding> errors =
        structure.errors().stream().filter(f -> !expected.test(f.code().name())).toList();
    if (!errors.isEmpty()) {
      findings.add(
          CheckFinding.error(
              GateCodes.STRUCTURE_INVALID,
              "the image fails structural verification: "
                  + errors.stream().limit(3).map(Object::toString)
                      .collect(Collectors.joining("; "))));
    }
    checkSignatures(image, trust, findings);
    ImageFacts imageFacts;
    try {
      imageFacts = facts.read(image);
    } catch (IOException | RuntimeException e) {
      findings.add(
          CheckFinding.error(
              GateCodes.UNREADABLE_IMAGE, "cannot read the image's IMAGE_INFO: " + e.getMessage()));
      return new ReportEntry(subject, CHECKS, findings);
    }
    checkTargeting(imageFacts, findings);
    if (policy.requireSecureFw() && !(imageFacts.mccEnabled() && imageFacts.secureFw())) {
      findings.add(
          CheckFinding.error(
              GateCodes.NOT_SECURE_FW,
              "the image is not secure firmware (mcc_en=" + imageFacts.mccEnabled()
                  + ", secure_fw=" + imageFacts.secureFw() + ")"));
    }
    if (feed.isPresent()) {
      List<FeedEntry> rules =
          feed.get()
              .matching(imageFacts.psid(), imageFacts.supportedHwIds(), imageFacts.version());
      if (!rules.isEmpty()) {
        findings.add(
            CheckFinding.error(
                GateCodes.FORBIDDEN_VERSION,
                "version " + imageFacts.version() + " is forbidden by the feed ("
                    + rules.stream().map(FeedEntry::reason).distinct()
                        .collect(Collectors.joining(", "))
                    + ")"));
      }
    }
    // The pre-check's key lock-out rule (the image alone decides it).
    for (dev.kiln.burner.precheck.Finding lockout :
        PreValidator.keyLockout(imageFacts, policy.allowKeyLockout())) {
      findings.add(
          lockout.isError()
              ? CheckFinding.error(GateCodes.KEY_LOCKOUT, lockout.message())
              : CheckFinding.warning(GateCodes.KEY_LOCKOUT, lockout.message()));
    }
    if (imageFacts.securityVersion() < policy.minimumSecurityVersion()) {
      findings.add(
          CheckFinding.error(
              GateCodes.SECURITY_VERSION_TOO_LOW,
              "security version " + imageFacts.securityVersion()
                  + " is below the policy minimum " + policy.minimumSecurityVersion()));
    }
    return new ReportEntry(subject, CHECKS, findings);
  }

  private void checkSignatures(Fs4Image image, TrustStore trust, List<CheckFinding> findings) {
    SignatureReport report;
    try {
      report = ImageSignatureVerifier.verify(image, trust);
    } catch (ImageSigningException e) {
      findings.add(
          CheckFinding.error(
              GateCodes.SIGNATURE_INVALID, "the signatures cannot be checked: " + e.getMessage()));
      return;
    }
    if (!report.isSigned()) {
      findings.add(CheckFinding.error(GateCodes.UNSIGNED, "the image is not signed"));
      return;
    }
    boolean anyVerified = false;
    for (SignatureReport.Entry entry : report.entries()) {
      switch (entry.status()) {
        case VERIFIED -> anyVerified = true;
        case UNKNOWN_KEY -> findings.add(
            CheckFinding.error(
                GateCodes.UNTRUSTED_KEY,
                entry.sectionName() + " is signed by key "
                    + entry.keyUuid().map(Object::toString).orElse("(no UUID)")
                    + ", which the policy does not trust"));
        // No trusted key's public operation yields a PKCS#1 block: another key made it.
        case BAD_SIGNATURE -> findings.add(
            CheckFinding.error(
                GateCodes.UNTRUSTED_KEY,
                entry.sectionName() + " is not signed by any key the policy trusts ("
                    + entry.detail() + ")"));
        // A trusted key made it, but over other bytes: the image changed after signing.
        case NOT_COVERING, DIGEST_MISMATCH -> findings.add(
            CheckFinding.error(
                GateCodes.SIGNATURE_INVALID, entry.sectionName() + ": " + entry.detail()));
        case DIGEST_OK, EMPTY -> {
          // Not a signature; the required-signature rule below decides whether that matters.
        }
      }
    }
    boolean untrustedReported =
        findings.stream().anyMatch(f -> f.code().equals(GateCodes.UNTRUSTED_KEY));
    if (!anyVerified && !untrustedReported) {
      findings.add(
          CheckFinding.error(GateCodes.UNTRUSTED_KEY, "no signature verifies with a trusted key"));
    }
    for (String required : policy.requiredSignatures()) {
      boolean verified =
          report.entries().stream()
              .anyMatch(
                  e -> e.sectionName().equals(required)
                      && e.status() == SignatureReport.Status.VERIFIED);
      if (!verified) {
        findings.add(
            CheckFinding.error(
                GateCodes.MISSING_SIGNATURE,
                "the policy requires a verified " + required + " signature"));
      }
    }
  }

  private void checkTargeting(ImageFacts imageFacts, List<CheckFinding> findings) {
    if (!policy.allowedPsids().contains(imageFacts.psid())) {
      findings.add(
          CheckFinding.error(
              GateCodes.PSID_NOT_ALLOWED,
              "PSID " + imageFacts.psid() + " is not allowed (allowed: "
                  + String.join(", ", policy.allowedPsids()) + ")"));
    }
    List<Integer> hwIds = imageFacts.supportedHwIds();
    List<Integer> outside =
        hwIds.stream().filter(id -> !policy.allowedDeviceIds().contains(id)).toList();
    if (hwIds.isEmpty() || !outside.isEmpty()) {
      findings.add(
          CheckFinding.error(
              GateCodes.DEVICE_NOT_ALLOWED,
              "the image targets HW device ids " + hex(hwIds) + "; the policy allows "
                  + hex(policy.allowedDeviceIds())));
    }
  }

  private static String hex(List<Integer> ids) {
    if (ids.isEmpty()) {
      return "none";
    }
    return ids.stream()
        .map(id -> "0x" + Integer.toHexString(id))
        .collect(Collectors.joining(", "));
  }
}
