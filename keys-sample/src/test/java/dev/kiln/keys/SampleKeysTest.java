package dev.kiln.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SampleKeysTest {

  private static byte[] pemBody(String pem) {
    String base64 =
        pem.lines().filter(line -> !line.startsWith("-----")).collect(Collectors.joining());
    return Base64.getDecoder().decode(base64);
  }

  @ParameterizedTest
  @EnumSource(SampleKey.class)
  void recordedFingerprintIsTheSha256OfThePublicKeyFile(SampleKey key) throws Exception {
    byte[] spki = pemBody(key.publicKeyPem());
    String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spki));
    assertEquals(actual, key.fingerprint());
    assertTrue(SampleKeys.isSample(actual.toUpperCase(java.util.Locale.ROOT)));
  }

  @ParameterizedTest
  @EnumSource(SampleKey.class)
  void privateKeyMatchesPublicKeyAndSize(SampleKey key) throws Exception {
    KeyFactory rsa = KeyFactory.getInstance("RSA");
    RSAPrivateCrtKey priv =
        (RSAPrivateCrtKey)
            rsa.generatePrivate(new PKCS8EncodedKeySpec(pemBody(key.privateKeyPem())));
    RSAPublicKey pub =
        (RSAPublicKey) rsa.generatePublic(new X509EncodedKeySpec(pemBody(key.publicKeyPem())));
    assertEquals(pub.getModulus(), priv.getModulus());
    assertEquals(pub.getPublicExponent(), priv.getPublicExponent());
    assertEquals(key.bits(), pub.getModulus().bitLength());
  }

  @Test
  void fileNamesSayNotForProductionAndUuidsDiffer() {
    for (SampleKey key : SampleKey.values()) {
      assertTrue(key.privateKeyResource().contains("NOT-FOR-PRODUCTION"));
      assertTrue(key.publicKeyResource().contains("NOT-FOR-PRODUCTION"));
    }
    Set<String> variants =
        Set.of(
            SampleKeys.RSA2048_PKCS1,
            SampleKeys.RSA2048_PKCS1_ENCRYPTED,
            SampleKeys.RSA4096_PKCS8_ENCRYPTED,
            SampleKeys.PASSPHRASE);
    for (String resource : variants) {
      assertTrue(resource.contains("NOT-FOR-PRODUCTION"), resource);
      assertTrue(SampleKeys.resourceBytes(resource).length > 0, resource);
    }
    assertEquals(
        SampleKey.values().length,
        Stream.of(SampleKey.values()).map(SampleKey::uuid).distinct().count());
  }

  @Test
  void unknownFingerprintIsNotASample() {
    assertFalse(SampleKeys.isSample("00".repeat(32)));
  }
}
