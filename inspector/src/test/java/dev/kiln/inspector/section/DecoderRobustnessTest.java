package dev.kiln.inspector.section;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every decoder of this package, fed random bodies of random lengths (bounded run), either decodes
 * or throws {@link SectionFormatException}; nothing else escapes.
 */
class DecoderRobustnessTest {
  interface Decoder {
    Object decode(byte[] body) throws SectionFormatException;
  }

  private static final Decoder[] DECODERS = {
    ImageInfo::decode,
    MfgInfo::decode,
    DevInfo::decode,
    ForbiddenVersions::decode,
    RsaPublicKey::decode,
    Rsa4096Signatures::decode,
    b -> ImageSignature.decode(ImageSignature.Kind.SIGNATURE_256, b),
    b -> ImageSignature.decode(ImageSignature.Kind.SIGNATURE_512, b),
    b -> PublicKeys.decode(PublicKeys.Kind.KEYS_2048, b),
    b -> PublicKeys.decode(PublicKeys.Kind.KEYS_4096, b),
  };

  @Test
  void randomBodiesNeverEscapeAsUncheckedExceptions() {
    Random random = new Random(20260525);
    for (int round = 0; round < 3000; round++) {
      int length = random.nextInt(4) == 0 ? random.nextInt(16) : random.nextInt(0x1200);
      byte[] body = new byte[length];
      random.nextBytes(body);
      if (random.nextBoolean() && length >= 8) {
        // Give the Kiln FORBIDDEN_VERSIONS decoder a valid header so it reaches the entries.
        body[0] = 0x4B;
        body[1] = 0x46;
        body[2] = 0x56;
        body[3] = 0x31;
        body[4] = 0;
        body[5] = 1;
        body[6] = 0;
        body[7] = (byte) random.nextInt(8);
      }
      for (Decoder decoder : DECODERS) {
        try {
          decoder.decode(body);
        } catch (SectionFormatException expected) {
          // the documented outcome for bodies that cannot be decoded
        } catch (RuntimeException e) {
          fail("decoder threw " + e + " on a " + length + "-byte body (round " + round + ")", e);
        }
      }
    }
  }
}
