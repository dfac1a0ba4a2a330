package dev.kiln.signer.pem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.signer.DigestAlgorithm;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyFingerprint;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.KeyReference;
import dev.kiln.signer.SecretSource;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.SigningServices;
import dev.kiln.signer.keys.SigningServiceContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemSigningServiceTest extends SigningServiceContract {
  @TempDir Path dir;

  @Override
  protected SigningService open(SampleKey key) throws Exception {
    Path file = SampleKeys.writePrivateKey(key, dir);
    return SigningServices.open("file:" + file, KeyOptions.defaults());
  }

  @Override
  protected String expectedBackend() {
    return "file";
  }

  private byte[] signWith(String resource, KeyOptions options) throws Exception {
    Path file = SampleKeys.copyTo(resource, dir);
    try (SigningService service = SigningServices.open("file:" + file, options)) {
      return service.signDigest(DigestAlgorithm.SHA256, new byte[32]);
    }
  }

  private KeyOptions withPassphraseFile() throws Exception {
    Path pass = SampleKeys.copyTo(SampleKeys.PASSPHRASE, dir);
    return KeyOptions.defaults().withKeyPassphrase(SecretSource.parse("file:" + pass));
  }

  @Test
  void pkcs1AndEncryptedFormsSignLikeThePkcs8File() throws Exception {
    byte[] pkcs8 = signWith(SampleKey.RSA_2048.privateKeyResource(), KeyOptions.defaults());
    assertArrayEquals(pkcs8, signWith(SampleKeys.RSA2048_PKCS1, KeyOptions.defaults()));
    assertArrayEquals(pkcs8, signWith(SampleKeys.RSA2048_PKCS1_ENCRYPTED, withPassphraseFile()));
  }

  @Test
  void encryptedPkcs8OpensWithThePassphraseAndIsTheRsa4096Key() throws Exception {
    Path file = SampleKeys.copyTo(SampleKeys.RSA4096_PKCS8_ENCRYPTED, dir);
    try (SigningService service = SigningServices.open("file:" + file, withPassphraseFile())) {
      assertEquals(SampleKey.RSA_4096.fingerprint(), KeyFingerprint.of(service.publicKey()));
    }
  }

  @Test
  void encryptedKeyWithoutPassphraseNamesTheOption() throws Exception {
    Path file = SampleKeys.copyTo(SampleKeys.RSA4096_PKCS8_ENCRYPTED, dir);
    KeyAccessException e =
        assertThrows(
            KeyAccessException.class,
            () -> SigningServices.open("file:" + file, KeyOptions.defaults()));
    assertEquals(
        "file:"
            + file
            + ": the key is encrypted; give its passphrase as env:VAR or file:PATH"
            + " (--key-pass)",
        e.getMessage());
  }

  @Test
  void wrongPassphraseIsAKeyAccessErrorThatDoesNotLeakIt() throws Exception {
    Path pass = dir.resolve("wrong.txt");
    Files.writeString(pass, "not-the-passphrase\n", StandardCharsets.UTF_8);
    KeyOptions options = KeyOptions.defaults().withKeyPassphrase(SecretSource.file(pass));
    for (String resource :
        new String[] {SampleKeys.RSA4096_PKCS8_ENCRYPTED, SampleKeys.RSA2048_PKCS1_ENCRYPTED}) {
      Path file = SampleKeys.copyTo(resource, dir);
      KeyAccessException e =
          assertThrows(
              KeyAccessException.class, () -> SigningServices.open("file:" + file, options));
      assertTrue(e.getMessage().startsWith("file:" + file + ": cannot decrypt the key"));
      assertTrue(e.getMessage().contains("file:" + pass));
      assertFalse(e.getMessage().contains("not-the-passphrase"));
    }
  }

  @Test
  void missingPassphraseVariableIsReported() throws Exception {
    Path file = SampleKeys.copyTo(SampleKeys.RSA4096_PKCS8_ENCRYPTED, dir);
    KeyOptions options =
        KeyOptions.defaults().withKeyPassphrase(SecretSource.parse("env:KILN_TEST_UNSET_VAR_X"));
    KeyAccessException e =
        assertThrows(KeyAccessException.class, () -> SigningServices.open("file:" + file, options));
    assertEquals(
        "secret source env:KILN_TEST_UNSET_VAR_X: the variable is not set", e.getMessage());
  }

  @Test
  void missingFilePublicKeyFileAndGarbageAreKeyAccessErrors() throws Exception {
    Path missing = dir.resolve("absent.pem");
    assertEquals(
        "file:" + missing + ": cannot read the key file: " + missing + ": no such file",
        assertThrows(
                KeyAccessException.class,
                () -> SigningServices.open("file:" + missing, KeyOptions.defaults()))
            .getMessage());

    Path pub = SampleKeys.writePublicKey(SampleKey.RSA_2048, dir);
    assertEquals(
        "file:" + pub + ": no private key in the file (found PUBLIC KEY)",
        assertThrows(
                KeyAccessException.class,
                () -> SigningServices.open("file:" + pub, KeyOptions.defaults()))
            .getMessage());

    Path garbage = dir.resolve("garbage.pem");
    Files.writeString(garbage, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    KeyAccessException e =
        assertThrows(
            KeyAccessException.class,
            () -> SigningServices.open("file:" + garbage, KeyOptions.defaults()));
    assertTrue(e.getMessage().startsWith("file:" + garbage + ": not an RSA private key"));
  }

  @Test
  void keyOfTheWrongSizeIsRefused() throws Exception {
    Path file = SampleKeys.writePrivateKey(SampleKey.RSA_2048, dir);
    KeyAccessException e =
        assertThrows(
            KeyAccessException.class,
            () ->
                SigningServices.open(
                    KeyReference.parse("file:" + file),
                    KeyOptions.defaults().withRequiredKeyBits(4096)));
    assertEquals("file:" + file + ": the key is RSA-2048 but RSA-4096 is required", e.getMessage());
  }

  @Test
  void publicKeyReaderAcceptsSpkiPem() throws Exception {
    for (SampleKey key : SampleKey.values()) {
      assertEquals(
          key.fingerprint(),
          KeyFingerprint.of(PemKeys.readPublicKey(key.publicKeyPem(), key.baseName())));
    }
  }
}
