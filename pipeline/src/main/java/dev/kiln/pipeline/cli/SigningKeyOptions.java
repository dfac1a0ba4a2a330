package dev.kiln.pipeline.cli;

import dev.kiln.keys.SampleKeys;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyFingerprint;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.SigningServices;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The signing-key options of {@code kiln sign}, {@code bundle create} and {@code feed sign}: the
 * key reference, how to open it ({@link KeyAccessOptions}) and whether the keys-sample keys may be
 * used. A picocli mixin.
 */
public final class SigningKeyOptions {
  @Option(
      names = "--key",
      required = true,
      paramLabel = "KEYREF",
      description = "Signing key: file:PEM, pkcs11:... (RFC 7512) or awskms:///KEY.")
  String key;

  @Mixin KeyAccessOptions access = new KeyAccessOptions();

  @Option(
      names = "--allow-sample-keys",
      description = "Accept the keys-sample keys (NOT FOR PRODUCTION; tests and demos only).")
  boolean allowSampleKeys;

  /** Opens {@code --key}; see {@link #open(CommandSpec, String)}. */
  SigningService open(CommandSpec spec) throws KeyAccessException {
    return open(spec, key);
  }

  /**
   * Opens {@code reference} with these options, refusing sample keys unless allowed; the caller
   * closes the service.
   */
  SigningService open(CommandSpec spec, String reference) throws KeyAccessException {
    SigningService service = SigningServices.open(reference, access.toKeyOptions(spec));
    try {
      refuseSampleKey(service, allowSampleKeys);
    } catch (KeyAccessException | RuntimeException e) {
      service.close();
      throw e;
    }
    return service;
  }

  /** Refuses the keys shipped in keys-sample unless explicitly allowed. */
  static void refuseSampleKey(SigningService service, boolean allowed) throws KeyAccessException {
    String fingerprint = KeyFingerprint.of(service.publicKey());
    if (!allowed && SampleKeys.isSample(fingerprint)) {
      throw new KeyAccessException(
          service.describe()
              + " is a keys-sample key (NOT FOR PRODUCTION, fingerprint "
              + fingerprint
              + "); pass --allow-sample-keys to use it for tests");
    }
  }
}
