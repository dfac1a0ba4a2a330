package dev.kiln.signer.fs4;

import dev.kiln.signer.DigestAlgorithm;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyFingerprint;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.fs4.internal.FwUpdateBlob;
import dev.kiln.signer.fs4.internal.ImageLayout;
import dev.kiln.signer.fs4.internal.ImageTransaction;
import dev.kiln.signer.fs4.internal.Pkcs1;
import dev.kiln.signer.fs4.internal.SectionWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Signs FS4 images and updates their key sections exactly as mstflint 4.21 does (fs4-format.md
 * §16.3, §16.4, §16.9), byte for byte, but atomically and without rewriting the whole file.
 *
 * <p>Every operation returns a {@link PreparedImage}: the patched copy, synced, next to the output
 * but not yet visible under its name. The caller records what it needs (the audit log) and then
 * {@link PreparedImage#commit() commits}; closing without committing leaves no trace.
 *
 * <p>What a signature covers and the section layouts are documented in {@code docs/signing.md}.
 */
public final class Fs4ImageSigner {
  /** IMAGE_SIGNATURE_256, written for RSA-2048 keys (SHA-256). */
  public static final int IMAGE_SIGNATURE_256 = 0xA0;

  /** PUBLIC_KEYS_2048. */
  public static final int PUBLIC_KEYS_2048 = 0xA1;

  /** FORBIDDEN_VERSIONS. */
  public static final int FORBIDDEN_VERSIONS = 0xA2;

  /** IMAGE_SIGNATURE_512, written for RSA-4096 keys (SHA-512). */
  public static final int IMAGE_SIGNATURE_512 = 0xA3;

  /** PUBLIC_KEYS_4096. */
  public static final int PUBLIC_KEYS_4096 = 0xA4;

  /** Bytes of IMAGE_SIGNATURE_256 content: 16 + 16 + 256 + 32. */
  public static final int SIGNATURE_256_LENGTH = 0x140;

  /** Bytes of IMAGE_SIGNATURE_512 content: 16 + 16 + 512 + 32. */
  public static final int SIGNATURE_512_LENGTH = 0x240;

  /** Smallest public-keys file mstflint accepts (one 4096-bit entry). */
  public static final int MIN_PUBLIC_KEYS_LENGTH = 0x220;

  private Fs4ImageSigner() {}

  /** A key and the UUID to store with its signature. */
  public record SigningKey(SigningService service, KeyUuid uuid) {
    public SigningKey {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(uuid, "uuid");
    }
  }

  /**
   * One signature written.
   *
   * @param sectionType 0xA0 or 0xA3
   * @param sectionName IMAGE_SIGNATURE_256 or IMAGE_SIGNATURE_512
   * @param keyUuid the UUID stored with it
   * @param keyReference the key reference, without secrets
   * @param backend the key backend
   * @param publicKeyFingerprint SHA-256 of the key's SubjectPublicKeyInfo, hex
   * @param kmsRequestId the KMS request id of the signing call, where there is one
   */
  public record WrittenSignature(
      int sectionType,
      String sectionName,
      KeyUuid keyUuid,
      String keyReference,
      String backend,
      String publicKeyFingerprint,
      Optional<String> kmsRequestId) {}

  /**
   * Signs with one key (RSA-2048: IMAGE_SIGNATURE_256, the 512 section zeroed first; RSA-4096:
   * IMAGE_SIGNATURE_512, the 256 section zeroed first) or two keys (one of each size: the 4096 key
   * signs first, then the 2048 key over data that includes the new 512 signature).
   *
   * @param input the image to sign; never modified
   * @param output where the signed image goes (may equal {@code input})
   */
  public static PreparedImage sign(Path input, Path output, List<SigningKey> keys)
      throws IOException, ImageSigningException, KeyAccessException {
    if (keys.isEmpty() || keys.size() > 2) {
      throw new IllegalArgumentException("one or two keys are needed, not " + keys.size());
    }
    List<SigningKey> ordered = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    for (SigningKey key : keys) {
      sizes.add(Pkcs1.modulusBytes(key.service().publicKey()));
    }
    if (keys.size() == 1) {
      checkKeySize(keys.get(0), sizes.get(0));
      ordered.add(keys.get(0));
    } else {
      checkKeySize(keys.get(0), sizes.get(0));
      checkKeySize(keys.get(1), sizes.get(1));
      if (sizes.get(0).equals(sizes.get(1))) {
        // A key that cannot be used for the job is a key error (exit 4, docs/key-references.md).
        throw new KeyAccessException(
            "two keys must be one RSA-2048 and one RSA-4096 key; both are RSA-" + sizes.get(0) * 8);
      }
      // The 4096-bit signature goes first: the 2048-bit signature then covers it.
      int first = sizes.get(0) == 512 ? 0 : 1;
      ordered.add(keys.get(first));
      ordered.add(keys.get(1 - first));
    }
    ImageTransaction transaction = ImageTransaction.open(input, output);
    try {
      ImageLayout layout = transaction.layout();
      SectionWriter precheck = new SectionWriter(null, layout);
      for (SigningKey key : ordered) {
        boolean wide = Pkcs1.modulusBytes(key.service().publicKey()) == 512;
        precheck.requireRoom(
            wide ? IMAGE_SIGNATURE_512 : IMAGE_SIGNATURE_256,
            wide ? SIGNATURE_512_LENGTH : SIGNATURE_256_LENGTH);
      }
      if (ordered.size() == 1) {
        // The section that is zeroed must also take its full content.
        boolean wide = sizes.get(0) == 512;
        int other = wide ? IMAGE_SIGNATURE_256 : IMAGE_SIGNATURE_512;
        if (layout.first(other).isPresent()) {
          precheck.requireRoom(other, wide ? SIGNATURE_256_LENGTH : SIGNATURE_512_LENGTH);
        }
      }
      // Fails early (before anything is patched) for v2 images Kiln cannot sign.
      FwUpdateBlob.of(layout, IMAGE_SIGNATURE_256);

      // The first RSA-4096 digest masks both signature sections and their ITOC entries, which
      // are all that is patched before it, so on an image without a hashes table (whose hashes
      // the patches would change) it is computed from the unpatched copy while the structural
      // verification and the input hash still run on the other threads.
      byte[] early = null;
      if (!layout.hasHashesTable()
          && Pkcs1.modulusBytes(ordered.get(0).service().publicKey()) == 512) {
        early =
            FwUpdateBlob.of(layout, IMAGE_SIGNATURE_256, IMAGE_SIGNATURE_512)
                .digest(transaction.unpatched(), DigestAlgorithm.SHA512.jcaName());
      }
      SectionWriter writer = new SectionWriter(transaction.image(), layout);
      List<WrittenSignature> written = new ArrayList<>();
      if (ordered.size() == 1) {
        boolean wide = sizes.get(0) == 512;
        int other = wide ? IMAGE_SIGNATURE_256 : IMAGE_SIGNATURE_512;
        if (layout.first(other).isPresent()) {
          writer.replace(other, new byte[wide ? SIGNATURE_256_LENGTH : SIGNATURE_512_LENGTH]);
        }
      }
      for (SigningKey key : ordered) {
        written.add(signOne(transaction.image(), layout, writer, key, written.isEmpty() ? early
            : null));
      }
      return PreparedImage.finish(transaction, written, false);
    } catch (IOException | ImageSigningException | KeyAccessException | RuntimeException e) {
      transaction.close();
      throw e;
    }
  }

  private static void checkKeySize(SigningKey key, int bytes) throws KeyAccessException {
    if (bytes != 256 && bytes != 512) {
      throw new KeyAccessException(
          "key "
              + key.service().describe()
              + " is RSA-"
              + bytes * 8
              + "; image signatures need RSA-2048 (SHA-256) or RSA-4096 (SHA-512)");
    }
  }

  /**
   * Signs the fw-update data with {@code key} and writes the signature section.
   *
   * @param precomputed the digest of that data when the caller already has it, else null
   */
  private static WrittenSignature signOne(
      ByteBuffer image, ImageLayout layout, SectionWriter writer, SigningKey key,
      byte[] precomputed)
      throws ImageSigningException, KeyAccessException {
    RSAPublicKey publicKey = key.service().publicKey();
    boolean wide = Pkcs1.modulusBytes(publicKey) == 512;
    DigestAlgorithm algorithm = wide ? DigestAlgorithm.SHA512 : DigestAlgorithm.SHA256;
    FwUpdateBlob blob =
        wide
            ? FwUpdateBlob.of(layout, IMAGE_SIGNATURE_256, IMAGE_SIGNATURE_512)
            : FwUpdateBlob.of(layout, IMAGE_SIGNATURE_256);
    byte[] digest = precomputed != null ? precomputed : blob.digest(image, algorithm.jcaName());
    byte[] signature;
    Optional<String> requestId;
    // Images signed in parallel share one service: its call and the request id it reports for
    // that call go together (backends keep the last request id; HSM sessions are not shared).
    synchronized (key.service()) {
      signature = key.service().signDigest(algorithm, digest);
      requestId = key.service().lastRequestId();
    }
    if (!Pkcs1.verifies(publicKey, algorithm, digest, signature)) {
      throw new KeyAccessException(
          "the signature returned by "
              + key.service().describe()
              + " does not verify with that key's public key; nothing was written");
    }
    int type = wide ? IMAGE_SIGNATURE_512 : IMAGE_SIGNATURE_256;
    writer.replace(type, signatureSection(key.uuid(), signature));
    return new WrittenSignature(
        type,
        wide ? "IMAGE_SIGNATURE_512" : "IMAGE_SIGNATURE_256",
        key.uuid(),
        key.service().describe(),
        key.service().backend(),
        KeyFingerprint.of(publicKey),
        requestId);
  }

  /** RSA_PUBLIC_KEY (secure boot). */
  public static final int RSA_PUBLIC_KEY = 0xA6;

  /** RSA_4096_SIGNATURES (secure boot). */
  public static final int RSA_4096_SIGNATURES = 0xA7;

  /** Size of the RSA_PUBLIC_KEY content mstflint writes (8 entries of 0x220). */
  public static final int RSA_PUBLIC_KEY_LENGTH = 0x1100;

  /** Size of the RSA_4096_SIGNATURES content (boot, critical, non-critical). */
  public static final int RSA_4096_SIGNATURES_LENGTH = 0x600;

  /** Padding unit of the critical / non-critical data. */
  private static final int SECURE_BOOT_ALIGNMENT = 0x80;

  /**
   * Secure-boot signing (mstflint {@code rsa_sign}, fs4-format.md §16.5) of an image without a
   * hashes table, followed by the RSA-4096 fw-update signature, byte-identical to mstflint:
   *
   * <ol>
   *   <li>RSA_PUBLIC_KEY: entry 0 = {0x00010001, UUID, modulus}, entries 1-7 zero;
   *   <li>boot signature: RSA-SHA-512 over the file bytes authentication_start_pointer ..
   *       authentication_end_pointer (inclusive);
   *   <li>critical signature over the bodies of the sections of types 0x04, 0x0C, 0x08 and
   *       non-critical signature over all other sections except 0xA7, 0xA3, 0xA0, in ITOC order,
   *       each body padded with 0xFF to a multiple of 0x80;
   *   <li>RSA_4096_SIGNATURES = boot | critical | non-critical;
   *   <li>the RSA-4096 fw-update signing of {@link #sign} (IMAGE_SIGNATURE_256 zeroed,
   *       IMAGE_SIGNATURE_512 signed);
   *   <li>IMAGE_SIGNATURE_256 (if present) filled with 0xFF.
   * </ol>
   *
   * <p>Refused where mstflint misbehaves: keys other than RSA-4096 (mstflint leaves uninitialised
   * bytes in every signature slot for a 2048-bit key), public exponents other than 65537 (it writes
   * 0x00010001 whatever the key), RSA_PUBLIC_KEY / RSA_4096_SIGNATURES sections of another size
   * than it writes (it would read past its buffer).
   *
   * <p>Images with a hashes table (secure boot v2, ConnectX-7/8 only, §16.6): first HW pointer 14
   * (gcm_iv_delta) is set; the boot signature covers boot_version, the 16 HW pointer values, the
   * boot record, BOOT2 and the hashes table; there are no critical / non-critical signatures.
   */
  public static PreparedImage signSecureBoot(Path input, Path output, SigningKey key)
      throws IOException, ImageSigningException, KeyAccessException {
    RSAPublicKey publicKey = key.service().publicKey();
    if (Pkcs1.modulusBytes(publicKey) != 512) {
      throw new KeyAccessException(
          "secure-boot signing needs an RSA-4096 key; "
              + key.service().describe()
              + " is RSA-"
              + Pkcs1.modulusBytes(publicKey) * 8
              + " (mstflint would write uninitialised bytes into the signature slots)");
    }
    if (!publicKey.getPublicExponent().equals(java.math.BigInteger.valueOf(65537))) {
      throw new KeyAccessException(
          "secure-boot signing needs the public exponent 65537 (RSA_PUBLIC_KEY stores no other);"
              + " "
              + key.service().describe()
              + " has "
              + publicKey.getPublicExponent());
    }
    ImageTransaction transaction = ImageTransaction.open(input, output);
    try {
      ImageLayout layout = transaction.layout();
      if (layout.fs3()) {
        // mstflint 4.21: "Image signing is applicable only for selected FW images" (rsa_sign is an
        // Fs4Operations command; FS3 images have no HW pointers to name the signed ranges).
        throw new ImageSigningException(input + ": secure-boot signing (mstflint rsa_sign) is for "
            + "FS4 images only; sign this FS3 image without --secure-boot");
      }
      int bootRecordLength = 0;
      if (layout.hasHashesTable()) {
        // v2 boot data includes the boot record, whose length only the chip knows (fs4-format §7).
        bootRecordLength = bootRecordLength(layout);
        if (bootRecordLength < 0) {
          throw new ImageSigningException(
              String.format(
                  "secure-boot signing of hashes-table images is supported for ConnectX-7/8 only;"
                      + " this image names HW id 0x%x",
                  layout.hwDeviceId()));
        }
        long bootRecord = Integer.toUnsignedLong(layout.hwPointerValues().get(0));
        if (bootRecord + bootRecordLength > layout.fileSize()) {
          throw new ImageSigningException(
              String.format(
                  "the boot record at 0x%x (0x%x bytes) is not inside the file",
                  bootRecord, bootRecordLength));
        }
      }
      if (layout.first(RSA_PUBLIC_KEY).isEmpty() || layout.first(RSA_4096_SIGNATURES).isEmpty()) {
        throw new ImageSigningException(
            "secure-boot signing needs the RSA_PUBLIC_KEY and RSA_4096_SIGNATURES sections, which"
                + " this image lacks: add \"RSA_PUBLIC_KEY\" and \"RSA_4096_SIGNATURES\" to the"
                + " \"reserve\" list of its image description (docs/image-description.md) and"
                + " build it again");
      }
      SectionWriter precheck = new SectionWriter(null, layout);
      requireExactSize(precheck, RSA_PUBLIC_KEY, RSA_PUBLIC_KEY_LENGTH);
      requireExactSize(precheck, RSA_4096_SIGNATURES, RSA_4096_SIGNATURES_LENGTH);
      precheck.requireRoom(IMAGE_SIGNATURE_512, SIGNATURE_512_LENGTH);
      if (layout.first(IMAGE_SIGNATURE_256).isPresent()) {
        precheck.requireRoom(IMAGE_SIGNATURE_256, SIGNATURE_256_LENGTH);
      }
      long authStart = Integer.toUnsignedLong(layout.hwPointerValues().get(4));
      long authEnd = Integer.toUnsignedLong(layout.hwPointerValues().get(5));
      if (!layout.hasHashesTable() && (authEnd < authStart || authEnd >= layout.fileSize())) {
        throw new ImageSigningException(
            String.format(
                "the authenticated boot range 0x%x..0x%x (HW pointers 4 and 5) is not inside the"
                    + " %d-byte file",
                authStart, authEnd, layout.fileSize()));
      }
      FwUpdateBlob.of(layout, IMAGE_SIGNATURE_256, IMAGE_SIGNATURE_512);

      ByteBuffer image = transaction.image();
      SectionWriter writer = new SectionWriter(image, layout);
      if (layout.hasHashesTable()) {
        writeImageIvPointer(image, layout);
      }
      byte[] publicKeySection = new byte[RSA_PUBLIC_KEY_LENGTH];
      ByteBuffer entry = ByteBuffer.wrap(publicKeySection);
      entry.putInt(0, 0x00010001);
      entry.put(0x04, key.uuid().bytes());
      entry.put(
          0x14,
          dev.kiln.signer.fs4.internal.PublicKeyEntries.unsigned(publicKey.getModulus(), 512));
      writer.replace(RSA_PUBLIC_KEY, publicKeySection);

      java.security.MessageDigest boot = DigestAlgorithm.SHA512.newMessageDigest();
      java.security.MessageDigest critical = DigestAlgorithm.SHA512.newMessageDigest();
      java.security.MessageDigest nonCritical = DigestAlgorithm.SHA512.newMessageDigest();
      if (layout.hasHashesTable()) {
        feedBootDataV2(boot, image, layout, bootRecordLength);
      } else {
        feed(boot, image, (int) authStart, (int) (authEnd - authStart + 1));
      }
      for (ImageLayout.ItocSlot slot :
          layout.hasHashesTable() ? List.<ImageLayout.ItocSlot>of() : layout.itocEntries()) {
        int type = slot.type();
        java.security.MessageDigest target;
        if (type == 0x04 || type == 0x0C || type == 0x08) {
          target = critical;
        } else if (type == RSA_4096_SIGNATURES
            || type == IMAGE_SIGNATURE_512
            || type == IMAGE_SIGNATURE_256) {
          continue;
        } else {
          target = nonCritical;
        }
        feed(target, image, slot.sectionAddress(), slot.sectionLength());
        int remainder = slot.sectionLength() % SECURE_BOOT_ALIGNMENT;
        if (remainder != 0) {
          byte[] padding = new byte[SECURE_BOOT_ALIGNMENT - remainder];
          java.util.Arrays.fill(padding, (byte) 0xFF);
          target.update(padding);
        }
      }
      byte[] signatures = new byte[RSA_4096_SIGNATURES_LENGTH];
      int at = 0;
      // v2 images carry only the boot signature; the other two slots stay zero.
      for (java.security.MessageDigest digest :
          layout.hasHashesTable() ? List.of(boot) : List.of(boot, critical, nonCritical)) {
        byte[] hash = digest.digest();
        byte[] signature;
        synchronized (key.service()) {
          signature = key.service().signDigest(DigestAlgorithm.SHA512, hash);
        }
        if (!Pkcs1.verifies(publicKey, DigestAlgorithm.SHA512, hash, signature)) {
          throw new KeyAccessException(
              "the signature returned by "
                  + key.service().describe()
                  + " does not verify with that key's public key; nothing was written");
        }
        System.arraycopy(signature, 0, signatures, at, signature.length);
        at += 512;
      }
      writer.replace(RSA_4096_SIGNATURES, signatures);

      List<WrittenSignature> written = new ArrayList<>();
      written.add(
          new WrittenSignature(
              RSA_4096_SIGNATURES,
              "RSA_4096_SIGNATURES",
              key.uuid(),
              key.service().describe(),
              key.service().backend(),
              KeyFingerprint.of(publicKey),
              key.service().lastRequestId()));
      if (layout.first(IMAGE_SIGNATURE_256).isPresent()) {
        writer.replace(IMAGE_SIGNATURE_256, new byte[SIGNATURE_256_LENGTH]);
      }
      written.add(signOne(image, layout, writer, key, null));
      if (layout.first(IMAGE_SIGNATURE_256).isPresent()) {
        byte[] erased = new byte[SIGNATURE_256_LENGTH];
        java.util.Arrays.fill(erased, (byte) 0xFF);
        writer.replace(IMAGE_SIGNATURE_256, erased);
      }
      return PreparedImage.finish(transaction, written, false);
    } catch (IOException | ImageSigningException | KeyAccessException | RuntimeException e) {
      transaction.close();
      throw e;
    }
  }

  /**
   * v2 only: HW pointer 14 (gcm_iv_delta, offset 0x88) = the first 4 bytes of SHA-256 over the
   * IMAGE_INFO FW_VERSION structure (0x04..0x13) with its reserved bits cleared, plus CRC16-HW.
   */
  private static void writeImageIvPointer(ByteBuffer image, ImageLayout layout)
      throws ImageSigningException {
    ImageLayout.ItocSlot info =
        layout
            .first(0x10)
            .orElseThrow(
                () ->
                    new ImageSigningException(
                        "secure-boot v2 signing needs an IMAGE_INFO section"));
    byte[] version = new byte[16];
    image.get(info.sectionAddress() + 4, version);
    ByteBuffer words = ByteBuffer.wrap(version);
    words.putInt(0, words.getInt(0) & 0xFFFF0000);
    words.putInt(8, words.getInt(8) & 0xFFFFFF00);
    byte[] sha = DigestAlgorithm.SHA256.digest(version);
    byte[] entry = new byte[8];
    System.arraycopy(sha, 0, entry, 0, 4);
    int crc = dev.kiln.inspector.format.Crc16.hw(entry, 0, 6);
    ByteBuffer.wrap(entry).putInt(4, crc & 0xFFFF);
    image.put(0x18 + 14 * 8, entry);
  }

  /**
   * The boot record's length on chips whose secure-boot v2 data Kiln can rebuild (fs4-format §7:
   * ConnectX-7 0x3F4, ConnectX-8 0x2A0), or -1: the image does not say, only the chip knows.
   */
  static int bootRecordLength(ImageLayout layout) {
    return layout.hwDeviceId() == ImageLayout.CX7_HW_ID
        ? 0x3F4
        : layout.hwDeviceId() == ImageLayout.CX8_HW_ID ? 0x2A0 : -1;
  }

  /**
   * v2 boot data: boot_version and reserved dword (0x10..0x17), the 16 HW pointer values without
   * their CRC dwords, the boot record, BOOT2, and the hashes table as long as its dw_size says.
   */
  private static void feedBootDataV2(
      java.security.MessageDigest digest,
      ByteBuffer image,
      ImageLayout layout,
      int bootRecordLength)
      throws ImageSigningException {
    feed(digest, image, 0x10, 8);
    for (int i = 0; i < 16; i++) {
      feed(digest, image, 0x18 + 8 * i, 4);
    }
    feed(digest, image, image.getInt(0x18), bootRecordLength);
    feed(digest, image, layout.boot2Address(), layout.boot2Length());
    long tableLength =
        (Integer.toUnsignedLong(image.getInt(layout.hashesTableAddress() + 4)) + 4) * 4;
    if (layout.hashesTableAddress() + tableLength > layout.fileSize()) {
      throw new ImageSigningException("the hashes table's dw_size runs past the end of the file");
    }
    feed(digest, image, layout.hashesTableAddress(), (int) tableLength);
  }

  private static void requireExactSize(SectionWriter precheck, int type, int length)
      throws ImageSigningException {
    ImageLayout.ItocSlot slot = precheck.require(type);
    if (slot.sectionLength() != length) {
      throw new ImageSigningException(
          String.format(
              "the %s section has 0x%x bytes; secure-boot signing needs exactly 0x%x (mstflint"
                  + " reads past its buffer for other sizes)",
              dev.kiln.inspector.format.SectionType.nameOf(type), slot.sectionLength(), length));
    }
  }

  private static void feed(
      java.security.MessageDigest digest, ByteBuffer image, int offset, int length) {
    byte[] chunk = new byte[Math.min(length, 1 << 20)];
    for (int done = 0; done < length; done += chunk.length) {
      int size = Math.min(chunk.length, length - done);
      image.get(offset + done, chunk, 0, size);
      digest.update(chunk, 0, size);
    }
  }

  /**
   * The content of an IMAGE_SIGNATURE_256/512 section.
   *
   * <pre>
   * 0x00  16  signature_uuid (always 0)
   * 0x10  16  keypair_uuid
   * 0x20  256 or 512  signature (RSA-2048 / RSA-4096), big-endian as produced
   * then  32  zero
   * </pre>
   */
  public static byte[] signatureSection(KeyUuid uuid, byte[] signature) {
    byte[] section = new byte[0x20 + signature.length + 0x20];
    System.arraycopy(uuid.bytes(), 0, section, 0x10, KeyUuid.LENGTH);
    System.arraycopy(signature, 0, section, 0x20, signature.length);
    return section;
  }

  /**
   * Writes the unkeyed image digest (mstflint {@code sign} without a key): IMAGE_SIGNATURE_256 is
   * set to zeros with SHA-256 of the fw-update data at 0x20.
   */
  public static PreparedImage insertDigest(Path input, Path output)
      throws IOException, ImageSigningException {
    ImageTransaction transaction = ImageTransaction.open(input, output);
    try {
      ImageLayout layout = transaction.layout();
      new SectionWriter(null, layout).requireRoom(IMAGE_SIGNATURE_256, SIGNATURE_256_LENGTH);
      FwUpdateBlob.of(layout, IMAGE_SIGNATURE_256);
      writeDigest(transaction.image(), layout, new SectionWriter(transaction.image(), layout));
      return PreparedImage.finish(transaction, List.of(), true);
    } catch (IOException | ImageSigningException | RuntimeException e) {
      transaction.close();
      throw e;
    }
  }

  private static void writeDigest(ByteBuffer image, ImageLayout layout, SectionWriter writer)
      throws ImageSigningException {
    byte[] digest = FwUpdateBlob.of(layout, IMAGE_SIGNATURE_256).digest(image, "SHA-256");
    byte[] section = new byte[SIGNATURE_256_LENGTH];
    System.arraycopy(digest, 0, section, 0x20, digest.length);
    writer.replace(IMAGE_SIGNATURE_256, section);
  }

  /**
   * mstflint {@code set_public_keys}: copies a PUBLIC_KEYS file into PUBLIC_KEYS_2048 (byte 3 of
   * the file = 3) or PUBLIC_KEYS_4096 (= 4), then, unless the image counts as signed FW (signed_fw
   * and mcc_en set, signature and public-keys sections present: mstflint's security mode), refreshes
   * the unkeyed digest. Unlike mstflint, every check runs before anything is written.
   */
  public static PreparedImage setPublicKeys(Path input, Path output, byte[] keysFile)
      throws IOException, ImageSigningException {
    if (keysFile.length < MIN_PUBLIC_KEYS_LENGTH) {
      throw new ImageSigningException(
          String.format(
              "the public keys file has %d bytes; at least %d (one RSA-4096 entry) are needed",
              keysFile.length, MIN_PUBLIC_KEYS_LENGTH));
    }
    int type;
    if (keysFile[3] == 3) {
      type = PUBLIC_KEYS_2048;
    } else if (keysFile[3] == 4) {
      type = PUBLIC_KEYS_4096;
    } else {
      throw new ImageSigningException(
          "the public keys file starts with key type "
              + (keysFile[3] & 0xFF)
              + "; 3 (RSA-2048) or 4 (RSA-4096) is expected");
    }
    return replaceWholeSection(input, output, type, keysFile, "public keys");
  }

  /**
   * mstflint {@code set_forbidden_versions}: copies the file (Kiln's KFV1 layout; mstflint treats
   * it as opaque) into FORBIDDEN_VERSIONS, then refreshes the unkeyed digest unless the image
   * counts as signed FW.
   */
  public static PreparedImage setForbiddenVersions(Path input, Path output, byte[] file)
      throws IOException, ImageSigningException {
    return replaceWholeSection(input, output, FORBIDDEN_VERSIONS, file, "forbidden versions");
  }

  private static PreparedImage replaceWholeSection(
      Path input, Path output, int type, byte[] content, String what)
      throws IOException, ImageSigningException {
    ImageTransaction transaction = ImageTransaction.open(input, output);
    try {
      ImageLayout layout = transaction.layout();
      SectionWriter precheck = new SectionWriter(null, layout);
      ImageLayout.ItocSlot slot = precheck.require(type);
      if (content.length != slot.sectionLength()) {
        throw new ImageSigningException(
            String.format(
                "the %s file has %d bytes but the image's %s section has %d",
                what,
                content.length,
                dev.kiln.inspector.format.SectionType.nameOf(type),
                slot.sectionLength()));
      }
      boolean digest = !layout.signedFw();
      if (digest) {
        precheck.requireRoom(IMAGE_SIGNATURE_256, SIGNATURE_256_LENGTH);
        FwUpdateBlob.of(layout, IMAGE_SIGNATURE_256);
      }
      SectionWriter writer = new SectionWriter(transaction.image(), layout);
      writer.replace(type, content);
      if (digest) {
        writeDigest(transaction.image(), layout, writer);
      }
      return PreparedImage.finish(transaction, List.of(), digest);
    } catch (IOException | ImageSigningException | RuntimeException e) {
      transaction.close();
      throw e;
    }
  }

  /**
   * A patched, synced copy of the image waiting beside its output path. {@link #commit()} renames
   * it into place; {@link #close()} without commit deletes it.
   */
  public static final class PreparedImage implements AutoCloseable {
    private final ImageTransaction transaction;
    private final byte[] sha512Before;
    private final byte[] sha512After;
    private final List<WrittenSignature> signatures;
    private final boolean digestUpdated;
    private final TrustStore ownKeys;

    private PreparedImage(
        ImageTransaction transaction,
        byte[] sha512Before,
        byte[] sha512After,
        List<WrittenSignature> signatures,
        boolean digestUpdated,
        TrustStore ownKeys) {
      this.transaction = transaction;
      this.ownKeys = ownKeys;
      this.sha512Before = sha512Before;
      this.sha512After = sha512After;
      this.signatures = List.copyOf(signatures);
      this.digestUpdated = digestUpdated;
    }

    static PreparedImage finish(
        ImageTransaction transaction, List<WrittenSignature> signatures, boolean digestUpdated)
        throws IOException {
      TrustStore ownKeys;
      try {
        ownKeys = TrustStore.fromImage(transaction.parsed());
      } catch (RuntimeException e) {
        ownKeys = TrustStore.empty(); // an unreadable PUBLIC_KEYS section holds no usable key
      }
      byte[] after = transaction.sync();
      byte[] before = transaction.inputSha512();
      return new PreparedImage(transaction, before, after, signatures, digestUpdated, ownKeys);
    }

    /**
     * The keys the output's own PUBLIC_KEYS_2048/4096 hold (what a device running it trusts), read
     * from the bytes already verified and written, so no second parse of the file; empty when
     * those sections hold no usable key.
     */
    public TrustStore ownKeys() {
      return ownKeys;
    }

    /** SHA-512 of the input image, hex. */
    public String sha512Before() {
      return ImageTransaction.hex(sha512Before);
    }

    /** SHA-512 of the output image, hex. */
    public String sha512After() {
      return ImageTransaction.hex(sha512After);
    }

    /** Signatures written, in the order they were made. */
    public List<WrittenSignature> signatures() {
      return signatures;
    }

    /** True when the unkeyed digest in IMAGE_SIGNATURE_256 was (re)computed. */
    public boolean digestUpdated() {
      return digestUpdated;
    }

    /** Makes the output visible under its name (atomic rename). */
    public void commit() throws IOException {
      transaction.commit();
    }

    @Override
    public void close() throws IOException {
      transaction.close();
    }
  }
}
