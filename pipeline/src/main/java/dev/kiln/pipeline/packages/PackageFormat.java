package dev.kiln.pipeline.packages;

import dev.kiln.packages.pldm.PldmFormatRevision;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The three release package formats kiln writes and reads, told apart by their first bytes (never
 * by the file name): a kiln bundle is a zip ({@code PK\3\4}), an MFA2 archive starts with {@code
 * MLNX.MFA2.XZ.00!}, a DSP0267 package with one of the four PackageHeaderIdentifiers.
 */
public enum PackageFormat {
  KBUNDLE("kbundle", ".kbundle"),
  MFA2("mfa2", ".mfa2"),
  PLDM("pldm", ".fwpkg");

  /** How many leading bytes {@link #of(byte[])} needs. */
  public static final int SNIFF_LENGTH = 16;

  private static final byte[] ZIP = {'P', 'K', 3, 4};
  private static final byte[] MFA2_FINGERPRINT =
      "MLNX.MFA2.XZ.00!".getBytes(StandardCharsets.US_ASCII);

  private final String cliName;
  private final String extension;

  PackageFormat(String cliName, String extension) {
    this.cliName = cliName;
    this.extension = extension;
  }

  /** The name {@code --format} takes. */
  public String cliName() {
    return cliName;
  }

  /** The file name extension releases use. */
  public String extension() {
    return extension;
  }

  /** The format whose leading bytes these are, if any. */
  public static Optional<PackageFormat> of(byte[] head) {
    if (startsWith(head, ZIP)) {
      return Optional.of(KBUNDLE);
    }
    if (startsWith(head, MFA2_FINGERPRINT)) {
      return Optional.of(MFA2);
    }
    if (head.length >= 16
        && PldmFormatRevision.ofIdentifier(Arrays.copyOf(head, 16)).isPresent()) {
      return Optional.of(PLDM);
    }
    return Optional.empty();
  }

  /**
   * The format of a file, from its first bytes; empty for anything else (an FS4 image, a file
   * that cannot be opened or is not a regular file: the caller's own reader reports those).
   */
  public static Optional<PackageFormat> of(Path file) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try (InputStream in = Files.newInputStream(file)) {
      return of(in.readNBytes(SNIFF_LENGTH));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The format {@code --format NAME} names. */
  public static Optional<PackageFormat> byCliName(String name) {
    String wanted = name.toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(f -> f.cliName.equals(wanted)).findFirst();
  }

  private static boolean startsWith(byte[] head, byte[] prefix) {
    return head.length >= prefix.length
        && Arrays.equals(head, 0, prefix.length, prefix, 0, prefix.length);
  }
}
