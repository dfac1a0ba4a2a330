package dev.kiln.signer.fs4.internal;

import dev.kiln.inspector.Finding;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageFormat;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.ImageVerifier;
import dev.kiln.inspector.Section;
import dev.kiln.inspector.Severity;
import dev.kiln.inspector.Toc;
import dev.kiln.inspector.VerificationResult;
import dev.kiln.inspector.format.Boot2;
import dev.kiln.inspector.format.Fs3BootArea;
import dev.kiln.inspector.format.HashesTable;
import dev.kiln.inspector.format.HwPointer;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.signer.fs4.ImageSigningException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * Turns a parsed image into the {@link ImageLayout} the signing engine works with, refusing images
 * whose structure the engine cannot patch faithfully (image start other than 0, ITOC sections that
 * need address translation, no ITOC or BOOT2).
 */
public final class LayoutReader {
  /** IMAGE_INFO dword 0, bit 14: signed_fw. */
  private static final int SIGNED_FW_BIT = 1 << 14;

  /** IMAGE_INFO dword 0, bit 8: mcc_en. */
  private static final int MCC_EN_BIT = 1 << 8;

  /** IMAGE_INFO offset of supported_hw_id[0]. */
  private static final int SUPPORTED_HW_ID_OFFSET = 0x118;

  private LayoutReader() {}

  /**
   * An image being updated: its bytes (the mapped private copy of {@link ImageTransaction}), its
   * parsed structure and layout now, and the full structural verification (every section CRC,
   * which costs a pass over the whole file) running on a helper thread meanwhile. The bytes are
   * the ones every later step uses: what is verified is what is hashed, signed and written.
   */
  public static final class Input {
    private final Path path;
    private final ByteBuffer bytes;
    private final Fs4Image image;
    private final ImageLayout layout;
    private final Future<VerificationResult> verification;

    Input(Path path, ByteBuffer bytes, Fs4Image image, ImageLayout layout,
        Future<VerificationResult> verification) {
      this.path = path;
      this.bytes = bytes;
      this.image = image;
      this.layout = layout;
      this.verification = verification;
    }

    public ImageLayout layout() {
      return layout;
    }

    /** The image's bytes; callers patch them only after {@link #requireVerified}. */
    public ByteBuffer bytes() {
      return bytes;
    }

    /** The parsed input (a view of {@link #bytes}). */
    public Fs4Image image() {
      return image;
    }

    /** The input file. */
    public Path path() {
      return path;
    }

    /**
     * Waits for the structural verification.
     *
     * @throws ImageSigningException when the image fails it (mstflint refuses such images too)
     */
    public void requireVerified() throws ImageSigningException {
      VerificationResult result;
      try {
        result = verification.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ImageSigningException(path + ": interrupted while verifying the image", e);
      } catch (ExecutionException e) {
        throw new ImageSigningException(
            path + ": the image cannot be verified: " + e.getCause().getMessage(), e.getCause());
      }
      if (!result.passed()) {
        Finding first = result.errors().get(0);
        throw new ImageSigningException(
            path
                + ": the image fails verification ("
                + result.errors().size()
                + " error(s)), fix it first: "
                + first.structure()
                + ": "
                + first.message());
      }
    }
  }

  /**
   * Parses an image's bytes, returns its layout at once and starts its full verification.
   *
   * @param path the image file, for messages
   * @param bytes the whole image, absolute positions being file offsets
   * @throws dev.kiln.inspector.ImageFormatException when the bytes are not an FS4 image at all
   * @throws ImageSigningException when the parser already found errors, or the image has a
   *     structure the engine cannot patch
   */
  public static Input read(Path path, ByteBuffer bytes) throws IOException, ImageSigningException {
    Fs4Image image = ImageParser.parse(bytes, path.toString());
    for (Finding finding : image.parseFindings()) {
      if (finding.severity() == Severity.ERROR) {
        throw new ImageSigningException(
            path
                + ": the image fails verification, fix it first: "
                + finding.structure()
                + ": "
                + finding.message());
      }
    }
    ImageLayout layout = of(image);
    FutureTask<VerificationResult> verification =
        new FutureTask<>(() -> ImageVerifier.verify(image));
    Thread thread = new Thread(verification, "kiln-verify");
    thread.setDaemon(true);
    thread.start();
    return new Input(path, bytes, image, layout, verification);
  }

  public static ImageLayout of(Fs4Image image) throws ImageSigningException {
    if (image.imageStart() != 0) {
      throw new ImageSigningException(
          String.format(
              "%s: the FS4 image starts at 0x%x; Kiln signs only images that start at offset 0",
              image.source(), image.imageStart()));
    }
    Boot2 boot2 =
        image
            .boot2()
            .orElseThrow(() -> new ImageSigningException(image.source() + ": no readable BOOT2"));
    Toc itoc =
        image
            .itoc()
            .orElseThrow(() -> new ImageSigningException(image.source() + ": no valid ITOC"));
    int hashesTableAddress = -1;
    int hashesTableLength = 0;
    if (image.hashesTable().isPresent()) {
      HashesTable table = image.hashesTable().get();
      hashesTableAddress = (int) image.hwPointer(HwPointer.HASHES_TABLE);
      hashesTableLength = HashesTable.lengthFor(table.hashSize());
    }
    boolean fs3 = image.format() == ImageFormat.FS3;
    long fs3ImageEnd = 0;
    List<Integer> fs3DeviceData = new ArrayList<>();
    List<ImageLayout.ItocSlot> slots = new ArrayList<>();
    Section imageInfo = null;
    for (Section section : itoc.sections()) {
      if (!section.inBounds() || !section.withinSlot() || section.offset() != section.address()) {
        throw new ImageSigningException(
            String.format(
                "%s: ITOC section %s at 0x%x is outside the file or needs address translation",
                image.source(), section.name(), section.address()));
      }
      slots.add(
          new ImageLayout.ItocSlot(
              section.index(),
              (int) section.entryOffset(),
              section.type(),
              (int) section.offset(),
              (int) section.size(),
              // FS3: one CRC bit, no_crc (mode 1); otherwise the CRC is in the entry (mode 0).
              fs3 ? (section.entry().fs3NoCrc() ? 1 : 0) : section.entry().crcMode(),
              !fs3 && section.entry().cacheLineCrc()));
      if (fs3 && section.entry().fs3RelativeAddr()) {
        fs3ImageEnd = Math.max(fs3ImageEnd, section.offset() + section.size());
      }
      if (fs3 && section.entry().fs3DeviceData()) {
        fs3DeviceData.add((int) section.entryOffset());
      }
      if (imageInfo == null && section.is(SectionType.IMAGE_INFO)) {
        imageInfo = section;
      }
    }
    // mstflint's security mode has SIGNED_FW only for a secure-update capable image: a signature
    // section, a public-keys section and mcc_en (its query resets the mode to "none" otherwise).
    // set_public_keys and set_forbidden_versions refresh the unkeyed digest unless it has.
    boolean signatureSection = false;
    boolean publicKeysSection = false;
    for (ImageLayout.ItocSlot slot : slots) {
      signatureSection |= slot.type() == SectionType.IMAGE_SIGNATURE_256.code()
          || slot.type() == SectionType.IMAGE_SIGNATURE_512.code();
      publicKeysSection |= slot.type() == SectionType.PUBLIC_KEYS_2048.code()
          || slot.type() == SectionType.PUBLIC_KEYS_4096.code();
    }
    List<Integer> fs3SearchedHeaders = new ArrayList<>();
    if (fs3) {
      for (long at = Fs3BootArea.firstItocCandidate(Fs3BootArea.SIZE + boot2.size());
          at < itoc.headerOffset(); at += Fs3BootArea.ITOC_SEARCH_STEP) {
        fs3SearchedHeaders.add((int) at);
      }
    }
    boolean signedFw = false;
    int hwId = 0;
    if (imageInfo != null && imageInfo.size() >= SUPPORTED_HW_ID_OFFSET + 4) {
      var body = image.body(imageInfo);
      int flags = body.getInt(0);
      signedFw = (flags & SIGNED_FW_BIT) != 0 && (flags & MCC_EN_BIT) != 0
          && signatureSection && publicKeysSection;
      hwId = body.getInt(SUPPORTED_HW_ID_OFFSET);
    }
    List<Integer> pointers = new ArrayList<>();
    for (HwPointer pointer : HwPointer.values()) {
      pointers.add((int) image.hwPointer(pointer));
    }
    return new ImageLayout(
        image.size(),
        fs3 ? Fs3BootArea.SIZE : (int) image.hwPointer(HwPointer.BOOT2),
        boot2.size(),
        hashesTableAddress,
        hashesTableLength,
        (int) itoc.headerOffset(),
        slots,
        signedFw,
        hwId,
        pointers,
        fs3,
        fs3ImageEnd,
        fs3DeviceData,
        fs3SearchedHeaders);
  }
}
