package dev.kiln.pipeline.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.signer.KeyAccessException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * A signature over a document's exact bytes, stored next to (not inside) the document.
 *
 * <p>JSON form, as in a bundle's {@code manifest.sig} and a feed's {@code signature} member:
 *
 * <pre>
 * {"format":"kiln-signature-v1","algorithm":"SHA512withRSA",
 *  "keyFingerprint":"&lt;64 hex&gt;","signature":"&lt;base64&gt;"}
 * </pre>
 *
 * @param algorithm JCA signature algorithm ({@link SignatureAlgorithms#forKey})
 * @param keyFingerprint fingerprint of the signing key ({@link SignatureAlgorithms#fingerprint})
 * @param signature the signature bytes in the algorithm's JCA encoding
 */
public record DetachedSignature(String algorithm, String keyFingerprint, byte[] signature) {
  /** Value of the {@code format} member; a reader refuses any other. */
  public static final String FORMAT = "kiln-signature-v1";

  public DetachedSignature {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(keyFingerprint, "keyFingerprint");
    signature = signature.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** Signs {@code document} and checks the result with the public key before returning it. */
  public static DetachedSignature create(DocumentSigner signer, byte[] document)
      throws GeneralSecurityException, IOException, KeyAccessException {
    PublicKey publicKey = signer.publicKey();
    String algorithm = SignatureAlgorithms.forKey(publicKey);
    byte[] value = signer.sign(document);
    DetachedSignature signature =
        new DetachedSignature(algorithm, SignatureAlgorithms.fingerprint(publicKey), value);
    // A wrong key reference (another HSM object, a stale certificate) shows up here, not at the
    // customer's verifier.
    if (!signature.verifies(document, publicKey)) {
      throw new SignatureException(
          "the signer produced a signature that does not verify with its own public key");
    }
    return signature;
  }

  /** True when this signature is valid for {@code document} under {@code key}. */
  public boolean verifies(byte[] document, PublicKey key) throws GeneralSecurityException {
    if (!algorithm.equals(SignatureAlgorithms.forKey(key))) {
      return false;
    }
    Signature verifier = Signature.getInstance(algorithm);
    try {
      verifier.initVerify(key);
    } catch (InvalidKeyException e) {
      return false;
    }
    verifier.update(document);
    try {
      return verifier.verify(signature);
    } catch (SignatureException e) {
      // A malformed signature (bad DER, wrong length) is simply not valid.
      return false;
    }
  }

  /** What {@link #check} found. */
  public enum Status {
    /** There is no signature document. */
    MISSING,
    /** The signature document is not a kiln signature. */
    UNREADABLE,
    /** The signing key is not among the trusted keys. */
    UNKNOWN_KEY,
    /** A trusted key's signature that does not verify over the document. */
    BAD_SIGNATURE,
    VALID
  }

  /**
   * The outcome of checking a signature document against a document.
   *
   * @param fingerprint the key fingerprint the signature names, null when it cannot be read
   */
  public record Check(Status status, String fingerprint) {}

  /**
   * Checks the JSON signature document {@code signatureJson} (null when there is none) over the
   * exact bytes of {@code document} (null when there is none) with {@code trust}: the one rule for
   * a bundle's manifest.sig and a package's detached {@code .ksig}.
   */
  public static Check check(byte[] document, byte[] signatureJson, TrustedKeys trust) {
    if (signatureJson == null) {
      return new Check(Status.MISSING, null);
    }
    DetachedSignature signature;
    try {
      signature = fromJson(new ObjectMapper().readTree(signatureJson));
    } catch (IOException | IllegalArgumentException e) {
      return new Check(Status.UNREADABLE, null);
    }
    Optional<PublicKey> key = trust.find(signature.keyFingerprint());
    if (key.isEmpty()) {
      return new Check(Status.UNKNOWN_KEY, signature.keyFingerprint());
    }
    boolean valid = false;
    if (document != null) {
      try {
        valid = signature.verifies(document, key.get());
      } catch (GeneralSecurityException e) {
        valid = false;
      }
    }
    return new Check(valid ? Status.VALID : Status.BAD_SIGNATURE, signature.keyFingerprint());
  }

  /** The JSON object form. */
  public ObjectNode toJson(ObjectMapper mapper) {
    ObjectNode node = mapper.createObjectNode();
    node.put("format", FORMAT);
    node.put("algorithm", algorithm);
    node.put("keyFingerprint", keyFingerprint);
    node.put("signature", Base64.getEncoder().encodeToString(signature));
    return node;
  }

  /** Reads the JSON object form; throws {@link IllegalArgumentException} naming what is wrong. */
  public static DetachedSignature fromJson(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("signature is not a JSON object");
    }
    if (!FORMAT.equals(text(node, "format"))) {
      throw new IllegalArgumentException("signature format is not " + FORMAT);
    }
    byte[] value;
    try {
      value = Base64.getDecoder().decode(text(node, "signature"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("signature value is not base64", e);
    }
    return new DetachedSignature(text(node, "algorithm"), text(node, "keyFingerprint"), value);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("signature has no text member '" + field + "'");
    }
    return value.asText();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DetachedSignature that
        && algorithm.equals(that.algorithm)
        && keyFingerprint.equals(that.keyFingerprint)
        && Arrays.equals(signature, that.signature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(algorithm, keyFingerprint, Arrays.hashCode(signature));
  }

  @Override
  public String toString() {
    return "DetachedSignature[" + algorithm + ", " + keyFingerprint + "]";
  }
}
