package dev.kiln.pipeline.bundle;

import dev.kiln.signer.fs4.TrustStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The public keys a verifier trusts for document signatures, looked up by fingerprint. Loaded from
 * PEM files holding {@code PUBLIC KEY} (SubjectPublicKeyInfo) or {@code CERTIFICATE} blocks, which
 * is what {@code kiln keys export} and every HSM/KMS export produce, or from a DER
 * SubjectPublicKeyInfo ({@code pkcs11-tool --read-object --type pubkey}).
 */
public final class TrustedKeys {
  private static final Pattern PEM_BLOCK =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  private final Map<String, PublicKey> byFingerprint;

  private TrustedKeys(Map<String, PublicKey> byFingerprint) {
    this.byFingerprint = Map.copyOf(byFingerprint);
  }

  /** Trusts exactly the given keys. */
  public static TrustedKeys of(List<PublicKey> keys) {
    Map<String, PublicKey> map = new LinkedHashMap<>();
    for (PublicKey key : keys) {
      map.put(SignatureAlgorithms.fingerprint(key), key);
    }
    return new TrustedKeys(map);
  }

  /**
   * Loads every public key or certificate in the given PEM files.
   *
   * @throws IOException if a file is missing or holds no usable key (the message names the file)
   */
  public static TrustedKeys load(List<Path> pemFiles) throws IOException {
    List<PublicKey> keys = new ArrayList<>();
    for (Path file : pemFiles) {
      keys.addAll(readPem(file));
    }
    return of(keys);
  }

  /** Reads the public keys of one PEM file. */
  public static List<PublicKey> readPem(Path file) throws IOException {
    byte[] content;
    try {
      content = TrustStore.readFile(file);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "trusted key file not found");
    }
    if (content.length > 0 && content[0] == 0x30) {
      // A DER SubjectPublicKeyInfo, as pkcs11-tool --read-object --type pubkey writes it.
      try {
        return List.of(decodePublicKey(content));
      } catch (GeneralSecurityException e) {
        throw new IOException(file + ": neither PEM nor a DER public key", e);
      }
    }
    String text = new String(content, StandardCharsets.US_ASCII);
    List<PublicKey> keys = new ArrayList<>();
    Matcher matcher = PEM_BLOCK.matcher(text);
    while (matcher.find()) {
      byte[] der = Base64.getMimeDecoder().decode(matcher.group(2));
      try {
        switch (matcher.group(1)) {
          case "PUBLIC KEY" -> keys.add(decodePublicKey(der));
          case "CERTIFICATE" -> keys.add(
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(der))
                  .getPublicKey());
          default -> {
            // Private keys and other blocks are ignored: a trust file must never need them.
          }
        }
      } catch (GeneralSecurityException e) {
        throw new IOException(file + ": unreadable " + matcher.group(1) + " block", e);
      }
    }
    if (keys.isEmpty()) {
      throw new IOException(file + ": no PUBLIC KEY or CERTIFICATE block");
    }
    return keys;
  }

  private static PublicKey decodePublicKey(byte[] der) throws GeneralSecurityException {
    GeneralSecurityException last = null;
    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw last;
  }

  /** The trusted key with this fingerprint, if any. */
  public Optional<PublicKey> find(String fingerprint) {
    return Optional.ofNullable(byFingerprint.get(fingerprint));
  }

  public boolean isEmpty() {
    return byFingerprint.isEmpty();
  }

  public List<PublicKey> keys() {
    return List.copyOf(byFingerprint.values());
  }
}
