package dev.kiln.pipeline.gate;

import dev.kiln.burner.precheck.ImageFacts;
import dev.kiln.burner.precheck.PreValidator;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.ImageVerifier;
import dev.kiln.inspector.Section;
import dev.kiln.inspector.VerificationResult;
import dev.kiln.keys.SampleKeys;
import dev.kiln.pipeline.bundle.TrustedKeys;
import dev.kiln.pipeline.check.ImageFactsSource;
import dev.kiln.pipeline.feed.FeedCodec;
import dev.kiln.pipeline.feed.FeedEntry;
import dev.kiln.pipeline.feed.FeedException;
import dev.kiln.pipeline.feed.ForbiddenVersionsFeed;
import dev.kiln.pipeline.report.CheckFinding;
import dev.kiln.pipeline.report.FindingRegion;
import dev.kiln.pipeline.report.ArtifactDigest;
import dev.kiln.pipeline.report.ReportEntry;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyFingerprint;
import dev.kiln.signer.fs4.ImageSignatureVerifier;
import dev.kiln.signer.fs4.ImageSigningException;
import dev.kiln.signer.fs4.SignatureReport;
import dev.kiln.signer.fs4.TrustStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The CI gate: checks each image against a {@link GatePolicy} and fails closed, i.e. anything the
 * gate cannot positively establish (an unreadable image, an unverifiable signature, an unusable
 * feed) is a failure, and a check that cannot run on an input is reported as not evaluated,
 * never as passed.
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

  /** The checks that need IMAGE_INFO (the image's facts). */
  static final List<String> FACT_CHECKS =
      List.of(
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

  /** The checks that apply under this policy (the forbidden-version check only with a feed). */
  public List<String> checks() {
    return policy.feed().isPresent()
        ? CHECKS
        : CHECKS.stream().filter(c -> !c.equals(GateCodes.FORBIDDEN_VERSION)).toList();
  }

  /**
   * Runs the gate over the inputs: image files, and packages ({@link GatedPackages}: the package's
   * own result, then one per image it holds when its signature verifies).
   *
   * @throws GateSetupException if a trusted-key, feed or package-key file named by the policy
   *     cannot be used, or the policy trusts a keys-sample key without {@code allowSampleKeys}
   */
  public GateResult run(List<Path> images) throws GateSetupException {
    TrustStore trust = TrustStore.empty();
    for (Path file : policy.trustedKeys()) {
      TrustStore loaded = loadImageTrust(file);
      for (TrustStore.TrustedKey key : loaded.keys()) {
        refuseSampleKey(file, key.key());
      }
      trust = trust.plus(loaded);
    }
    Optional<GateResult.FeedStatus> feedStatus = Optional.empty();
    Optional<ForbiddenVersionsFeed> feed = Optional.empty();
    if (policy.feed().isPresent()) {
      GatePolicy.FeedSource source = policy.feed().get();
      TrustedKeys feedTrust = loadPemTrust(source.trustedKeys(), "feed trust file");
      byte[] bytes;
      try {
        bytes = FeedCodec.readFile(source.path());
      } catch (IOException e) {
        throw new GateSetupException(GateCodes.FEED_UNREADABLE, source.path(),
            GateSetupException.Kind.UNREADABLE,
            "cannot read the forbidden-versions feed " + source.path() + ": "
                + reason(source.path(), e), e);
      }
      try {
        feed = Optional.of(FeedCodec.verify(bytes, feedTrust, clock.instant()));
        feedStatus = Optional.of(new GateResult.FeedStatus(
            source.path(), Optional.empty(), Optional.of(feed.get().sequence())));
      } catch (FeedException e) {
        // The images are still checked, but each fails its forbidden-version check: a stale or
        // forged feed must never let a forbidden version through.
        feedStatus = Optional.of(new GateResult.FeedStatus(
            source.path(), Optional.of(CheckFinding.error(e.code(), e.getMessage())),
            Optional.empty()));
      }
    }
    GatedPackages packages =
        new GatedPackages(
            loadPemTrust(policy.packageKeys(), "package key file"),
            !policy.packageKeys().isEmpty());
    List<GateResult.ImageResult> results = new ArrayList<>();
    for (Path input : images) {
      if (GatedPackages.isPackage(input)) {
        GatedPackages.Opened opened = packages.open(input);
        results.add(opened.result());
        for (GatedPackages.Image image : opened.images()) {
          results.add(
              checkBytes(image.bytes(), image.subject(), image.expected(), trust, feed,
                  feedStatus));
        }
      } else {
        results.add(checkImage(input, trust, feed, feedStatus));
      }
    }
    return new GateResult(feedStatus, results);
  }

  private static TrustStore loadImageTrust(Path file) throws GateSetupException {
    try {
      return TrustStore.load(file);
    } catch (IOException e) {
      throw new GateSetupException(GateCodes.TRUST_UNREADABLE, file,
          GateSetupException.Kind.UNREADABLE,
          "cannot read trusted key file " + file + ": " + reason(file, e), e);
    } catch (KeyAccessException e) {
      throw new GateSetupException(GateCodes.TRUST_UNREADABLE, file,
          GateSetupException.Kind.KEY, e.getMessage(), e);
    }
  }

  /** PEM public keys the policy names (the feed's or the packages' signers); no sample key. */
  private TrustedKeys loadPemTrust(List<Path> files, String what) throws GateSetupException {
    List<PublicKey> keys = new ArrayList<>();
    for (Path file : files) {
      List<PublicKey> loaded;
      try {
        loaded = TrustedKeys.readPem(file);
      } catch (IOException e) {
        throw new GateSetupException(GateCodes.TRUST_UNREADABLE, file,
            GateSetupException.Kind.UNREADABLE,
            "cannot read " + what + " " + file + ": " + reason(file, e), e);
      }
      for (PublicKey key : loaded) {
        refuseSampleKey(file, key);
      }
      keys.addAll(loaded);
    }
    return TrustedKeys.of(keys);
  }

  /** As {@code kiln sign} refuses to sign with them, the gate refuses to trust the sample keys. */
  private void refuseSampleKey(Path file, PublicKey key) throws GateSetupException {
    String fingerprint = KeyFingerprint.of(key);
    if (!policy.allowSampleKeys() && SampleKeys.isSample(fingerprint)) {
      throw new GateSetupException(GateCodes.SAMPLE_KEY, file, GateSetupException.Kind.KEY,
          file + " holds a keys-sample key (NOT FOR PRODUCTION, fingerprint " + fingerprint
              + "), whose private key is public; set \"allowSampleKeys\": true in the policy"
              + " to trust it for tests",
          null);
    }
  }

  /**
   * Why a file could not be read, in words: the JDK's file-system exceptions carry only the path
   * as their message, which the caller names already.
   */
  public static String reason(Path file, IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getClass().getSimpleName();
    }
    // Readers that name the file themselves ("FILE: too small ..."): the caller names it already.
    String named = file + ": ";
    return message.startsWith(named) ? message.substring(named.length()) : message;
  }

  private GateResult.ImageResult checkImage(
      Path path, TrustStore trust, Optional<ForbiddenVersionsFeed> feed,
      Optional<GateResult.FeedStatus> feedStatus) {
    String subject = path.toString();
    List<String> checks = checks();
    byte[] bytes;
    try {
      // One bounded read: the digest, the parse and every check are of these bytes.
      bytes = ImageParser.readFile(path);
    } catch (IOException e) {
      return unreadable(subject, checks, null, "not a readable FS4 image: " + reason(path, e),
          wholeFile(path));
    }
    return checkBytes(bytes, subject, Set.of(), trust, feed, feedStatus);
  }

  /**
   * Gates the bytes of one image: a file's, or one a verified package holds ({@code expected}:
   * the structural finding codes its package makes expected, e.g. an MFA2 component's missing
   * DTOC).
   */
  private GateResult.ImageResult checkBytes(
      byte[] bytes, String subject, Set<String> expected, TrustStore trust,
      Optional<ForbiddenVersionsFeed> feed, Optional<GateResult.FeedStatus> feedStatus) {
    ArtifactDigest read = ArtifactDigest.of(bytes);
    Fs4Image image;
    try {
      image = ImageParser.parse(bytes, subject);
    } catch (IOException e) {
      // The SARIF region is the whole file, from the digest of the bytes read.
      return unreadable(subject, checks(), read,
          "not a readable FS4 image: " + reason(Path.of(subject), e),
          Optional.empty());
    }
    return check(image, subject, read, expected, trust, feed, feedStatus);
  }

  /** Gates one parsed image ({@code read}: the digest of the bytes it was parsed from). */
  private GateResult.ImageResult check(
      Fs4Image image, String subject, ArtifactDigest read, Set<String> expected,
      TrustStore trust, Optional<ForbiddenVersionsFeed> feed,
      Optional<GateResult.FeedStatus> feedStatus) {
    List<String> checks = checks();
    List<CheckFinding> findings = new ArrayList<>();
    VerificationResult structure = ImageVerifier.verify(image);
    List<dev.kiln.inspector.Finding> errors =
        structure.errors().stream().filter(f -> !expected.contains(f.code().name())).toList();
    if (!errors.isEmpty()) {
      CheckFinding finding =
          CheckFinding.error(
              GateCodes.STRUCTURE_INVALID,
              "the image fails structural verification: "
                  + errors.stream().limit(3).map(Object::toString)
                      .collect(Collectors.joining("; ")));
      long offset = errors.get(0).offset();
      findings.add(offset >= 0 ? finding.at(FindingRegion.bytes(offset, -1)) : finding);
    }
    checkSignatures(image, trust, findings);
    ImageFacts imageFacts;
    try {
      imageFacts = facts.read(image);
    } catch (IOException | RuntimeException e) {
      findings.add(
          CheckFinding.error(
              GateCodes.UNREADABLE_IMAGE, "cannot read the image's IMAGE_INFO: " + e.getMessage()));
      Map<String, String> skipped = new LinkedHashMap<>();
      for (String check : checks) {
        if (FACT_CHECKS.contains(check)) {
          skipped.put(check, "the image's IMAGE_INFO cannot be read");
        }
      }
      return new GateResult.ImageResult(
          new ReportEntry(subject, checks, findings, skipped), Optional.of(read),
          Optional.empty());
    }
    checkTargeting(imageFacts, findings);
    if (policy.requireSecureFw() && !(imageFacts.mccEnabled() && imageFacts.secureFw())) {
      findings.add(
          CheckFinding.error(
              GateCodes.NOT_SECURE_FW,
              "the image is not secure firmware (mcc_en=" + imageFacts.mccEnabled()
                  + ", secure_fw=" + imageFacts.secureFw() + ")"));
    }
    feedStatus.flatMap(GateResult.FeedStatus::problem).ifPresent(problem ->
        findings.add(
            CheckFinding.error(
                GateCodes.FORBIDDEN_VERSION,
                "version " + imageFacts.version() + " cannot be checked: the forbidden-versions"
                    + " feed " + feedStatus.get().path() + " is unusable (" + problem + ")")));
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
    return new GateResult.ImageResult(
        new ReportEntry(subject, checks, findings), Optional.of(read),
        Optional.of(new GateResult.ImageSummary(
            imageFacts.psid(), imageFacts.version(), imageFacts.securityVersion())));
  }

  /**
   * The whole of a file that was refused unread (too small or too large for an image): a place
   * for its finding in code-scanning views. Empty when it is not a regular file.
   */
  private static Optional<FindingRegion> wholeFile(Path path) {
    try {
      return Files.isRegularFile(path)
          ? Optional.of(FindingRegion.bytes(0, Files.size(path))) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** A file that is not an image: that is its one finding, and no other check could run. */
  private static GateResult.ImageResult unreadable(
      String subject, List<String> checks, ArtifactDigest read, String message,
      Optional<FindingRegion> where) {
    Map<String, String> skipped = new LinkedHashMap<>();
    for (String check : checks) {
      if (!check.equals(GateCodes.UNREADABLE_IMAGE)) {
        skipped.put(check, "the file is not a readable FS4 image");
      }
    }
    return new GateResult.ImageResult(
        new ReportEntry(
            subject, checks,
            List.of(where.map(CheckFinding.error(GateCodes.UNREADABLE_IMAGE, message)::at)
                .orElse(CheckFinding.error(GateCodes.UNREADABLE_IMAGE, message))),
            skipped),
        Optional.ofNullable(read), Optional.empty());
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
      FindingRegion where = sectionRegion(image, entry);
      switch (entry.status()) {
        case VERIFIED -> anyVerified = true;
        case UNKNOWN_KEY -> findings.add(
            CheckFinding.error(
                GateCodes.UNTRUSTED_KEY,
                entry.sectionName() + " is signed by key "
                    + entry.keyUuid().map(Object::toString).orElse("(no UUID)")
                    + ", which the policy does not trust").at(where));
        // No trusted key's public operation yields a PKCS#1 block: another key made it.
        case BAD_SIGNATURE -> findings.add(
            CheckFinding.error(
                GateCodes.UNTRUSTED_KEY,
                entry.sectionName() + " is not signed by any key the policy trusts ("
                    + entry.detail() + ")").at(where));
        // A trusted key made it, but over other bytes: the image changed after signing.
        case NOT_COVERING, DIGEST_MISMATCH -> findings.add(
            CheckFinding.error(
                GateCodes.SIGNATURE_INVALID, entry.sectionName() + ": " + entry.detail())
                .at(where));
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

  /** The signature section's bytes in the file (its length where the ITOC gives it). */
  private static FindingRegion sectionRegion(Fs4Image image, SignatureReport.Entry entry) {
    long length =
        image.sections().stream()
            .filter(s -> s.offset() == entry.offset() && s.name().equals(entry.sectionName()))
            .mapToLong(Section::size)
            .findFirst()
            .orElse(-1);
    return FindingRegion.bytes(entry.offset(), length);
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
