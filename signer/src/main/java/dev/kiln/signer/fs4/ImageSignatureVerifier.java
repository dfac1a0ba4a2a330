package dev.kiln.signer.fs4;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.format.Crc16;
import dev.kiln.signer.DigestAlgorithm;
import dev.kiln.signer.fs4.SignatureReport.Entry;
import dev.kiln.signer.fs4.SignatureReport.Status;
import dev.kiln.signer.fs4.internal.Digests;
import dev.kiln.signer.fs4.internal.FwUpdateBlob;
import dev.kiln.signer.fs4.internal.ImageLayout;
import dev.kiln.signer.fs4.internal.ImageLayout.ItocSlot;
import dev.kiln.signer.fs4.internal.LayoutReader;
import dev.kiln.signer.fs4.internal.Pkcs1;
import dev.kiln.signer.fs4.internal.PublicKeyEntries;
import dev.kiln.signer.fs4.internal.SectionWriter;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Checks the fw-update signatures of an image (IMAGE_SIGNATURE_256 and IMAGE_SIGNATURE_512) against
 * a {@link TrustStore}. Stateless and thread-safe; used by {@code kiln verify --trust}, {@code kiln
 * inspect}, the device emulator and the pre-validation.
 *
 * <p>For each section: all zeros or all 0xFF is {@link Status#EMPTY}; a zero UUID with a digest at
 * 0x20 is mstflint's unkeyed digest ({@link Status#DIGEST_OK} or {@link Status#DIGEST_MISMATCH});
 * anything else is a signature, checked against every trusted key of the right size whose UUID
 * matches. The data signed is rebuilt from the image exactly as the signer builds it (see {@code
 * docs/signing.md}); on images with a hashes table also as it was just before the signature
 * section's own entry was rewritten.
 */
public final class ImageSignatureVerifier {
  private ImageSignatureVerifier() {}

  /**
   * Verifies every signature section of {@code image}.
   *
   * @throws ImageSigningException if the image's layout cannot be handled (see {@link
   *     Fs4ImageSigner})
   */
  public static SignatureReport verify(Fs4Image image, TrustStore trust)
      throws ImageSigningException {
    ImageLayout layout = LayoutReader.of(image);
    ByteBuffer bytes = image.bytes();
    List<Entry> entries = new ArrayList<>();
    for (int type :
        new int[] {Fs4ImageSigner.IMAGE_SIGNATURE_256, Fs4ImageSigner.IMAGE_SIGNATURE_512}) {
      Optional<ItocSlot> slot = layout.first(type);
      if (slot.isPresent()) {
        entries.add(check(layout, bytes, slot.get(), trust));
      }
    }
    entries.addAll(checkSecureBoot(layout, bytes, trust));
    return new SignatureReport(entries);
  }

  /**
   * Secure-boot signatures of a v1 image (RSA_4096_SIGNATURES, made by {@code rsa_sign}): the key
   * is the one in RSA_PUBLIC_KEY entry 0, which must be trusted; the boot, critical and
   * non-critical signatures are checked over the current bytes. On v2 images (hashes table) only
   * the boot signature exists (the other two slots are zeros); it covers the hashes table as it was
   * before the fw-update signature was written, which is rebuilt the way the fw-update check
   * rebuilds it ({@link #v2Overlays}).
   */
  private static List<Entry> checkSecureBoot(
      ImageLayout layout, ByteBuffer bytes, TrustStore trust) {
    Optional<ItocSlot> signaturesSlot = layout.first(Fs4ImageSigner.RSA_4096_SIGNATURES);
    Optional<ItocSlot> keySlot = layout.first(Fs4ImageSigner.RSA_PUBLIC_KEY);
    if (signaturesSlot.isEmpty()
        || signaturesSlot.get().sectionLength() < Fs4ImageSigner.RSA_4096_SIGNATURES_LENGTH) {
      return List.of();
    }
    String name = "RSA_4096_SIGNATURES";
    long offset = signaturesSlot.get().sectionAddress();
    byte[] signatures = new byte[Fs4ImageSigner.RSA_4096_SIGNATURES_LENGTH];
    bytes.get(signaturesSlot.get().sectionAddress(), signatures);
    if (allEqual(signatures, (byte) 0) || allEqual(signatures, (byte) 0xFF)) {
      return List.of(
          new Entry(
              name, offset, Status.EMPTY, Optional.empty(), Optional.empty(), "no signature"));
    }
    Optional<KeyUuid> uuid = Optional.empty();
    TrustStore.TrustedKey trusted = null;
    if (keySlot.isPresent() && keySlot.get().sectionLength() >= 0x214) {
      byte[] entry = new byte[0x214];
      bytes.get(keySlot.get().sectionAddress(), entry);
      uuid = Optional.of(new KeyUuid(Arrays.copyOfRange(entry, 0x04, 0x14)));
      BigInteger exponent =
          BigInteger.valueOf(Integer.toUnsignedLong(ByteBuffer.wrap(entry).getInt(0)));
      BigInteger modulus = new BigInteger(1, Arrays.copyOfRange(entry, 0x14, 0x214));
      for (TrustStore.TrustedKey key : trust.keys()) {
        if (key.key().getModulus().equals(modulus)
            && key.key().getPublicExponent().equals(exponent)
            && key.matches(uuid.get())) {
          trusted = key;
          break;
        }
      }
    }
    if (trusted == null) {
      return List.of(
          new Entry(
              name,
              offset,
              Status.UNKNOWN_KEY,
              uuid,
              Optional.empty(),
              "the secure-boot key in RSA_PUBLIC_KEY is not a trusted key"));
    }
    if (layout.hasHashesTable()) {
      return List.of(checkSecureBootV2(layout, bytes, signatures, offset, uuid, trusted));
    }
    long authStart = Integer.toUnsignedLong(layout.hwPointerValues().get(4));
    long authEnd = Integer.toUnsignedLong(layout.hwPointerValues().get(5));
    List<Entry> entries = new ArrayList<>();
    java.security.MessageDigest boot = DigestAlgorithm.SHA512.newMessageDigest();
    if (authEnd >= authStart && authEnd < layout.fileSize()) {
      update(boot, bytes, (int) authStart, (int) (authEnd - authStart + 1));
    }
    java.security.MessageDigest critical = DigestAlgorithm.SHA512.newMessageDigest();
    java.security.MessageDigest nonCritical = DigestAlgorithm.SHA512.newMessageDigest();
    for (ItocSlot slot : layout.itocEntries()) {
      int type = slot.type();
      java.security.MessageDigest target;
      if (type == 0x04 || type == 0x0C || type == 0x08) {
        target = critical;
      } else if (type == Fs4ImageSigner.RSA_4096_SIGNATURES
          || type == Fs4ImageSigner.IMAGE_SIGNATURE_512
          || type == Fs4ImageSigner.IMAGE_SIGNATURE_256) {
        continue;
      } else {
        target = nonCritical;
      }
      update(target, bytes, slot.sectionAddress(), slot.sectionLength());
      int remainder = slot.sectionLength() % 0x80;
      if (remainder != 0) {
        byte[] padding = new byte[0x80 - remainder];
        Arrays.fill(padding, (byte) 0xFF);
        target.update(padding);
      }
    }
    String[] parts = {"boot", "critical", "non-critical"};
    java.security.MessageDigest[] digests = {boot, critical, nonCritical};
    for (int i = 0; i < 3; i++) {
      byte[] signature = Arrays.copyOfRange(signatures, 512 * i, 512 * (i + 1));
      byte[] digest = digests[i].digest();
      String part = name + " (" + parts[i] + ")";
      if (Pkcs1.verifies(trusted.key(), DigestAlgorithm.SHA512, digest, signature)) {
        entries.add(
            new Entry(
                part,
                offset + 512L * i,
                Status.VERIFIED,
                uuid,
                Optional.of(trusted.origin()),
                "verified with " + trusted.origin()));
      } else if (isPkcs1SignatureOf(trusted.key(), DigestAlgorithm.SHA512, signature)) {
        entries.add(
            new Entry(
                part,
                offset + 512L * i,
                Status.NOT_COVERING,
                uuid,
                Optional.empty(),
                "a valid signature by the secure-boot key, but over different bytes"));
      } else {
        entries.add(
            new Entry(
                part,
                offset + 512L * i,
                Status.BAD_SIGNATURE,
                uuid,
                Optional.empty(),
                "does not verify with the secure-boot key"));
      }
    }
    return entries;
  }

  /** The boot signature of a v2 image, over the boot data of {@code Fs4ImageSigner}'s v2 path. */
  private static Entry checkSecureBootV2(
      ImageLayout layout,
      ByteBuffer bytes,
      byte[] signatures,
      long offset,
      Optional<KeyUuid> uuid,
      TrustStore.TrustedKey trusted) {
    String part = "RSA_4096_SIGNATURES (boot)";
    byte[] signature = Arrays.copyOf(signatures, 512);
    if (!allEqual(Arrays.copyOfRange(signatures, 512, signatures.length), (byte) 0)) {
      return new Entry(part, offset, Status.BAD_SIGNATURE, uuid, Optional.empty(),
          "a v2 image carries only the boot signature, but the other slots are not zero");
    }
    int bootRecordLength = Fs4ImageSigner.bootRecordLength(layout);
    int bootRecord = bytes.getInt(0x18);
    long tableLength =
        (Integer.toUnsignedLong(bytes.getInt(layout.hashesTableAddress() + 4)) + 4) * 4;
    if (bootRecordLength < 0
        || bootRecord < 0
        || (long) bootRecord + bootRecordLength > layout.fileSize()
        || layout.hashesTableAddress() + tableLength > layout.fileSize()) {
      return new Entry(part, offset, Status.BAD_SIGNATURE, uuid, Optional.empty(),
          "the v2 boot data cannot be rebuilt (unknown chip, or the boot record or hashes table"
              + " runs past the file)");
    }
    for (byte[] table : v2Overlays(layout, bytes, true, true)) {
      if (table != null && table.length != tableLength) {
        continue;
      }
      java.security.MessageDigest boot = DigestAlgorithm.SHA512.newMessageDigest();
      update(boot, bytes, 0x10, 8);
      for (int i = 0; i < 16; i++) {
        update(boot, bytes, 0x18 + 8 * i, 4);
      }
      update(boot, bytes, bootRecord, bootRecordLength);
      update(boot, bytes, layout.boot2Address(), layout.boot2Length());
      if (table == null) {
        update(boot, bytes, layout.hashesTableAddress(), (int) tableLength);
      } else {
        boot.update(table);
      }
      if (Pkcs1.verifies(trusted.key(), DigestAlgorithm.SHA512, boot.digest(), signature)) {
        return new Entry(part, offset, Status.VERIFIED, uuid, Optional.of(trusted.origin()),
            "verified with " + trusted.origin());
      }
    }
    if (isPkcs1SignatureOf(trusted.key(), DigestAlgorithm.SHA512, signature)) {
      return new Entry(part, offset, Status.NOT_COVERING, uuid, Optional.empty(),
          "a valid signature by the secure-boot key, but over different bytes");
    }
    return new Entry(part, offset, Status.BAD_SIGNATURE, uuid, Optional.empty(),
        "does not verify with the secure-boot key");
  }

  private static void update(
      java.security.MessageDigest digest, ByteBuffer bytes, int offset, int length) {
    byte[] chunk = new byte[Math.min(Math.max(length, 1), 1 << 20)];
    for (int done = 0; done < length; done += chunk.length) {
      int size = Math.min(chunk.length, length - done);
      bytes.get(offset + done, chunk, 0, size);
      digest.update(chunk, 0, size);
    }
  }

  private static Entry check(ImageLayout layout, ByteBuffer bytes, ItocSlot slot, TrustStore trust)
      throws ImageSigningException {
    boolean wide = slot.type() == Fs4ImageSigner.IMAGE_SIGNATURE_512;
    String name = wide ? "IMAGE_SIGNATURE_512" : "IMAGE_SIGNATURE_256";
    int signatureLength = wide ? 512 : 256;
    byte[] section = new byte[slot.sectionLength()];
    bytes.get(slot.sectionAddress(), section);
    if (allEqual(section, (byte) 0) || allEqual(section, (byte) 0xFF)) {
      return new Entry(
          name,
          slot.sectionAddress(),
          Status.EMPTY,
          Optional.empty(),
          Optional.empty(),
          "no signature");
    }
    if (section.length < 0x20 + signatureLength) {
      return new Entry(
          name,
          slot.sectionAddress(),
          Status.BAD_SIGNATURE,
          Optional.empty(),
          Optional.empty(),
          "the section is too small for a signature");
    }
    KeyUuid uuid = new KeyUuid(Arrays.copyOfRange(section, 0x10, 0x20));
    int[] masked =
        wide
            ? new int[] {Fs4ImageSigner.IMAGE_SIGNATURE_256, Fs4ImageSigner.IMAGE_SIGNATURE_512}
            : new int[] {Fs4ImageSigner.IMAGE_SIGNATURE_256};
    FwUpdateBlob blob = FwUpdateBlob.of(layout, masked);
    List<byte[]> overlays = v2Overlays(layout, bytes, wide);
    if (!wide
        && uuid.isZero()
        && allEqual(Arrays.copyOfRange(section, 0x40, section.length), (byte) 0)) {
      byte[] stored = Arrays.copyOfRange(section, 0x20, 0x40);
      for (byte[] overlay : overlays) {
        if (Arrays.equals(stored, digest(blob, bytes, layout, overlay, "SHA-256"))) {
          return new Entry(
              name,
              slot.sectionAddress(),
              Status.DIGEST_OK,
              Optional.empty(),
              Optional.empty(),
              "unkeyed SHA-256 digest of the image, matching");
        }
      }
      return new Entry(
          name,
          slot.sectionAddress(),
          Status.DIGEST_MISMATCH,
          Optional.empty(),
          Optional.empty(),
          "unkeyed SHA-256 digest that does not match the image");
    }
    byte[] signature = Arrays.copyOfRange(section, 0x20, 0x20 + signatureLength);
    DigestAlgorithm algorithm = wide ? DigestAlgorithm.SHA512 : DigestAlgorithm.SHA256;
    List<TrustStore.TrustedKey> candidates = new ArrayList<>();
    for (TrustStore.TrustedKey key : trust.keys()) {
      if (key.matches(uuid) && Pkcs1.modulusBytes(key.key()) == signatureLength) {
        candidates.add(key);
      }
    }
    if (candidates.isEmpty()) {
      return new Entry(
          name,
          slot.sectionAddress(),
          Status.UNKNOWN_KEY,
          Optional.of(uuid),
          Optional.empty(),
          "signed with key UUID "
              + uuid
              + ", which no trusted RSA-"
              + signatureLength * 8
              + " key carries");
    }
    // The public-key operation is cheap: a signature no candidate key made needs no hashing.
    boolean wellFormed = false;
    for (TrustStore.TrustedKey key : candidates) {
      wellFormed |= isPkcs1SignatureOf(key.key(), algorithm, signature);
    }
    // Digests are computed one candidate data set at a time, the image as it is first, so a v1
    // image costs one pass over the data.
    for (byte[] overlay : wellFormed ? overlays : List.<byte[]>of()) {
      byte[] digest = digest(blob, bytes, layout, overlay, algorithm.jcaName());
      for (TrustStore.TrustedKey key : candidates) {
        if (Pkcs1.verifies(key.key(), algorithm, digest, signature)) {
          return new Entry(
              name,
              slot.sectionAddress(),
              Status.VERIFIED,
              Optional.of(uuid),
              Optional.of(key.origin()),
              "verified with " + key.origin());
        }
      }
    }
    if (wellFormed) {
      return new Entry(
          name,
          slot.sectionAddress(),
          Status.NOT_COVERING,
          Optional.of(uuid),
          Optional.empty(),
          "a valid signature by a trusted key, but over different bytes: the image was changed"
              + " after it was signed");
    }
    return new Entry(
        name,
        slot.sectionAddress(),
        Status.BAD_SIGNATURE,
        Optional.of(uuid),
        Optional.empty(),
        "the signature does not verify with any trusted key for UUID " + uuid);
  }

  private static byte[] digest(
      FwUpdateBlob blob, ByteBuffer bytes, ImageLayout layout, byte[] overlay, String algorithm) {
    if (overlay == null) {
      return blob.digest(bytes, algorithm);
    }
    return blob.digest(bytes, algorithm, layout.hashesTableAddress(), overlay);
  }

  /**
   * The hashes tables to try. {@code null} stands for the image as it is. On v2 images, add the
   * table with its ITOC hash recomputed for the ITOC as it was before the last signature writes:
   * each signature entry that the data does not mask, or that was written after hashing, taken with
   * its section all zeros or all 0xFF.
   */
  private static List<byte[]> v2Overlays(ImageLayout layout, ByteBuffer bytes, boolean wide) {
    return v2Overlays(layout, bytes, wide, false);
  }

  /**
   * As above; with {@code secureBoot} the RSA_4096_SIGNATURES entry is varied too, because the
   * boot signature of {@code rsa_sign} hashes the table before that section is written.
   */
  private static List<byte[]> v2Overlays(
      ImageLayout layout, ByteBuffer bytes, boolean wide, boolean secureBoot) {
    List<byte[]> overlays = new ArrayList<>();
    overlays.add(null);
    if (!layout.hasHashesTable()) {
      return overlays;
    }
    int table = layout.hashesTableAddress();
    int htoc = table + 0x0C;
    int count = bytes.getInt(htoc + 4) & 0xFF;
    int hashSize = (bytes.getInt(htoc + 4) >>> 16) & 0xFFFF;
    if (hashSize != 64) {
      return overlays;
    }
    int slotOffset = -1;
    for (int i = 0; i < count && i < 28; i++) {
      int word = bytes.getInt(htoc + 0x10 + 8 * i);
      if (((word >>> 16) & 0xFF) == SectionWriter.ITOC_HASH_TYPE) {
        slotOffset = word & 0xFFFF;
      }
    }
    int tableLength = layout.hashesTableLength();
    if (slotOffset < 0 || 0x0C + slotOffset + 64 > tableLength - 4) {
      return overlays;
    }
    int itocLength = ImageLayout.TOC_RECORD_SIZE * (layout.itocEntries().size() + 1);
    byte[] itoc = new byte[itocLength];
    bytes.get(layout.itocAddress(), itoc);
    List<ItocSlot> varied = new ArrayList<>();
    layout.first(Fs4ImageSigner.IMAGE_SIGNATURE_256).ifPresent(varied::add);
    if (wide) {
      layout.first(Fs4ImageSigner.IMAGE_SIGNATURE_512).ifPresent(varied::add);
    }
    if (secureBoot) {
      layout.first(Fs4ImageSigner.RSA_4096_SIGNATURES).ifPresent(varied::add);
    }
    List<byte[]> itocVariants = new ArrayList<>();
    itocVariants.add(itoc);
    for (ItocSlot slot : varied) {
      List<byte[]> next = new ArrayList<>();
      for (byte[] base : itocVariants) {
        next.add(base);
        for (byte fill : new byte[] {0, (byte) 0xFF}) {
          next.add(withEntryFor(base, layout, slot, fill));
        }
      }
      itocVariants = next;
    }
    byte[] original = new byte[tableLength];
    bytes.get(table, original);
    for (byte[] variant : itocVariants.subList(1, itocVariants.size())) {
      byte[] candidate = original.clone();
      byte[] hash = Digests.sha512(variant, 0, variant.length);
      System.arraycopy(hash, 0, candidate, 0x0C + slotOffset, 64);
      ByteBuffer.wrap(candidate).putInt(tableLength - 4, Crc16.sw(candidate, 0, tableLength - 4));
      overlays.add(candidate);
    }
    return overlays;
  }

  /**
   * A copy of the ITOC bytes with {@code slot}'s entry as the signer leaves it over {@code fill}.
   */
  private static byte[] withEntryFor(byte[] itoc, ImageLayout layout, ItocSlot slot, byte fill) {
    byte[] copy = itoc.clone();
    int at = slot.entryAddress() - layout.itocAddress();
    if (slot.crcMode() != 0) {
      return copy;
    }
    byte[] body = new byte[slot.sectionLength()];
    Arrays.fill(body, fill);
    int crc = Crc16.sw(body, 0, body.length);
    ByteBuffer entry = ByteBuffer.wrap(copy, at, ImageLayout.TOC_RECORD_SIZE).slice();
    entry.putInt(0x18, (entry.getInt(0x18) & 0xFFFF0000) | crc);
    entry.putInt(0x1C, Crc16.sw(copy, at, 0x1C));
    return copy;
  }

  /**
   * True when the public operation of {@code key} turns {@code signature} into a well-formed PKCS#1
   * v1.5 block for {@code algorithm}: the key made it, over some other data.
   */
  private static boolean isPkcs1SignatureOf(
      RSAPublicKey key, DigestAlgorithm algorithm, byte[] signature) {
    BigInteger s = new BigInteger(1, signature);
    if (s.compareTo(key.getModulus()) >= 0) {
      return false;
    }
    int k = Pkcs1.modulusBytes(key);
    byte[] block =
        PublicKeyEntries.unsigned(s.modPow(key.getPublicExponent(), key.getModulus()), k);
    byte[] info = algorithm.digestInfo(new byte[algorithm.digestLength()]);
    int prefixLength = info.length - algorithm.digestLength();
    int infoStart = k - info.length;
    if (block[0] != 0 || block[1] != 1 || block[infoStart - 1] != 0) {
      return false;
    }
    for (int i = 2; i < infoStart - 1; i++) {
      if (block[i] != (byte) 0xFF) {
        return false;
      }
    }
    return Arrays.equals(block, infoStart, infoStart + prefixLength, info, 0, prefixLength);
  }

  private static boolean allEqual(byte[] data, byte value) {
    for (byte b : data) {
      if (b != value) {
        return false;
      }
    }
    return true;
  }
}
