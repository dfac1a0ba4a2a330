package dev.kiln.pipeline.check;

import dev.kiln.burner.precheck.DeviceProfile;
import dev.kiln.burner.precheck.Finding;
import dev.kiln.burner.precheck.ImageFacts;
import dev.kiln.burner.precheck.PreValidator;
import dev.kiln.burner.precheck.PrecheckCode;
import dev.kiln.burner.precheck.PrecheckResult;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageFormatException;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.bundle.BundleReader;
import dev.kiln.pipeline.packages.PackagedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/**
 * An image read exactly once into memory this process owns, then parsed, verified and pre-checked
 * on those bytes, which are the bytes a burn writes and a burn log hashes: "check what you burn,
 * burn what you checked".
 *
 * <p>Why not map or re-read the file: a same-user process can rewrite a file (or a temporary copy
 * of a bundle's image) between the check and the burn, and a memory mapping shows the new bytes
 * even inside one read. The array here is filled by one bounded read and never handed out (only
 * copies), so nothing outside this object can change what was checked.
 *
 * <p>The checks on the bytes: {@code kiln verify}'s structural verification and the image facts
 * ({@link ImageFactsSources#standard()}: IMAGE_INFO, signature key UUIDs, the image's own
 * PUBLIC_KEYS), then, per device, the burner's {@link PreValidator} (which turns structural errors
 * into {@code STRUCTURE_INVALID} and a lock-out image into {@code KEY_LOCKOUT_*}).
 */
public final class CheckedImage {
  private final String source;
  private final byte[] bytes;
  private final Fs4Image image;
  private final ImageFacts facts;
  private final String sha512Hex;

  private CheckedImage(String source, byte[] bytes, Predicate<String> expectedFinding)
      throws IOException {
    this.source = source;
    this.bytes = bytes;
    this.image = ImageParser.parse(bytes, source);
    ImageFacts read = ImageFactsSources.standard().read(image);
    // Structure errors are "CODE: message"; a package may make some codes expected.
    List<String> structure =
        read.structureErrors().stream()
            .filter(error -> !expectedFinding.test(error.split(":", 2)[0].trim()))
            .toList();
    this.facts =
        new ImageFacts(read.psid(), read.supportedHwIds(), read.version(), read.securityVersion(),
            read.mccEnabled(), read.secureFw(), read.signatureKeyUuids(), read.signatures(),
            read.imageTrustedKeys(), read.imageTrustedKeysKnown(), structure, read.format());
    this.sha512Hex = BundleReader.sha512Hex(bytes);
  }

  /**
   * Reads {@code path} once (at most {@link ImageParser#MAX_IMAGE_SIZE} bytes; a file that is or
   * grows larger is refused) and checks the bytes read.
   *
   * @throws ImageFormatException (exit 3) when the path is not a readable regular file, is too
   *     large or holds no FS4 image
   * @throws IOException when reading fails or IMAGE_INFO cannot be decoded
   */
  public static CheckedImage read(Path path) throws IOException {
    return new CheckedImage(path.toString(), ImageParser.readFile(path), code -> false);
  }

  /**
   * Checks a private copy of {@code bytes} (e.g. an image taken from a verified bundle).
   *
   * @param source how messages name the image, e.g. {@code R.kbundle!images/fw.bin}
   */
  public static CheckedImage of(byte[] bytes, String source) throws IOException {
    return new CheckedImage(source, bytes.clone(), code -> false);
  }

  /**
   * Checks an image a foreign package holds; structural findings the package makes expected
   * ({@link PackagedImage#expected}: an MFA2 component has no DTOC) are left out.
   */
  public static CheckedImage of(PackagedImage packaged, String source) throws IOException {
    return new CheckedImage(source, packaged.image(), packaged::expected);
  }

  /** How messages name the image. */
  public String source() {
    return source;
  }

  /** The parsed image, a read-only view of the checked bytes. */
  public Fs4Image image() {
    return image;
  }

  /** The facts the pre-check judges, read from the checked bytes. */
  public ImageFacts facts() {
    return facts;
  }

  /** Lower-case hex SHA-512 of the checked bytes (what the burn log records). */
  public String sha512Hex() {
    return sha512Hex;
  }

  /** The number of checked bytes. */
  public int size() {
    return bytes.length;
  }

  /** A copy of the checked bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /**
   * The pre-check errors that refuse a burn: all of them, or, when the device's own rules are
   * left to the device ({@code --skip-precheck}, for testing), still Kiln's own rules, which no
   * device checks for the host: STRUCTURE_INVALID, KEY_LOCKOUT_* and a version the feed forbids.
   *
   * @param feedForbidden the versions the forbidden-versions feed forbids for this image
   */
  public List<Finding> refusals(
      PrecheckResult result, boolean skipDeviceRules, List<FwVersion> feedForbidden) {
    if (!skipDeviceRules) {
      return result.errors();
    }
    return result.errors().stream()
        .filter(
            f -> f.code() == PrecheckCode.STRUCTURE_INVALID
                || f.code() == PrecheckCode.KEY_LOCKOUT_NO_KEYS
                || f.code() == PrecheckCode.KEY_LOCKOUT_SIGNER_NOT_TRUSTED
                || (f.code() == PrecheckCode.FORBIDDEN_VERSION
                    && feedForbidden.contains(facts.version())))
        .toList();
  }

  /** Pre-validates the checked bytes against one device. */
  public PrecheckResult precheck(DeviceProfile device, PreValidator.Options options) {
    return new PreValidator().validate(facts, device, options);
  }
}
