package dev.kiln.signer.pem;

import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.SecretSource;
import dev.kiln.signer.pem.internal.Der;
import java.io.IOException;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reads RSA keys from PEM text with the JDK alone. Accepted private-key blocks:
 *
 * <ul>
 *   <li>{@code PRIVATE KEY}: PKCS#8 (what {@code openssl genpkey} writes);
 *   <li>{@code RSA PRIVATE KEY}: PKCS#1 (what {@code openssl rsa -traditional} writes), optionally
 *       with OpenSSL's legacy {@code Proc-Type: 4,ENCRYPTED} / {@code DEK-Info} encryption
 *       (AES-128, AES-192, AES-256 or DES-EDE3, all CBC; key from {@code EVP_BytesToKey} with MD5,
 *       one round);
 *   <li>{@code ENCRYPTED PRIVATE KEY}: PKCS#8 encrypted with PBES2 (PBKDF2 + AES-CBC), what {@code
 *       openssl pkcs8 -topk8 -v2 aes-256-cbc} writes.
 * </ul>
 *
 * Public keys: {@code PUBLIC KEY} (SubjectPublicKeyInfo) and {@code RSA PUBLIC KEY} (PKCS#1).
 */
public final class PemKeys {
  private PemKeys() {}

  /** One {@code -----BEGIN TYPE-----} block: its type, its RFC 1421 headers and its DER body. */
  private record Block(String type, List<String> headers, byte[] der) {}

  /**
   * Reads the one RSA private key in {@code pem}.
   *
   * @param pem the file's text
   * @param passphrase where the passphrase comes from when the key is encrypted, or {@code null}
   * @param source names the key in error messages (e.g. {@code file:/keys/k.pem})
   * @throws KeyAccessException if there is no private key, more than one, it is not RSA, it is
   *     encrypted and no or a wrong passphrase was given
   */
  public static RSAPrivateCrtKey readPrivateKey(String pem, SecretSource passphrase, String source)
      throws KeyAccessException {
    List<Block> keys = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (Block block : blocks(pem, source)) {
      seen.add(block.type());
      if (block.type().endsWith("PRIVATE KEY")) {
        keys.add(block);
      }
    }
    if (keys.isEmpty()) {
      throw new KeyAccessException(
          source
              + ": no private key in the file"
              + (seen.isEmpty() ? " (no PEM blocks)" : " (found " + String.join(", ", seen) + ")"));
    }
    if (keys.size() > 1) {
      throw new KeyAccessException(source + ": more than one private key in the file");
    }
    Block block = keys.get(0);
    byte[] pkcs8;
    switch (block.type()) {
      case "PRIVATE KEY" -> pkcs8 = block.der();
      case "RSA PRIVATE KEY" -> {
        byte[] pkcs1 =
            block.headers().stream().anyMatch(h -> h.startsWith("Proc-Type:"))
                ? decryptLegacy(block, passphrase, source)
                : block.der();
        pkcs8 = Der.pkcs1ToPkcs8(pkcs1);
        Arrays.fill(pkcs1, (byte) 0);
      }
      case "ENCRYPTED PRIVATE KEY" -> pkcs8 = decryptPkcs8(block.der(), passphrase, source);
      default ->
          throw new KeyAccessException(
              source + ": unsupported key type '" + block.type() + "' (RSA keys only)");
    }
    try {
      PrivateKey key =
          KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      if (key instanceof RSAPrivateCrtKey crt) {
        return crt;
      }
      throw new KeyAccessException(source + ": the RSA key lacks its CRT parameters");
    } catch (GeneralSecurityException e) {
      throw new KeyAccessException(source + ": not an RSA private key (" + e.getMessage() + ")");
    } finally {
      Arrays.fill(pkcs8, (byte) 0);
    }
  }

  /** The public half of a CRT private key. */
  public static RSAPublicKey publicKeyOf(RSAPrivateCrtKey key) {
    return rsaPublic(new RSAPublicKeySpec(key.getModulus(), key.getPublicExponent()));
  }

  /**
   * Reads the one RSA public key in {@code pem} ({@code PUBLIC KEY} or {@code RSA PUBLIC KEY}).
   *
   * @throws KeyAccessException if there is none, more than one, or it is not RSA
   */
  public static RSAPublicKey readPublicKey(String pem, String source) throws KeyAccessException {
    List<Block> keys =
        blocks(pem, source).stream().filter(b -> b.type().endsWith("PUBLIC KEY")).toList();
    if (keys.size() != 1) {
      throw new KeyAccessException(
          source + ": expected one public key, found " + keys.size() + " PUBLIC KEY blocks");
    }
    Block block = keys.get(0);
    try {
      if (block.type().equals("PUBLIC KEY")) {
        PublicKey key =
            KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(block.der()));
        if (key instanceof RSAPublicKey rsa) {
          return rsa;
        }
      } else if (block.type().equals("RSA PUBLIC KEY")) {
        // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }: wrap it in an
        // SPKI.
        byte[] spki = Der.pkcs1PublicToSpki(block.der());
        return (RSAPublicKey)
            KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(spki));
      }
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new KeyAccessException(source + ": not an RSA public key");
    }
    throw new KeyAccessException(source + ": not an RSA public key (" + block.type() + ")");
  }

  /**
   * Decodes a binary (DER) RSA public key as {@code pkcs11-tool --read-object --type pubkey} and
   * {@code openssl pkey -pubout -outform DER} write it: a SubjectPublicKeyInfo, or a bare PKCS#1
   * RSAPublicKey.
   *
   * @throws KeyAccessException if the bytes are neither
   */
  public static RSAPublicKey readPublicKeyDer(byte[] der, String source)
      throws KeyAccessException {
    for (boolean wrap : new boolean[] {false, true}) {
      try {
        PublicKey key =
            KeyFactory.getInstance("RSA")
                .generatePublic(new X509EncodedKeySpec(wrap ? Der.pkcs1PublicToSpki(der) : der));
        if (key instanceof RSAPublicKey rsa) {
          return rsa;
        }
      } catch (GeneralSecurityException | RuntimeException e) {
        // not this encoding; try the next
      }
    }
    throw new KeyAccessException(
        source + ": not a PEM or DER RSA public key (SubjectPublicKeyInfo or PKCS#1)");
  }

  /** The key as a PEM {@code PUBLIC KEY} block (SubjectPublicKeyInfo), 64 columns, LF endings. */
  public static String publicKeyPem(RSAPublicKey key) {
    String base64 =
        java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded());
    return "-----BEGIN PUBLIC KEY-----\n" + base64 + "\n-----END PUBLIC KEY-----\n";
  }

  private static RSAPublicKey rsaPublic(RSAPublicKeySpec spec) {
    try {
      return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(spec);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK's RSA key factory refused a valid key", e);
    }
  }

  private static List<Block> blocks(String pem, String source) throws KeyAccessException {
    List<Block> blocks = new ArrayList<>();
    String[] lines = pem.split("\r?\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (!line.startsWith("-----BEGIN ") || !line.endsWith("-----")) {
        continue;
      }
      String type = line.substring(11, line.length() - 5);
      List<String> headers = new ArrayList<>();
      StringBuilder base64 = new StringBuilder();
      boolean ended = false;
      for (i++; i < lines.length; i++) {
        String body = lines[i].strip();
        if (body.equals("-----END " + type + "-----")) {
          ended = true;
          break;
        }
        if (body.contains(":")) {
          headers.add(body);
        } else {
          base64.append(body);
        }
      }
      if (!ended) {
        throw new KeyAccessException(source + ": PEM block '" + type + "' has no END line");
      }
      try {
        blocks.add(
            new Block(type, List.copyOf(headers), Base64.getDecoder().decode(base64.toString())));
      } catch (IllegalArgumentException e) {
        throw new KeyAccessException(source + ": PEM block '" + type + "' is not valid base64");
      }
    }
    return blocks;
  }

  private static byte[] decryptPkcs8(byte[] der, SecretSource passphrase, String source)
      throws KeyAccessException {
    requirePassphrase(passphrase, source);
    char[] secret = passphrase.readChars();
    try {
      EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
      AlgorithmParameters parameters = info.getAlgParameters();
      // For PBES2 the parameters name the full scheme, e.g. "PBEWithHmacSHA256AndAES_256", while
      // getAlgName() returns only the PBES2 OID, which no Cipher accepts.
      String scheme = parameters.toString();
      SecretKey key = SecretKeyFactory.getInstance(scheme).generateSecret(new PBEKeySpec(secret));
      Cipher cipher = Cipher.getInstance(scheme);
      cipher.init(Cipher.DECRYPT_MODE, key, parameters);
      return info.getKeySpec(cipher).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new KeyAccessException(
          source
              + ": cannot decrypt the key: wrong passphrase (from "
              + passphrase
              + ") or unsupported encryption");
    } catch (IOException e) {
      throw new KeyAccessException(source + ": malformed ENCRYPTED PRIVATE KEY");
    } finally {
      Arrays.fill(secret, '\0');
    }
  }

  private static byte[] decryptLegacy(Block block, SecretSource passphrase, String source)
      throws KeyAccessException {
    requirePassphrase(passphrase, source);
    String dekInfo =
        block.headers().stream()
            .filter(h -> h.startsWith("DEK-Info:"))
            .findFirst()
            .orElseThrow(() -> new KeyAccessException(source + ": encrypted PEM without DEK-Info"))
            .substring("DEK-Info:".length())
            .strip();
    String[] parts = dekInfo.split(",");
    if (parts.length != 2) {
      throw new KeyAccessException(source + ": malformed DEK-Info header");
    }
    String cipherName = parts[0].strip().toUpperCase(Locale.ROOT);
    byte[] iv;
    try {
      iv = HexFormat.of().parseHex(parts[1].strip());
    } catch (IllegalArgumentException e) {
      throw new KeyAccessException(source + ": malformed DEK-Info IV");
    }
    String transformation;
    String keyAlgorithm;
    int keyLength;
    switch (cipherName) {
      case "AES-128-CBC" -> {
        transformation = "AES/CBC/PKCS5Padding";
        keyAlgorithm = "AES";
        keyLength = 16;
      }
      case "AES-192-CBC" -> {
        transformation = "AES/CBC/PKCS5Padding";
        keyAlgorithm = "AES";
        keyLength = 24;
      }
      case "AES-256-CBC" -> {
        transformation = "AES/CBC/PKCS5Padding";
        keyAlgorithm = "AES";
        keyLength = 32;
      }
      case "DES-EDE3-CBC" -> {
        transformation = "DESede/CBC/PKCS5Padding";
        keyAlgorithm = "DESede";
        keyLength = 24;
      }
      default ->
          throw new KeyAccessException(source + ": unsupported PEM encryption " + cipherName);
    }
    byte[] secret = passphrase.readBytes();
    byte[] key = evpBytesToKey(secret, Arrays.copyOf(iv, 8), keyLength);
    try {
      Cipher cipher = Cipher.getInstance(transformation);
      cipher.init(
          Cipher.DECRYPT_MODE, new SecretKeySpec(key, keyAlgorithm), new IvParameterSpec(iv));
      return cipher.doFinal(block.der());
    } catch (GeneralSecurityException e) {
      throw new KeyAccessException(
          source + ": cannot decrypt the key: wrong passphrase (from " + passphrase + ")");
    } finally {
      Arrays.fill(secret, (byte) 0);
      Arrays.fill(key, (byte) 0);
    }
  }

  /**
   * OpenSSL's {@code EVP_BytesToKey} with MD5 and one iteration, the key derivation of legacy
   * encrypted PEM: D_1 = MD5(pass || salt), D_i = MD5(D_(i-1) || pass || salt), key = D_1 || D_2
   * ... truncated to {@code length}. The salt is the first 8 bytes of the IV.
   */
  private static byte[] evpBytesToKey(byte[] secret, byte[] salt, int length) {
    try {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      byte[] key = new byte[length];
      byte[] previous = new byte[0];
      int filled = 0;
      while (filled < length) {
        md5.update(previous);
        md5.update(secret);
        md5.update(salt);
        previous = md5.digest();
        int take = Math.min(previous.length, length - filled);
        System.arraycopy(previous, 0, key, filled, take);
        filled += take;
      }
      return key;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("MD5 missing from the JDK", e);
    }
  }

  private static void requirePassphrase(SecretSource passphrase, String source)
      throws KeyAccessException {
    if (passphrase == null) {
      throw new KeyAccessException(
          source
              + ": the key is encrypted; give its passphrase as env:VAR or file:PATH"
              + " (--key-pass)");
    }
  }
}
