package dev.kiln.inspector.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Arrays;

/** Produces section bodies chunk by chunk for {@link ImageWriter}. */
final class ContentStreams {
  private static final int CHUNK = 64 * 1024;

  private ContentStreams() {}

  /**
   * Feeds {@code size} bytes of {@code content} to {@code sink}, positions starting at {@code
   * offset}. File and in-memory content shorter than {@code size} is padded with zeros.
   *
   * @throws IOException if a payload file cannot be read or no longer has the planned size
   */
  static void stream(SectionContent content, long size, long offset, ImageWriter.ChunkSink sink)
      throws IOException {
    if (content instanceof SectionContent.FromBytes bytes) {
      byte[] body = Arrays.copyOf(bytes.bytes(), (int) size);
      sink.accept(body, body.length, offset);
    } else if (content instanceof SectionContent.Filled filled) {
      byte[] chunk = new byte[(int) Math.min(CHUNK, size)];
      Arrays.fill(chunk, (byte) filled.fill());
      for (long done = 0; done < size; done += chunk.length) {
        sink.accept(chunk, (int) Math.min(chunk.length, size - done), offset + done);
      }
    } else if (content instanceof SectionContent.Random random) {
      XorShift generator = new XorShift(random.seed());
      byte[] chunk = new byte[(int) Math.min(CHUNK, size)];
      for (long done = 0; done < size; done += chunk.length) {
        int length = (int) Math.min(chunk.length, size - done);
        generator.fill(chunk, length);
        sink.accept(chunk, length, offset + done);
      }
    } else if (content instanceof SectionContent.FromFile file) {
      byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(size, 4))];
      long done = 0;
      try (InputStream in = Files.newInputStream(file.path())) {
        while (done < size) {
          int want = (int) Math.min(chunk.length, size - done);
          int got = in.readNBytes(chunk, 0, want);
          if (got < want) {
            // Only the last chunk may be short: it is the zero padding to a whole dword.
            if (size - (done + got) >= 4 || in.read() != -1) {
              throw new IOException(file.path() + ": payload changed while the image was built");
            }
            Arrays.fill(chunk, got, want, (byte) 0);
          }
          sink.accept(chunk, want, offset + done);
          done += want;
        }
        if (in.read() != -1) {
          throw new IOException(file.path() + ": payload changed while the image was built");
        }
      }
    }
  }

  /** xorshift64* with the constants documented on {@link SectionContent.Random}. */
  private static final class XorShift {
    private long state;
    private long pending;
    private int pendingBytes;

    XorShift(long seed) {
      state = seed ^ 0x9E3779B97F4A7C15L;
      if (state == 0) {
        state = 0x9E3779B97F4A7C15L;
      }
    }

    private long next() {
      state ^= state >>> 12;
      state ^= state << 25;
      state ^= state >>> 27;
      return state * 0x2545F4914F6CDD1DL;
    }

    /** Fills {@code length} bytes with the next outputs, most significant byte first. */
    void fill(byte[] chunk, int length) {
      for (int i = 0; i < length; i++) {
        if (pendingBytes == 0) {
          pending = next();
          pendingBytes = 8;
        }
        pendingBytes--;
        chunk[i] = (byte) (pending >>> (8 * pendingBytes));
      }
    }
  }
}
