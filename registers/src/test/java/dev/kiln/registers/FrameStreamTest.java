package dev.kiln.registers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The daemon framing: frames survive any split of the stream; writes and reads are batched. */
class FrameStreamTest {

  /** Counts write calls (one system call each on a socket stream). */
  static final class CountingSink extends OutputStream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int writes;

    @Override
    public void write(int b) {
      writes++;
      bytes.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      writes++;
      bytes.write(b, off, len);
    }
  }

  /** Hands out at most {@code step} bytes per read, as a socket may; counts the reads. */
  static final class Trickle extends InputStream {
    final ByteArrayInputStream in;
    final int step;
    int reads;

    Trickle(byte[] data, int step) {
      this.in = new ByteArrayInputStream(data);
      this.step = step;
    }

    @Override
    public int read() {
      reads++;
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      reads++;
      return in.read(b, off, Math.min(len, step));
    }
  }

  private static byte[][] frames(int count, int maxSize, long seed) {
    Random random = new Random(seed);
    byte[][] frames = new byte[count][];
    for (int i = 0; i < count; i++) {
      frames[i] = new byte[random.nextInt(maxSize + 1)];
      random.nextBytes(frames[i]);
    }
    return frames;
  }

  private static byte[] written(byte[][] frames, CountingSink sink) throws Exception {
    FrameStream out = new FrameStream(InputStream.nullInputStream(), sink);
    for (byte[] frame : frames) {
      out.queue(frame);
    }
    out.flush();
    return sink.bytes.toByteArray();
  }

  @Test
  void queuedFramesLeaveInOneWrite() throws Exception {
    CountingSink sink = new CountingSink();
    byte[] bytes = written(frames(100, 200, 1), sink);
    assertEquals(1, sink.writes);
    FrameStream single = new FrameStream(InputStream.nullInputStream(), sink);
    single.send(new byte[300_000]);
    assertEquals(2, sink.writes, "a frame larger than the buffer is still one write");
    assertEquals(0, single.queuedBytes());
    assertTrue(bytes.length > 100 * 4);
  }

  @Test
  void bufferedFramesAreReadWithOneReadForMany() throws Exception {
    byte[][] frames = frames(200, 160, 2);
    byte[] bytes = written(frames, new CountingSink());
    Trickle in = new Trickle(bytes, Integer.MAX_VALUE);
    FrameStream stream = new FrameStream(in, OutputStream.nullOutputStream());
    for (byte[] frame : frames) {
      assertArrayEquals(frame, stream.read(1 << 17));
    }
    assertFalse(stream.hasBufferedFrame());
    assertNull(stream.read(1 << 17));
    // 200 frames of at most 164 bytes fit the 64 KiB buffer: one read, plus the end of stream.
    assertEquals(2, in.reads);
  }

  @Test
  void framesSurviveAnySplitIncludingFramesLargerThanTheBuffer() throws Exception {
    byte[][] frames = frames(40, 20_000, 3);
    frames[7] = new byte[FrameStream.READ_BUFFER + 12345];
    new Random(4).nextBytes(frames[7]);
    byte[] bytes = written(frames, new CountingSink());
    for (int step : new int[] {1, 3, 4, 5, 4099, 65536, 1 << 20}) {
      FrameStream stream = new FrameStream(new Trickle(bytes, step), OutputStream.nullOutputStream());
      for (byte[] frame : frames) {
        assertArrayEquals(frame, stream.read(1 << 17), "step " + step);
      }
      assertNull(stream.read(1 << 17));
    }
  }

  @Test
  void hasBufferedFrameSaysWhetherTheNextReadIsFree() throws Exception {
    byte[] bytes = written(new byte[][] {{1, 2}, {3, 4, 5}}, new CountingSink());
    FrameStream stream =
        new FrameStream(new Trickle(bytes, bytes.length - 1), OutputStream.nullOutputStream());
    stream.read(10);
    assertFalse(stream.hasBufferedFrame(), "the second frame lacks its last byte");
    assertArrayEquals(new byte[] {3, 4, 5}, stream.read(10));
  }

  @Test
  void lengthsOutOfBoundsAndTruncatedFramesAreRefused() throws Exception {
    byte[] big = written(new byte[][] {new byte[300]}, new CountingSink());
    FrameStream.FrameLengthException tooLong =
        assertThrows(FrameStream.FrameLengthException.class,
            () -> new FrameStream(new ByteArrayInputStream(big), OutputStream.nullOutputStream())
                .read(256));
    assertEquals(300, tooLong.length());
    byte[] negative = {(byte) 0x80, 0, 0, 0};
    assertThrows(FrameStream.FrameLengthException.class,
        () -> new FrameStream(new ByteArrayInputStream(negative), OutputStream.nullOutputStream())
            .read(256));
    byte[] cut = java.util.Arrays.copyOf(big, 100);
    assertThrows(EOFException.class,
        () -> new FrameStream(new ByteArrayInputStream(cut), OutputStream.nullOutputStream())
            .read(1024));
    byte[] halfHeader = {0, 0};
    assertThrows(EOFException.class,
        () -> new FrameStream(new ByteArrayInputStream(halfHeader), OutputStream.nullOutputStream())
            .read(1024));
  }

  @Test
  void aSmallReadBufferReadsAnyFrameAndGrowsKeepingWhatIsBuffered() throws Exception {
    byte[][] frames = frames(30, 300, 5);
    byte[] bytes = written(frames, new CountingSink());
    Trickle in = new Trickle(bytes, Integer.MAX_VALUE);
    FrameStream stream = new FrameStream(in, OutputStream.nullOutputStream(), 8);
    for (int i = 0; i < 10; i++) {
      assertArrayEquals(frames[i], stream.read(1 << 17), "frame " + i);
    }
    stream.enlargeReadBuffer(FrameStream.READ_BUFFER);
    for (int i = 10; i < frames.length; i++) {
      assertArrayEquals(frames[i], stream.read(1 << 17), "frame " + i);
    }
    assertNull(stream.read(1 << 17));
  }
}
