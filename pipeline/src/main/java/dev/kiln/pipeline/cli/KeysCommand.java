package dev.kiln.pipeline.cli;

import dev.kiln.inspector.io.AtomicFiles;
import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.keys.SampleKeys;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyFingerprint;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.SigningServices;
import dev.kiln.signer.fs4.Fs4ImageSigner;
import dev.kiln.signer.fs4.KeyUuid;
import dev.kiln.signer.fs4.PublicKeysFile;
import dev.kiln.signer.fs4.TrustStore;
import dev.kiln.signer.pem.PemKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code kiln keys ...}: key-section files and key facts. */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description =
        "Make PUBLIC_KEYS / FORBIDDEN_VERSIONS files; show and export public keys.",
    subcommands = {
      KeysCommand.Pack.class,
      KeysCommand.Fingerprint.class,
      KeysCommand.Export.class,
      KeysCommand.Forbidden.class,
      CommandLine.HelpCommand.class
    })
public class KeysCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
  }

  /** Parses a size given in decimal or as 0x-prefixed hex. */
  static int parseSize(CommandSpec spec, String text) {
    try {
      long value = Long.decode(text.trim());
      if (value <= 0 || value > Integer.MAX_VALUE) {
        throw new NumberFormatException();
      }
      return (int) value;
    } catch (NumberFormatException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--size: '" + text + "' is not a positive size (decimal or 0x hex)");
    }
  }

  /** Writes {@code data} to {@code out} through a temporary file and an atomic rename. */
  static void writeAtomically(Path out, byte[] data) throws IOException {
    SignCommand.requireWritableDirectory(out);
    AtomicFiles.write(out, data);
  }

  /** Reads one PEM public key (exit 4 when the file holds none). */
  static RSAPublicKey readPublicKey(Path pem) throws IOException, KeyAccessException {
    SignCommand.requireReadable(pem);
    return PemKeys.readPublicKey(
        new String(TrustStore.readFile(pem), StandardCharsets.US_ASCII), pem.toString());
  }

  /** {@code kiln keys pack}. */
  @Command(
      name = "pack",
      mixinStandardHelpOptions = true,
      description = {
        "Build a PUBLIC_KEYS_2048 or PUBLIC_KEYS_4096 section file from PEM public keys.",
        "One --key/--uuid pair per entry, in order, zero-padded to --size (the size of the"
            + " image's section). The result is accepted by 'kiln set-public-keys' and"
            + " 'mstflint set_public_keys'."
      })
  static final class Pack implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "KEYS.bin", description = "Output.")
    Path out;

    @Option(
        names = "--size",
        required = true,
        paramLabel = "N",
        description =
            "Section size in bytes (e.g. 0x900 for 8 RSA-2048 entries, 0x1100 for 8"
                + " RSA-4096 entries).")
    String size;

    @Option(
        names = "--key",
        required = true,
        paramLabel = "PUB.pem",
        description = "PEM public key (PUBLIC KEY or RSA PUBLIC KEY); repeatable.")
    List<Path> keys;

    @Option(
        names = "--uuid",
        required = true,
        paramLabel = "UUID",
        description = "Key UUID of the --key at the same position; repeatable.")
    List<String> uuids;

    @Override
    public Integer call() throws Exception {
      if (keys.size() != uuids.size()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "give one --uuid per --key (" + keys.size() + " keys, " + uuids.size() + " UUIDs)");
      }
      int sectionSize = parseSize(spec, size);
      List<PublicKeysFile.Key> entries = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        KeyUuid uuid = SignCommand.parseUuid(spec, "--uuid", uuids.get(i));
        entries.add(new PublicKeysFile.Key(readPublicKey(keys.get(i)), uuid));
      }
      byte[] section;
      try {
        section = PublicKeysFile.encode(entries, sectionSize);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      writeAtomically(out, section);
      spec.commandLine()
          .getOut()
          .printf("wrote %s: %d key(s), %d bytes%n", out, entries.size(), section.length);
      return ExitCodes.OK;
    }
  }

  /** {@code kiln keys fingerprint}. */
  @Command(
      name = "fingerprint",
      mixinStandardHelpOptions = true,
      description = {
        "Print a key's fingerprint as Kiln logs it, its size, and whether it is a sample.",
        "The fingerprint is the SHA-256 of the key's SubjectPublicKeyInfo. KEY is a PEM"
            + " public-key file or a KEYREF (file:, pkcs11:, awskms:)."
      })
  static final class Fingerprint implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KEY", description = "PEM public key or KEYREF.")
    String key;

    @Mixin KeyAccessOptions access = new KeyAccessOptions();

    @Override
    public Integer call() throws Exception {
      RSAPublicKey publicKey;
      String name;
      if (TrustStore.isKeyReference(key)) {
        try (SigningService service =
            SigningServices.open(key, access.toKeyOptions(spec))) {
          publicKey = service.publicKey();
          name = service.describe();
        }
      } else {
        publicKey = readPublicKey(Path.of(key));
        name = key;
      }
      String fingerprint = KeyFingerprint.of(publicKey);
      spec.commandLine()
          .getOut()
          .printf(
              "%s  RSA-%d  %s%s%n",
              fingerprint,
              publicKey.getModulus().bitLength(),
              name,
              SampleKeys.isSample(fingerprint) ? "  (keys-sample key, NOT FOR PRODUCTION)" : "");
      return ExitCodes.OK;
    }
  }

  /** {@code kiln keys export}. */
  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = {
        "Write the public half of a key reference (file:, pkcs11:, awskms:).",
        "Default: a PEM PUBLIC KEY (SubjectPublicKeyInfo), the form --trust, --feed-trust, gate"
            + " policies and 'kiln keys pack --key' take. With --uuid: the key's PUBLIC_KEYS"
            + " section entry instead, padded to --size (default: the entry alone), as"
            + " 'kiln keys pack' writes it for 'kiln set-public-keys'."
      })
  static final class Export implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KEYREF", description = "The key reference.")
    String key;

    @Mixin KeyAccessOptions access = new KeyAccessOptions();

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "Write here (default: the PEM on standard output).")
    Path out;

    @Option(
        names = "--uuid",
        paramLabel = "UUID",
        description = "Write the PUBLIC_KEYS entry for the key under this key UUID (needs --out).")
    String uuid;

    @Option(
        names = "--size",
        paramLabel = "N",
        description = "With --uuid: pad the entry to a section of N bytes (e.g. 0x900).")
    String size;

    @Override
    public Integer call() throws Exception {
      if (uuid == null && size != null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--size goes with --uuid");
      }
      if (uuid != null && out == null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--uuid writes a binary entry: give --out FILE");
      }
      KeyUuid keyUuid = uuid == null ? null : SignCommand.parseUuid(spec, "--uuid", uuid);
      RSAPublicKey publicKey;
      String name;
      try (SigningService service = SigningServices.open(key, access.toKeyOptions(spec))) {
        publicKey = service.publicKey();
        name = service.describe();
      }
      if (keyUuid == null) {
        String pem = PemKeys.publicKeyPem(publicKey);
        if (out == null) {
          spec.commandLine().getOut().print(pem);
          spec.commandLine().getOut().flush();
          return ExitCodes.OK;
        }
        writeAtomically(out, pem.getBytes(StandardCharsets.US_ASCII));
      } else {
        int entry = PublicKeysFile.entrySize(publicKey);
        int sectionSize =
            size == null ? Math.max(entry, Fs4ImageSigner.MIN_PUBLIC_KEYS_LENGTH)
                : parseSize(spec, size);
        byte[] section;
        try {
          section =
              PublicKeysFile.encode(List.of(new PublicKeysFile.Key(publicKey, keyUuid)),
                  sectionSize);
        } catch (IllegalArgumentException e) {
          throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        writeAtomically(out, section);
      }
      spec.commandLine()
          .getErr()
          .printf(
              "kiln: wrote %s: RSA-%d public key of %s (fingerprint %s)%s%n",
              out,
              publicKey.getModulus().bitLength(),
              name,
              KeyFingerprint.of(publicKey),
              keyUuid == null ? "" : ", PUBLIC_KEYS entry for key UUID " + keyUuid);
      return ExitCodes.OK;
    }
  }

  /** {@code kiln keys forbidden}. */
  @Command(
      name = "forbidden",
      mixinStandardHelpOptions = true,
      description = {
        "Build a FORBIDDEN_VERSIONS section file for 'kiln set-forbidden-versions'.",
        "The layout is Kiln's KFV1 (docs/forbidden-versions.md). Each VERSION is"
            + " MAJOR.MINOR.SUBMINOR or an inclusive range FROM-TO."
      })
  static final class Forbidden implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output.")
    Path out;

    @Option(
        names = "--size",
        paramLabel = "N",
        description =
            "Section size in bytes, the size of the image's FORBIDDEN_VERSIONS"
                + " section (default 0x100).")
    String size = "0x100";

    @Parameters(arity = "0..*", paramLabel = "VERSION", description = "Forbidden versions.")
    List<String> versions = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      int sectionSize = parseSize(spec, size);
      List<ForbiddenVersions.Range> ranges = new ArrayList<>();
      byte[] body;
      try {
        for (String text : versions) {
          int dash = text.indexOf('-');
          ranges.add(
              dash < 0
                  ? ForbiddenVersions.Range.of(FwVersion.parse(text))
                  : new ForbiddenVersions.Range(
                      FwVersion.parse(text.substring(0, dash)),
                      FwVersion.parse(text.substring(dash + 1))));
        }
        body = new ForbiddenVersions(ranges).encode(sectionSize);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      writeAtomically(out, body);
      spec.commandLine()
          .getOut()
          .printf(
              "wrote %s: %d forbidden range(s), %d bytes (KFV1)%n",
              out, ranges.size(), body.length);
      return ExitCodes.OK;
    }
  }
}
