package dev.kiln.signer.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.signer.KeyReference;
import dev.kiln.signer.SecretSource;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class KeyReferenceTest {

  @Test
  void fileReference() {
    KeyReference ref = KeyReference.parse("file:/keys/release.pem");
    assertEquals(new KeyReference.FileKey(Path.of("/keys/release.pem")), ref);
    assertEquals("file", ref.backend());
    assertEquals("file:/keys/release.pem", ref.toString());
  }

  @Test
  void pkcs11ReferenceIsPercentDecodedAndExact() {
    String text =
        "pkcs11:token=fw%20sign;object=rsa4096;id=%01%ff;type=private"
            + "?module-path=/opt/hsm/lib%2Dp11.so&pin-source=file:/run/pin";
    KeyReference.Pkcs11Key ref =
        assertInstanceOf(KeyReference.Pkcs11Key.class, KeyReference.parse(text));
    assertEquals("fw sign", ref.tokenLabel());
    assertEquals("rsa4096", ref.objectLabel());
    assertArrayEquals(new byte[] {1, (byte) 0xff}, ref.id());
    assertEquals(Path.of("/opt/hsm/lib-p11.so"), ref.modulePath());
    assertEquals(SecretSource.parse("file:/run/pin"), ref.pinSource());
    assertEquals(text, ref.toString());
    assertEquals("pkcs11", ref.backend());
  }

  @Test
  void pkcs11DefaultsToSoftHsmAndAcceptsSerialAndSlot() {
    KeyReference.Pkcs11Key ref =
        (KeyReference.Pkcs11Key) KeyReference.parse("pkcs11:slot-id=42;serial=abc;id=%02");
    assertEquals(KeyReference.Pkcs11Key.DEFAULT_MODULE, ref.modulePath());
    assertEquals(42L, ref.slotId());
    assertEquals("abc", ref.tokenSerial());
    assertNull(ref.tokenLabel());
    assertNull(ref.objectLabel());
    assertNull(ref.pinSource());
  }

  @Test
  void pinValueIsRefusedWithoutEchoingThePin() {
    for (String text :
        new String[] {
          "pkcs11:token=t;object=k;pin-value=123456",
          "pkcs11:token=t;object=k?pin-value=123456",
          "pkcs11:token=t;object=k?pin-value=123456&module-path=%zz"
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> KeyReference.parse(text));
      assertFalse(e.getMessage().contains("123456"), e.getMessage());
      assertEquals(
          "pkcs11 key reference: pin-value is not accepted (a PIN in a URI leaks into logs);"
              + " use pin-source=file:PATH or pin-source=env:VAR",
          e.getMessage());
    }
  }

  @Test
  void pkcs11NeedsATokenAndAKeySelector() {
    assertEquals(
        "pkcs11 key reference needs token=, serial= or slot-id= to pick the token",
        assertThrows(IllegalArgumentException.class, () -> KeyReference.parse("pkcs11:object=k"))
            .getMessage());
    assertEquals(
        "pkcs11 key reference needs object= or id= to pick the key",
        assertThrows(IllegalArgumentException.class, () -> KeyReference.parse("pkcs11:token=t"))
            .getMessage());
    assertEquals(
        "pkcs11 key reference: unsupported attribute 'library-version'",
        assertThrows(
                IllegalArgumentException.class,
                () -> KeyReference.parse("pkcs11:token=t;object=k;library-version=1"))
            .getMessage());
    assertEquals(
        "pkcs11 key reference: type= must be 'private' (signing needs the private key)",
        assertThrows(
                IllegalArgumentException.class,
                () -> KeyReference.parse("pkcs11:token=t;object=k;type=cert"))
            .getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> KeyReference.parse("pkcs11:token=t;token=u;id=1"));
    assertThrows(IllegalArgumentException.class, () -> KeyReference.parse("pkcs11:token=%4"));
  }

  @Test
  void kmsReferenceForms() {
    String[] keys = {
      "1234abcd-12ab-34cd-56ef-1234567890ab",
      "arn:aws:kms:eu-west-3:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      "alias/fw-root-2026",
      "arn:aws:kms:us-east-2:111122223333:alias/fw-root-2026"
    };
    String[] regions = {null, "eu-west-3", null, "us-east-2"};
    for (int i = 0; i < keys.length; i++) {
      KeyReference.KmsKey ref = (KeyReference.KmsKey) KeyReference.parse("awskms:///" + keys[i]);
      assertEquals(keys[i], ref.keyId());
      assertNull(ref.endpoint());
      assertEquals(regions[i], ref.arnRegion());
      assertEquals("awskms:///" + keys[i], ref.toString());
      assertEquals("awskms", ref.backend());
    }
    KeyReference.KmsKey withHost =
        (KeyReference.KmsKey) KeyReference.parse("awskms://kms.example:8443/alias/x");
    assertEquals(URI.create("https://kms.example:8443"), withHost.endpoint());
    assertEquals("alias/x", withHost.keyId());
    assertThrows(IllegalArgumentException.class, () -> KeyReference.parse("awskms:///"));
    assertThrows(IllegalArgumentException.class, () -> KeyReference.parse("awskms:alias/x"));
  }

  @Test
  void unknownSchemeIsAUsageError() {
    assertEquals(
        "unknown key reference 'gcpkms://x': use file:PATH, pkcs11:... or awskms:///KEY",
        assertThrows(IllegalArgumentException.class, () -> KeyReference.parse("gcpkms://x"))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> KeyReference.parse("file:"));
  }

  @Test
  void secretSourcesAreEnvOrFileOnly() {
    assertEquals("env:KILN_PIN", SecretSource.parse("env:KILN_PIN").toString());
    assertEquals("file:/run/pin", SecretSource.parse("file:/run/pin").toString());
    assertThrows(IllegalArgumentException.class, () -> SecretSource.parse("1234"));
    assertThrows(IllegalArgumentException.class, () -> SecretSource.parse("env:"));
  }
}
