package dev.kiln.pipeline.cli;

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
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln sign IMAGE... --key KEYREF --key-uuid UUID [--key2 KEYREF --key-uuid2 UUID]}: writes
 * IMAGE_SIGNATURE_256 (RSA-2048) and/or IMAGE_SIGNATURE_512 (RSA-4096) byte-identically to {@code
 * mstflint ... sign}, atomically, verifying each signature before it is written and appending one
 * audit record per image. Several images are signed in one run, in parallel on the machine's
 * cores, with the keys opened once; they are published all together (their records in one audit
 * log, one append) or, when any fails, none. See {@code docs/signing.md}.
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

  @Parameters(
      arity = "1..*",
      paramLabel = "IMAGE",
      description =
          "The FS4 images to sign. Several are signed in parallel and published together, or"
              + " none when one fails; their records go to one audit log.")
  List<Path> images;

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
      description =
          "Audit log to append to (default: OUT.kiln-audit.jsonl for one image; for several,"
              + " kiln-audit.jsonl in their directory).")
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
    if (images.size() > 1 && out != null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--out takes one IMAGE; several images are signed in place");
    }
    Set<Path> distinct = new HashSet<>();
    for (Path image : images) {
      if (!distinct.add(image.toAbsolutePath().normalize())) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), image + " is named twice");
      }
    }
    for (Path image : images) {
      requireReadable(image);
      requireWritableDirectory(out == null ? image : out);
    }
    Path log = auditLogFor(images);
    List<SigningService> services = new ArrayList<>();
    List<Signed> signed = new ArrayList<>();
    try {
      List<SigningKey> keys = new ArrayList<>();
      for (int i = 0; i < references.size(); i++) {
        SigningService service = signingKey.open(spec, references.get(i));
        services.add(service);
        keys.add(new SigningKey(service, uuids.get(i)));
      }
      signed.addAll(prepareAll(keys));
      List<Published> publishing = new ArrayList<>();
      for (Signed one : signed) {
        publishing.add(new Published(one.prepared(), one.image(), one.output(), audited(one)));
      }
      publishAll(publishing, secureBoot ? "sign-secure-boot" : "sign", log);
      PrintWriter stdout = spec.commandLine().getOut();
      for (Signed one : signed) {
        for (WrittenSignature written : one.prepared().signatures()) {
          stdout.printf(
              "%s%s: signed with %s (key UUID %s, fingerprint %s)%n",
              images.size() > 1 ? one.image() + ": " : "",
              written.sectionName(),
              written.keyReference(),
              written.keyUuid(),
              written.publicKeyFingerprint());
        }
        stdout.printf("wrote %s (sha512 %s)%n", one.output(), one.prepared().sha512After());
      }
    } finally {
      for (Signed one : signed) {
        one.prepared().close();
      }
      services.forEach(SigningService::close);
    }
    return ExitCodes.OK;
  }

  /** One image signed and synced beside its output, not yet published. */
  private record Signed(Path image, Path output, PreparedImage prepared) {}

  /**
   * Signs every image, in parallel on the machine's cores (at most one image per core: each
   * already hashes on a second thread). When one fails, the others are discarded and the failure
   * of the first image (in argument order) that failed is thrown, naming it.
   */
  private List<Signed> prepareAll(List<SigningKey> keys) throws Exception {
    if (images.size() == 1) {
      Path image = images.get(0);
      Path output = out == null ? image : out;
      return List.of(new Signed(image, output, prepare(image, output, keys)));
    }
    int workers = Math.min(images.size(), Math.max(1, Runtime.getRuntime().availableProcessors()));
    ExecutorService pool = Executors.newFixedThreadPool(workers, runnable -> {
      Thread thread = new Thread(runnable, "kiln-sign");
      thread.setDaemon(true);
      return thread;
    });
    List<Future<PreparedImage>> futures = new ArrayList<>();
    try {
      for (Path image : images) {
        futures.add(pool.submit(() -> prepare(image, image, keys)));
      }
      List<Signed> signed = new ArrayList<>();
      Exception failure = null;
      for (int i = 0; i < images.size(); i++) {
        try {
          signed.add(new Signed(images.get(i), images.get(i), futures.get(i).get()));
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = naming(images.get(i), e.getCause());
          }
        }
      }
      if (failure != null) {
        for (Signed one : signed) {
          one.prepared().close();
        }
        throw failure;
      }
      return signed;
    } finally {
      pool.shutdownNow();
    }
  }

  private PreparedImage prepare(Path image, Path output, List<SigningKey> keys) throws Exception {
    PreparedImage prepared =
        secureBoot
            ? Fs4ImageSigner.signSecureBoot(image, output, keys.get(0))
            : Fs4ImageSigner.sign(image, output, keys);
    try {
      // After the engine's own checks (their errors come first), before anything is published.
      checkKeysProvisioned(image, prepared, keys);
      return prepared;
    } catch (Exception | Error e) {
      prepared.close();
      throw e;
    }
  }

  /** The failure of one of several images, its message naming the image (same exit code). */
  private static Exception naming(Path image, Throwable cause) {
    String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    if (!message.startsWith(image.toString())) {
      message = image + ": " + message;
    }
    return new CommandFailure(ExitCodes.forException(cause), message, cause);
  }

  private static List<AuditRecord.Signature> audited(Signed one) {
    List<AuditRecord.Signature> audited = new ArrayList<>();
    for (WrittenSignature written : one.prepared().signatures()) {
      audited.add(
          new AuditRecord.Signature(
              written.sectionName(),
              written.keyReference(),
              written.publicKeyFingerprint(),
              written.keyUuid().toString(),
              written.backend(),
              written.kmsRequestId()));
    }
    return audited;
  }

  /**
   * The audit log: {@code --audit-log}; for one image {@code OUT.kiln-audit.jsonl}; for several
   * in one directory {@code DIR/kiln-audit.jsonl}, so a release's images share one log.
   */
  private Path auditLogFor(List<Path> images) {
    if (auditLog != null) {
      return auditLog;
    }
    if (images.size() == 1) {
      return AuditLog.besideOutput((out == null ? images.get(0) : out).toAbsolutePath()).path();
    }
    Path directory = images.get(0).toAbsolutePath().normalize().getParent();
    for (Path image : images) {
      if (!image.toAbsolutePath().normalize().getParent().equals(directory)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "the images are in different directories: name one audit log with --audit-log");
      }
    }
    return directory.resolve(SHARED_AUDIT_LOG);
  }

  /** The audit log several images signed in one directory share. */
  static final String SHARED_AUDIT_LOG = "kiln-audit.jsonl";

  /**
   * Warns (or with {@code --strict} refuses, before anything is written) when a signing key is not
   * in the image's own PUBLIC_KEYS_2048/4096 under its UUID: a secure device trusts exactly those
   * keys once it runs the image, so the next image signed the same way would be refused.
   */
  private void checkKeysProvisioned(Path image, PreparedImage prepared, List<SigningKey> keys)
      throws IOException, dev.kiln.signer.KeyAccessException {
    TrustStore own = prepared.ownKeys();
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
    Path log =
        auditLogPath == null
            ? AuditLog.besideOutput(output.toAbsolutePath()).path()
            : auditLogPath;
    publishAll(List.of(new Published(prepared, input, output, signatures)), operation, log);
  }

  /** One prepared image to publish and the signatures its audit record lists. */
  record Published(
      PreparedImage prepared, Path input, Path output, List<AuditRecord.Signature> signatures) {}

  /**
   * Appends one audit record per image (one write and one sync for all), then renames each
   * prepared image into place. If the log cannot be written nothing is published.
   */
  static void publishAll(List<Published> images, String operation, Path auditLogPath)
      throws IOException {
    AuditLog log = new AuditLog(auditLogPath);
    List<AuditRecord> records = new ArrayList<>();
    String user = AuditLog.currentUser();
    String host = AuditLog.currentHost();
    for (Published image : images) {
      records.add(
          new AuditRecord(
              Instant.now(),
              operation,
              image.input().toAbsolutePath().toString(),
              image.output().toAbsolutePath().toString(),
              image.prepared().sha512Before(),
              image.prepared().sha512After(),
              image.signatures(),
              user,
              host));
    }
    try {
      log.appendAll(records);
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
    for (Published image : images) {
      try {
        image.prepared().commit();
      } catch (NoSuchFileException e) {
        throw new CommandFailure(
            ExitCodes.UNREADABLE_INPUT,
            "cannot write " + image.output() + ": " + e.getMessage(),
            e);
      }
    }
  }
}
