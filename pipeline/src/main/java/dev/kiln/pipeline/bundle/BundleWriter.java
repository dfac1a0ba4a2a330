package dev.kiln.pipeline.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.signer.KeyAccessException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes bundles in the {@link BundleLayout} format: signs the manifest through a {@link
 * DocumentSigner}, then lays out the zip deterministically.
 */
public final class BundleWriter {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private BundleWriter() {}

  /**
   * An image to put in a bundle.
   *
   * @param entry the manifest entry describing it (its {@code path} and {@code sha512} must match
   *     {@code bytes})
   * @param bytes the image bytes
   */
  public record Content(ManifestImage entry, byte[] bytes) {
    public Content {
      bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
      return bytes.clone();
    }
  }

  /**
   * Builds the bundle bytes.
   *
   * @throws IllegalArgumentException if two images have the same name or the same PSID, device
   *     and version (a device could then not be given one image deterministically)
   */
  public static byte[] write(
      String bundleVersion, Instant createdAt, List<Content> contents,
      DocumentSigner signer)
      throws IOException, GeneralSecurityException, KeyAccessException {
    Set<String> names = new HashSet<>();
    Set<String> targets = new HashSet<>();
    for (Content content : contents) {
      ManifestImage image = content.entry();
      if (!BundleLayout.isSafeImageName(image.fileName())
          || !image.path().equals(BundleLayout.IMAGE_DIR + image.fileName())) {
        throw new IllegalArgumentException("unsafe image name in a bundle: " + image.path());
      }
      if (!names.add(image.path())) {
        throw new IllegalArgumentException("two images named " + image.fileName());
      }
      for (int hwId : image.hwDeviceIds()) {
        if (!targets.add(image.psid() + "/" + hwId + "/" + image.fwVersion())) {
          throw new IllegalArgumentException(
              "two images for PSID " + image.psid() + ", device 0x" + Integer.toHexString(hwId)
                  + " and version " + image.fwVersion() + ": image selection would be ambiguous");
        }
      }
    }
    BundleManifest manifest =
        new BundleManifest(
            bundleVersion, createdAt, contents.stream().map(Content::entry).toList());
    byte[] manifestBytes = manifest.toBytes();
    DetachedSignature signature = DetachedSignature.create(signer, manifestBytes);
    byte[] signatureBytes =
        MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(signature.toJson(MAPPER));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      store(zip, BundleLayout.MANIFEST, manifestBytes);
      store(zip, BundleLayout.SIGNATURE, signatureBytes);
      for (Content content : contents) {
        store(zip, content.entry().path(), content.bytes);
      }
    }
    return out.toByteArray();
  }

  private static void store(ZipOutputStream zip, String name, byte[] data) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    // STORED entries need size and CRC up front; both are then in the local header too.
    entry.setMethod(ZipEntry.STORED);
    entry.setSize(data.length);
    entry.setCompressedSize(data.length);
    CRC32 crc = new CRC32();
    crc.update(data);
    entry.setCrc(crc.getValue());
    // setTimeLocal writes only the DOS time field (no extended-timestamp extra field), and does
    // not depend on the default time zone.
    entry.setTimeLocal(BundleLayout.ENTRY_TIME);
    zip.putNextEntry(entry);
    zip.write(data);
    zip.closeEntry();
  }
}
