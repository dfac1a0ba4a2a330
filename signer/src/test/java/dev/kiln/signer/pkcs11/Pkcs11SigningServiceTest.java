package dev.kiln.signer.pkcs11;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.keys.SampleKey;
import dev.kiln.signer.DigestAlgorithm;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyFingerprint;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.SigningServices;
import dev.kiln.testkit.SoftHsmToken;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token and key selection, login and error reporting against real SoftHSM2 tokens. */
class Pkcs11SigningServiceTest {
  private static SoftHsmToken fwSign;
  private static SoftHsmToken fwSign2;
  private static final String MODULE = "module-path=" + SoftHsmToken.MODULE;

  @TempDir Path dir;

  @BeforeAll
  static void createTokens() throws Exception {
    // A label that is a prefix of another: OpenSC's --token-label would pick either.
    fwSign2 = SoftHsmToken.create("fw-sign-2", SampleKey.RSA_2048);
    fwSign = SoftHsmToken.create("fw-sign", SampleKey.RSA_4096);
  }

  private static KeyAccessException openFails(String uri) {
    return assertThrows(
        KeyAccessException.class, () -> SigningServices.open(uri, KeyOptions.defaults()));
  }

  @Test
  void tokenLabelMatchesExactlyNotByPrefix() throws Exception {
    try (SigningService service =
        SigningServices.open(fwSign.uri(SampleKey.RSA_4096), KeyOptions.defaults())) {
      assertEquals(SampleKey.RSA_4096.fingerprint(), KeyFingerprint.of(service.publicKey()));
    }
    try (SigningService service =
        SigningServices.open(fwSign2.uri(SampleKey.RSA_2048), KeyOptions.defaults())) {
      assertEquals(SampleKey.RSA_2048.fingerprint(), KeyFingerprint.of(service.publicKey()));
    }
    String prefix =
        "pkcs11:token=fw-sig;object=sample-rsa4096?"
            + MODULE
            + "&pin-source=file:"
            + fwSign.pinFile();
    KeyAccessException e = openFails(prefix);
    assertTrue(
        e.getMessage().startsWith(prefix + ": no such token; tokens present: "), e.getMessage());
    assertTrue(e.getMessage().contains("'fw-sign' (serial "), e.getMessage());
    // SoftHSM always offers one free, uninitialized slot; it is listed as such, and the message
    // says which configuration SoftHSM2 read.
    assertTrue(e.getMessage().contains("an uninitialized token (slot-id "), e.getMessage());
    assertTrue(
        e.getMessage().endsWith(" (SoftHSM2 reads " + System.getenv("SOFTHSM2_CONF") + ")"),
        e.getMessage());
  }

  @Test
  void keyIsFoundByIdAlone() throws Exception {
    try (SigningService service =
        SigningServices.open(fwSign.uri("id=%10%00"), KeyOptions.defaults())) {
      assertEquals(SampleKey.RSA_4096.fingerprint(), KeyFingerprint.of(service.publicKey()));
    }
  }

  @Test
  void wrongPinIsReportedWithoutThePin() throws Exception {
    SoftHsmToken token = SoftHsmToken.create("kiln-wrong-pin", SampleKey.RSA_2048);
    Path wrong = dir.resolve("wrong-pin.txt");
    Files.writeString(wrong, "999999\n", StandardCharsets.UTF_8);
    String uri =
        "pkcs11:token=kiln-wrong-pin;object=sample-rsa2048?" + MODULE + "&pin-source=file:" + wrong;
    KeyAccessException e = openFails(uri);
    assertEquals(uri + ": wrong PIN (from file:" + wrong + ")", e.getMessage());
    assertFalse(e.getMessage().contains("999999"));
    // The right PIN still works: one failure did not lock the token.
    try (SigningService service =
        SigningServices.open(token.uri(SampleKey.RSA_2048), KeyOptions.defaults())) {
      assertEquals(2048, service.publicKey().getModulus().bitLength());
    }
  }

  @Test
  void missingPinSourceIsExplained() {
    String uri = "pkcs11:token=fw-sign;object=sample-rsa4096?" + MODULE;
    assertEquals(
        uri + ": the token requires a PIN; add pin-source=file:PATH or pin-source=env:VAR"
            + " (or run on a terminal to be asked)",
        openFails(uri).getMessage());
  }

  @Test
  void noSuchKeyListsTheKeysPresent() {
    String uri = fwSign.uri("object=nope");
    assertEquals(
        uri
            + ": no such private key on token 'fw-sign'; private keys present:"
            + " object=sample-rsa4096;id=1000",
        openFails(uri).getMessage());
    String wrongId = fwSign.uri("object=sample-rsa4096;id=%08%00");
    assertTrue(openFails(wrongId).getMessage().startsWith(wrongId + ": no such private key"));
  }

  @Test
  void ambiguousKeysAreListedAndIdResolvesThem() throws Exception {
    SoftHsmToken token = SoftHsmToken.create("kiln-dup-keys");
    token.importKey(SampleKey.RSA_2048, "dup", "01");
    token.importKey(SampleKey.RSA_4096, "dup", "02");
    String uri = token.uri("object=dup");
    String message = openFails(uri).getMessage();
    assertTrue(
        message.startsWith(
            uri + ": ambiguous, several private keys match on token" + " 'kiln-dup-keys': "),
        message);
    assertTrue(
        message.contains("object=dup;id=01") && message.contains("object=dup;id=02"), message);
    try (SigningService service =
        SigningServices.open(token.uri("object=dup;id=%02"), KeyOptions.defaults())) {
      assertEquals(4096, service.publicKey().getModulus().bitLength());
    }
  }

  @Test
  void ambiguousTokensAreListedAndSlotIdResolvesThem() throws Exception {
    SoftHsmToken first = SoftHsmToken.create("kiln-twin", SampleKey.RSA_2048);
    SoftHsmToken second = SoftHsmToken.create("kiln-twin", SampleKey.RSA_2048);
    String uri = first.uri(SampleKey.RSA_2048);
    String message = openFails(uri).getMessage();
    assertTrue(
        message.startsWith(uri + ": ambiguous, 2 tokens match: 'kiln-twin' (serial "), message);
    assertTrue(message.endsWith("(add serial= or slot-id=)"), message);
    for (SoftHsmToken token : new SoftHsmToken[] {first, second}) {
      try (SigningService service =
          SigningServices.open(
              token.uri("object=sample-rsa2048;slot-id=" + token.slotId()),
              KeyOptions.defaults())) {
        assertEquals(SampleKey.RSA_2048.fingerprint(), KeyFingerprint.of(service.publicKey()));
      }
    }
  }

  @Test
  void missingOrInvalidModuleIsReported() throws Exception {
    String missing = "pkcs11:token=fw-sign;object=k?module-path=/nonexistent/libp11.so";
    assertEquals(
        missing + ": PKCS#11 module /nonexistent/libp11.so does not exist",
        openFails(missing).getMessage());
    Path notALibrary = dir.resolve("not-a-library.so");
    Files.writeString(notALibrary, "text");
    String invalid = "pkcs11:token=fw-sign;object=k?module-path=" + notALibrary;
    assertTrue(
        openFails(invalid)
            .getMessage()
            .startsWith(invalid + ": cannot load PKCS#11 module " + notALibrary),
        openFails(invalid).getMessage());
  }

  @Test
  void keyOfTheWrongSizeIsRefused() {
    String uri = fwSign2.uri(SampleKey.RSA_2048);
    KeyAccessException e =
        assertThrows(
            KeyAccessException.class,
            () -> SigningServices.open(uri, KeyOptions.defaults().withRequiredKeyBits(4096)));
    assertEquals(uri + ": the key is RSA-2048 but RSA-4096 is required", e.getMessage());
  }

  @Test
  void alwaysAuthenticateKeyLogsInForEverySignature() throws Exception {
    SoftHsmToken token = SoftHsmToken.create("kiln-always-auth");
    token.pkcs11Tool(
        "--keypairgen",
        "--key-type",
        "rsa:2048",
        "--label",
        "always",
        "--id",
        "0a",
        "--always-auth",
        "--usage-sign");
    byte[] message = "two signatures, two logins".getBytes(StandardCharsets.UTF_8);
    try (SigningService service =
        SigningServices.open(token.uri("object=always"), KeyOptions.defaults())) {
      assertTrue(assertInstanceOf(Pkcs11SigningService.class, service).alwaysAuthenticate());
      byte[] digest = DigestAlgorithm.SHA256.digest(message);
      byte[] first = service.signDigest(DigestAlgorithm.SHA256, digest);
      byte[] second = service.signDigest(DigestAlgorithm.SHA256, digest);
      assertArrayEquals(first, second);
      Signature verifier = Signature.getInstance("SHA256withRSA");
      verifier.initVerify(service.publicKey());
      verifier.update(message);
      assertTrue(verifier.verify(first));
    }
  }

  @Test
  void twoServicesOnOneModuleCoexist() throws Exception {
    byte[] digest = DigestAlgorithm.SHA512.digest(new byte[] {1, 2, 3});
    try (SigningService b =
        SigningServices.open(fwSign2.uri(SampleKey.RSA_2048), KeyOptions.defaults())) {
      try (SigningService a =
          SigningServices.open(fwSign.uri(SampleKey.RSA_4096), KeyOptions.defaults())) {
        assertEquals(512, a.signDigest(DigestAlgorithm.SHA512, digest).length);
      }
      // Closing one service must leave the module initialised and the other logged in.
      assertEquals(256, b.signDigest(DigestAlgorithm.SHA512, digest).length);
    }
  }
}
