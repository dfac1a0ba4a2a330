package dev.kiln.pipeline.cli;

import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SecretSource;
import java.net.URI;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * How a key reference ({@code file:}, {@code pkcs11:}, {@code awskms:}) is opened: the passphrase
 * source of an encrypted PEM key and the KMS region and endpoint. A picocli mixin shared by every
 * command that opens keys; secrets are named by source ({@code env:VAR}, {@code file:PATH}), never
 * given as values on the command line.
 */
public final class KeyAccessOptions {
  @Option(
      names = "--key-pass",
      paramLabel = "SECRETSOURCE",
      description = "Passphrase of an encrypted PEM key: env:VAR or file:PATH (never the value).")
  String keyPass;

  @Option(names = "--kms-region", paramLabel = "REGION", description = "AWS region for awskms.")
  String kmsRegion;

  @Option(names = "--kms-endpoint", paramLabel = "URL", description = "KMS endpoint override.")
  URI kmsEndpoint;

  /**
   * The options as the signer takes them; a malformed secret source is a usage error. On a
   * terminal, a passphrase or PIN no source names is asked for without echo.
   */
  KeyOptions toKeyOptions(CommandSpec spec) {
    KeyOptions options = KeyOptions.defaults().withAskOnTerminal(SecretSource.terminalAttached());
    if (keyPass != null) {
      try {
        options = options.withKeyPassphrase(SecretSource.parse(keyPass));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--key-pass: " + e.getMessage());
      }
    }
    if (kmsRegion != null) {
      options = options.withKmsRegion(kmsRegion);
    }
    if (kmsEndpoint != null) {
      options = options.withKmsEndpoint(kmsEndpoint);
    }
    return options;
  }
}
