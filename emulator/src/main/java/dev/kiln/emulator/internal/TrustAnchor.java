package dev.kiln.emulator.internal;

import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.io.AtomicFiles;
import dev.kiln.signer.fs4.TrustStore;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code trust-anchor.bin}: the PUBLIC_KEYS_2048/4096 and FORBIDDEN_VERSIONS sections of the last
 * image that booted. The boot ROM checks slot images against these keys, so an image written
 * through the recovery gateway must still be signed by a key the device trusted.
 *
 * <pre>
 * Repeated to the end of the file (big-endian):
 *   u32  section type (0xA1, 0xA4, 0xA2)
 *   u32  body length
 *   n    section body
 * </pre>
 */
public final class TrustAnchor {
  /** File name in the device directory. */
  public static final String FILE = "trust-anchor.bin";

  private TrustAnchor() {}

  /** Records the policy sections of {@code facts}; leaves the file alone when nothing changed. */
  public static void write(Path dir, ImageFacts facts) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    for (ImageFacts.PolicySection section : facts.policySections()) {
      byte[] body = section.body();
      out.writeInt(section.type());
      out.writeInt(body.length);
      out.write(body);
    }
    out.flush();
    byte[] content = bytes.toByteArray();
    Path file = dir.resolve(FILE);
    if (Files.exists(file) && Arrays.equals(Files.readAllBytes(file), content)) {
      return;
    }
    AtomicFiles.write(file, content);
  }

  /** The trusted keys of the anchor (empty when there is no anchor file). */
  public static TrustStore read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return TrustStore.empty();
    }
    TrustStore store = TrustStore.empty();
    try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
      while (in.available() > 0) {
        int type = in.readInt();
        int length = in.readInt();
        if (length < 0 || length > 1 << 20) {
          throw new IOException(file + ": corrupt trust anchor");
        }
        byte[] body = in.readNBytes(length);
        if (type == SectionType.PUBLIC_KEYS_2048.code()
            || type == SectionType.PUBLIC_KEYS_4096.code()) {
          store = store.plus(TrustStore.fromPublicKeysSection(body, "trust anchor"));
        }
      }
    } catch (RuntimeException e) {
      throw new IOException(file + ": corrupt trust anchor (" + e.getMessage() + ")", e);
    }
    return store;
  }
}
