package dev.kiln.pipeline.cli;

import dev.kiln.inspector.ImageParser;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.audit.AuditLog;
import dev.kiln.signer.audit.AuditRecord;
import dev.kiln.signer.fs4.Fs4ImageSigner;
import dev.kiln.signer.fs4.Fs4ImageSigner.PreparedImage;
import dev.kiln.signer.fs4.Fs4ImageSigner.SigningKey;
import dev.kiln.signer.fs4.Fs4ImageSigner.WrittenSignature;
import dev.kiln.signer.fs4.KeyUuid;
import dev.kiln.signer.fs4.TrustStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln sign IMAGE --key KEYREF --key-uuid UUID [--key2 KEYREF --key-uuid2 UUID]}: writes
 * IMAGE_SIGNATURE_256 (RSA-2048) and/or IMAGE_SIGNATURE_512 (RSA-4096) byte-identically to {@code
 * mstflint ... sign}, atomically, verifying each signature before it is written and appending one
 * audit record. See {@code docs/signing.md}.
 */
@Command(
    name = "sign",
    mixinStandardHelpOptions = true,
    description = {
      "Sign an FS4 image for firmware update, byte-identical to 'mstflint sign'.",
      "IMAGE_SIGNATURE_256 takes an RSA-2048 key and SHA-256, IMAGE_SIGNATURE_512 an RSA-4096"
          + " key and SHA-512. The image is replaced atomically unless --out is given."
    })
public class SignCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The FS4 image to sign.")
  Path image;

  @Mixin SigningKeyOptions signingKey = new SigningKeyOptions();

  @Option(
      names = "--key-uuid",
      required = true,
      paramLabel = "UUID",
      description = "Key UUID stored with the signature (32 hex digits).")
  String keyUuid;

  @Option(names = "--key2", paramLabel = "KEYREF", description = "A second key (the other size).")
  String key2;

  @Option(names = "--key-uuid2", paramLabel = "UUID", description = "UUID of the second key.")
  String keyUuid2;

  @Option(names = "--out", paramLabel = "OUT", description = "Write here instead of replacing.")
  Path out;

  @Option(
      names = "--secure-boot",
      description =
          "Secure-boot signing first ('mstflint rsa_sign'): RSA_PUBLIC_KEY and"
              + " RSA_4096_SIGNATURES (boot, critical, non-critical), then the RSA-4096"
              + " fw-update signature; IMAGE_SIGNATURE_256 ends up 0xFF. RSA-4096 keys only;"
              + " hashes-table images for ConnectX-7/8 only.")
  boolean secureBoot;

  @Option(
      names = "--audit-log",
      paramLabel = "PATH",
      description = "Audit log to append to (default: OUT.kiln-audit.jsonl).")
  Path auditLog;

  @Option(
      names = "--strict",
      description =
          "Refuse (exit 1, nothing written) instead of warning when a signing key is not among"
              + " the image's own PUBLIC_KEYS (a device running the image would refuse the next"
              + " image signed with it).")
  boolean strict;

  @Override
  public Integer call() throws Exception {
    if (secureBoot && key2 != null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--secure-boot signs with one RSA-4096 key; --key2 is not allowed");
    }
    if ((key2 == null) != (keyUuid2 == null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--key2 and --key-uuid2 go together");
    }
    List<String> references = new ArrayList<>(List.of(signingKey.key));
    List<KeyUuid> uuids = new ArrayList<>(List.of(parseUuid(spec, "--key-uuid", keyUuid)));
    if (key2 != null) {
      references.add(key2);
      uuids.add(parseUuid(spec, "--key-uuid2", keyUuid2));
    }
    requireReadable(image);
    Path output = out == null ? image : out;
    requireWritableDirectory(output);
    List<SigningService> services = new ArrayList<>();
    try {
      List<SigningKey> keys = new ArrayList<>();
      for (int i = 0; i < references.size(); i++) {
        SigningService service = signingKey.open(spec, references.get(i));
        services.add(service);
        keys.add(new SigningKey(service, uuids.get(i)));
      }
      try (PreparedImage prepared =
          secureBoot
              ? Fs4ImageSigner.signSecureBoot(image, output, keys.get(0))
              : Fs4ImageSigner.sign(image, output, keys)) {
        // After the engine's own checks (their errors come first), before anything is published.
        checkKeysProvisioned(keys);
        List<AuditRecord.Signature> audited = new ArrayList<>();
        for (WrittenSignature written : prepared.signatures()) {
          audited.add(
              new AuditRecord.Signature(
                  written.sectionName(),
                  written.keyReference(),
                  written.publicKeyFingerprint(),
                  written.keyUuid().toString(),
                  written.backend(),
                  written.kmsRequestId()));
        }
        publish(
            prepared, secureBoot ? "sign-secure-boot" : "sign", image, output, auditLog, audited);
        PrintWriter stdout = spec.commandLine().getOut();
        for (WrittenSignature written : prepared.signatures()) {
          stdout.printf(
              "%s: signed with %s (key UUID %s, fingerprint %s)%n",
              written.sectionName(),
              written.keyReference(),
              written.keyUuid(),
              written.publicKeyFingerprint());
        }
        stdout.printf("wrote %s (sha512 %s)%n", output, prepared.sha512After());
      }
    } finally {
      services.forEach(SigningService::close);
    }
    return ExitCodes.OK;
  }

  /**
   * Warns (or with {@code --strict} refuses, before anything is written) when a signing key is not
   * in the image's own PUBLIC_KEYS_2048/4096 under its UUID: a secure device trusts exactly those
   * keys once it runs the image, so the next image signed the same way would be refused.
   */
  private void checkKeysProvisioned(List<SigningKey> keys)
      throws IOException, dev.kiln.signer.KeyAccessException {
    TrustStore own;
    try {
      own = TrustStore.fromImage(ImageParser.parse(image));
    } catch (RuntimeException e) {
      own = TrustStore.empty(); // an unreadable PUBLIC_KEYS section holds no usable key
    }
    for (SigningKey key : keys) {
      java.security.interfaces.RSAPublicKey signing = key.service().publicKey();
      boolean held = false;
      for (TrustStore.TrustedKey trusted : own.keys()) {
        // Compared by value: the key holder's and the section decoder's key classes may differ.
        held |= trusted.uuid().equals(Optional.of(key.uuid()))
            && trusted.key().getModulus().equals(signing.getModulus())
            && trusted.key().getPublicExponent().equals(signing.getPublicExponent());
      }
      if (held) {
        continue;
      }
      String message =
          image + ": the signing key " + key.service().describe() + " (UUID " + key.uuid()
              + ") is not among the image's PUBLIC_KEYS"
              + (own.isEmpty() ? " (they hold no key)" : "")
              + ": a device running the signed image would refuse the next image signed with it"
              + " (key lock-out); provision it first ('kiln keys pack', 'kiln set-public-keys')";
      if (strict) {
        throw new CommandFailure(ExitCodes.CHECK_FAILED, message + "; nothing was written");
      }
      spec.commandLine().getErr().println("kiln: warning: " + message);
    }
  }

  /** Parses a UUID option, turning a bad value into a usage error. */
  static KeyUuid parseUuid(CommandSpec spec, String option, String text) {
    try {
      return KeyUuid.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + e.getMessage());
    }
  }

  /** Fails with exit code 3 before any work when the input cannot be read. */
  static void requireReadable(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new CommandFailure(
          ExitCodes.UNREADABLE_INPUT,
          Files.exists(path) ? path + ": not a regular file" : path + ": no such file");
    }
    if (!Files.isReadable(path)) {
      throw new CommandFailure(ExitCodes.UNREADABLE_INPUT, path + ": permission denied");
    }
  }

  /** Fails with exit code 3 when the output's directory does not exist or is not writable. */
  static void requireWritableDirectory(Path output) {
    Path directory = output.toAbsolutePath().getParent();
    if (directory == null || !Files.isDirectory(directory)) {
      throw new CommandFailure(
          ExitCodes.UNREADABLE_INPUT, "cannot write " + output + ": no such directory");
    }
    if (!Files.isWritable(directory)) {
      throw new CommandFailure(
          ExitCodes.UNREADABLE_INPUT, "cannot write " + output + ": directory not writable");
    }
  }

  /**
   * Appends the audit record, then renames the prepared image into place. If the log cannot be
   * written nothing is published, so no changed image exists without its record.
   */
  static void publish(
      PreparedImage prepared,
      String operation,
      Path input,
      Path output,
      Path auditLogPath,
      List<AuditRecord.Signature> signatures)
      throws IOException {
    AuditLog log =
        auditLogPath == null
            ? AuditLog.besideOutput(output.toAbsolutePath())
            : new AuditLog(auditLogPath);
    AuditRecord record =
        new AuditRecord(
            Instant.now(),
            operation,
            input.toAbsolutePath().toString(),
            output.toAbsolutePath().toString(),
            prepared.sha512Before(),
            prepared.sha512After(),
            signatures,
            AuditLog.currentUser(),
            AuditLog.currentHost());
    try {
      log.append(record);
    } catch (IOException e) {
      throw new CommandFailure(
          ExitCodes.UNREADABLE_INPUT,
          "cannot append to the audit log "
              + log.path()
              + " ("
              + e.getMessage()
              + "); nothing was written",
          e);
    }
    try {
      prepared.commit();
    } catch (NoSuchFileException e) {
      throw new CommandFailure(
          ExitCodes.UNREADABLE_INPUT, "cannot write " + output + ": " + e.getMessage(), e);
    }
  }
}
