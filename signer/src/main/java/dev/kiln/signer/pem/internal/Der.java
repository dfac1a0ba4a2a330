package dev.kiln.signer.pem.internal;

import java.io.ByteArrayOutputStream;

/**
 * The few DER encodings the PEM reader needs to wrap a PKCS#1 {@code RSAPrivateKey} into a PKCS#8
 * {@code PrivateKeyInfo} (RFC 5208 §5):
 *
 * <pre>
 * PrivateKeyInfo ::= SEQUENCE {
 *   version             INTEGER (0),
 *   privateKeyAlgorithm SEQUENCE { OID 1.2.840.113549.1.1.1 (rsaEncryption), NULL },
 *   privateKey          OCTET STRING (the DER RSAPrivateKey) }
 * </pre>
 */
public final class Der {
  /** INTEGER 0, the PrivateKeyInfo version. */
  private static final byte[] VERSION_ZERO = {0x02, 0x01, 0x00};

  /** SEQUENCE { OID rsaEncryption, NULL }. */
  private static final byte[] RSA_ALGORITHM = {
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00
  };

  private Der() {}

  /** Wraps a DER PKCS#1 RSAPrivateKey into a DER PKCS#8 PrivateKeyInfo. */
  public static byte[] pkcs1ToPkcs8(byte[] rsaPrivateKey) {
    ByteArrayOutputStream body = new ByteArrayOutputStream(rsaPrivateKey.length + 32);
    body.writeBytes(VERSION_ZERO);
    body.writeBytes(RSA_ALGORITHM);
    body.writeBytes(tagged(0x04, rsaPrivateKey));
    return tagged(0x30, body.toByteArray());
  }

  /** One TLV with a definite-length (short or long form) length. */
  static byte[] tagged(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  /**
   * Wraps a DER PKCS#1 RSAPublicKey into a SubjectPublicKeyInfo: SEQUENCE { SEQUENCE { OID
   * rsaEncryption, NULL }, BIT STRING (0 unused bits, the RSAPublicKey) }.
   */
  public static byte[] pkcs1PublicToSpki(byte[] rsaPublicKey) {
    byte[] bits = new byte[rsaPublicKey.length + 1];
    System.arraycopy(rsaPublicKey, 0, bits, 1, rsaPublicKey.length);
    ByteArrayOutputStream body = new ByteArrayOutputStream(rsaPublicKey.length + 32);
    body.writeBytes(RSA_ALGORITHM);
    body.writeBytes(tagged(0x03, bits));
    return tagged(0x30, body.toByteArray());
  }
}
