package dev.kiln.inspector.section;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.format.Dwords;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SecuritySectionsTest {
  private static byte[] bytes(int length, int seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void imageSignatureLayouts() throws Exception {
    for (ImageSignature.Kind kind : ImageSignature.Kind.values()) {
      ImageSignature sig =
          new ImageSignature(kind, bytes(16, 1), bytes(16, 2), bytes(kind.signatureLength(), 3));
      byte[] body = sig.encode();
      assertEquals(kind == ImageSignature.Kind.SIGNATURE_256 ? 0x140 : 0x240, body.length);
      assertArrayEquals(sig.keypairUuid(), Arrays.copyOfRange(body, 0x10, 0x20));
      assertArrayEquals(
          sig.signature(), Arrays.copyOfRange(body, 0x20, 0x20 + kind.signatureLength()));
      assertArrayEquals(new byte[0x20], Arrays.copyOfRange(body, body.length - 0x20, body.length));
      assertEquals(sig, ImageSignature.decode(kind, body));
      assertTrue(ImageSignature.empty(kind).isEmpty());
      assertFalse(sig.isEmpty());
    }
    assertThrows(SectionFormatException.class,
        () -> ImageSignature.decode(ImageSignature.Kind.SIGNATURE_512, new byte[0x140]));
  }

  @Test
  void devKeyRuleOfQuery() {
    byte[] dev = new byte[16];
    dev[0] = 1;
    dev[8] = 7; // upper half of the third dword may be set
    ImageSignature.Kind kind = ImageSignature.Kind.SIGNATURE_256;
    assertTrue(new ImageSignature(kind, new byte[16], dev, new byte[256]).isDevKey());
    byte[] production = dev.clone();
    production[15] = 1;
    assertFalse(new ImageSignature(kind, new byte[16], production, new byte[256]).isDevKey());
    assertFalse(ImageSignature.empty(kind).isDevKey());
  }

  @Test
  void publicKeyEntriesLayout() throws Exception {
    for (PublicKeys.Kind kind : PublicKeys.Kind.values()) {
      List<PublicKeys.Entry> entries = new ArrayList<>();
      entries.add(PublicKeys.Entry.firmwareKey(kind, 0x10001, bytes(16, 4),
          bytes(kind.modulusLength(), 5)));
      entries.add(new PublicKeys.Entry(kind.authType(), true, true, false, true, false, 3,
          bytes(16, 6), bytes(kind.modulusLength(), 7)));
      entries.add(PublicKeys.Entry.unused(kind));
      PublicKeys keys = new PublicKeys(kind, entries);
      byte[] body = keys.encode();
      assertEquals(3 * kind.entrySize(), body.length);
      assertEquals(kind.authType(), body[3], "auth_type is byte 3, as set_public_keys checks");
      assertEquals(0x80000000 | kind.authType(), Dwords.get(body, 0), "fw_en at 0x0.31");
      assertEquals(0x58000000 | kind.authType(), Dwords.get(body, kind.entrySize()),
          "frc_en .27, mlnx_nvconf_en .28, cs_token_en .30");
      assertEquals(0x10001, Dwords.get(body, 0x0C));
      assertEquals(keys, PublicKeys.decode(kind, body));
      byte[] withTail = Arrays.copyOf(body, body.length + 8);
      assertEquals(keys, PublicKeys.decode(kind, withTail));
      assertThrows(SectionFormatException.class,
          () -> PublicKeys.decode(kind, new byte[kind.entrySize() - 4]));
    }
    assertEquals(0x900, PublicKeys.unused(PublicKeys.Kind.KEYS_2048, 8).sectionSize());
    assertEquals(0x1100, PublicKeys.unused(PublicKeys.Kind.KEYS_4096, 8).sectionSize());
  }

  @Test
  void rsaPublicKeyAndSignatures() throws Exception {
    List<RsaPublicKey.Entry> entries = new ArrayList<>();
    entries.add(new RsaPublicKey.Entry(0x10001, bytes(16, 8), bytes(512, 9), 0));
    for (int i = 1; i < RsaPublicKey.ENTRIES; i++) {
      entries.add(RsaPublicKey.Entry.empty());
    }
    RsaPublicKey key = new RsaPublicKey(entries);
    byte[] body = key.encode();
    assertEquals(0x1100, body.length);
    assertEquals(0x10001, Dwords.get(body, 0));
    assertArrayEquals(entries.get(0).keypairUuid(), Arrays.copyOfRange(body, 4, 20));
    assertArrayEquals(entries.get(0).modulus(), Arrays.copyOfRange(body, 0x14, 0x214));
    assertEquals(key, RsaPublicKey.decode(body));
    assertEquals(RsaPublicKey.empty(), RsaPublicKey.decode(new byte[0x1100]));
    assertThrows(SectionFormatException.class, () -> RsaPublicKey.decode(new byte[0x100]));

    Rsa4096Signatures sigs = new Rsa4096Signatures(bytes(512, 1), bytes(512, 2), bytes(512, 3));
    byte[] sigBody = sigs.encode();
    assertEquals(0x600, sigBody.length);
    assertArrayEquals(sigs.critical(), Arrays.copyOfRange(sigBody, 0x200, 0x400));
    assertEquals(sigs, Rsa4096Signatures.decode(sigBody));
    assertThrows(SectionFormatException.class, () -> Rsa4096Signatures.decode(new byte[0x5FC]));
  }
}
