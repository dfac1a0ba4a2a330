package dev.kiln.packages.mfa2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.packages.PackageFormatException;
import java.security.MessageDigest;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Archives the reader must refuse, each with one line. Changes to the descriptors are "resealed"
 * (both SHA-256 values recomputed) where the test is about a later check.
 */
class Mfa2RefusalTest {
  private static byte[] archive;

  @BeforeAll
  static void writeOne() throws Exception {
    archive = Mfa2FixtureTest.ours();
  }

  @Test
  void aForeignFileIsNotAnArchive() {
    byte[] bytes = archive.clone();
    bytes[0] = 'X';
    assertEquals(
        "x.mfa2: not an MFA2 archive: no \"MLNX.MFA2.XZ.00!\" fingerprint at offset 0",
        refusal(bytes));
  }

  @Test
  void aChangedDescriptorByteBreaksTheDigests() {
    byte[] bytes = archive.clone();
    bytes[0xa0 + 4] = '8'; // a digit of the first PSID
    assertTrue(
        refusal(bytes).startsWith("x.mfa2: the archive SHA-256 (descriptors and component block) at 0x48"
            + " does not match the archive: stored "),
        refusal(bytes));
  }

  @Test
  void aChangedCompressedByteBreaksTheArchiveDigest() {
    byte[] bytes = archive.clone();
    bytes[0x200] ^= 1;
    assertTrue(refusal(bytes).startsWith("x.mfa2: the archive SHA-256"), refusal(bytes));
  }

  @Test
  void aCorruptStreamIsRefusedEvenWhenResealed() {
    byte[] bytes = archive.clone();
    bytes[0x200] ^= 1;
    reseal(bytes);
    assertTrue(
        refusal(bytes).startsWith("x.mfa2: the component block is not a valid XZ stream: "),
        refusal(bytes));
  }

  @Test
  void aBlockThatDecompressesToMoreThanDeclaredIsStopped() {
    byte[] bytes = archive.clone();
    bytes[0x2f] -= 1; // cb_size_l one byte smaller
    reseal(bytes);
    assertEquals(
        "x.mfa2: the component block decompresses to more than the 85151 bytes its package"
            + " descriptor declares",
        refusal(bytes));
  }

  @Test
  void aHugeDeclaredBlockIsRefusedBeforeAllocation() {
    byte[] bytes = archive.clone();
    bytes[0x2b] = 1; // cb_size_h = 1: 4 GiB more
    reseal(bytes);
    assertEquals(
        "x.mfa2: the component block declares 4295052448 uncompressed bytes, more than the 512"
            + " MiB kiln accepts",
        refusal(bytes));
  }

  @Test
  void aMultiPartWhoseTotalLengthDisagreesWithItsElementsIsRefused() {
    byte[] bytes = archive.clone();
    bytes[0x97] += 4; // first device multi-part total length 33 -> 37
    reseal(bytes);
    assertEquals(
        "x.mfa2: device descriptor 0 multi-part at 0x90: its total length 37 ends at 0xc0, its 3"
            + " elements at 0xbc",
        refusal(bytes));
  }

  @Test
  void aTruncatedArchiveIsRefused() {
    byte[] bytes = Arrays.copyOf(archive, 0x100);
    assertEquals(
        "x.mfa2: component descriptor 0 element 0 TLV value needs 16 bytes at offset 0xf4, only 12"
            + " left",
        refusal(bytes));
  }

  private static String refusal(byte[] bytes) {
    return assertThrows(PackageFormatException.class, () -> Mfa2Reader.read(bytes, "x.mfa2"))
        .getMessage();
  }

  /** Recomputes both digests as mstarchive does, over the descriptors with both zeroed. */
  private static void reseal(byte[] bytes) {
    int blockOffset = 0x140;
    Arrays.fill(bytes, 0x4c, 0x6c, (byte) 0);
    Arrays.fill(bytes, 0x70, 0x90, (byte) 0);
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(bytes, 0, blockOffset);
      byte[] descriptors = sha.digest();
      sha.update(bytes, 0, bytes.length);
      byte[] all = sha.digest();
      System.arraycopy(all, 0, bytes, 0x4c, 32);
      System.arraycopy(descriptors, 0, bytes, 0x70, 32);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
