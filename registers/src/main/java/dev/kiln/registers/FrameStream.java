package dev.kiln.registers;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Length-prefixed frames over a byte stream: each frame is a 4-byte big-endian length, then that
 * many bytes. This is the framing of the emulator daemon's wire protocol (docs/emulator.md, "Wire
 * protocol"), spoken by both ends: the daemon ({@code emulator.DeviceServer}) and the host's
 * {@code tcp://} transport ({@code burner.transport.TcpTransport}); one class, so neither side
 * depends on the other.
 *
 * <p>Built for few system calls, because on loopback each one costs more than the work a register
 * transaction does: {@link #queue} assembles frames, header and body, in one buffer and {@link
 * #flush} hands all of them to the stream in one {@code write}; {@link #read} takes whatever the
 * stream has ready (up to the read buffer) in one {@code read} and cuts frames from that buffer,
 * so a frame costs at most one read and a batch of pipelined frames one read for many. The
 * streams given must not buffer again (socket streams do not). Not thread-safe.
 */
public final class FrameStream {
  /** Read buffer: a batch of pipelined register frames (about 170 bytes each) in one read. */
  public static final int READ_BUFFER = 1 << 16;

  private final InputStream in;
  private final OutputStream out;
  private byte[] input;
  private int start;
  private int end;
  private byte[] output = new byte[0];
  private int queued;

  /** With a read buffer of {@link #READ_BUFFER} bytes. */
  public FrameStream(InputStream in, OutputStream out) {
    this(in, out, READ_BUFFER);
  }

  /**
   * With a read buffer of {@code readBuffer} bytes: a server holding many connections that are
   * not yet authenticated gives each a small one ({@link #enlargeReadBuffer} once admitted), so a
   * flood of idle connections costs little memory. The output buffer grows with what is queued.
   */
  public FrameStream(InputStream in, OutputStream out, int readBuffer) {
    this.in = in;
    this.out = out;
    this.input = new byte[readBuffer];
  }

  /** Grows the read buffer to {@code size} bytes, keeping what is buffered. */
  public void enlargeReadBuffer(int size) {
    if (size > input.length) {
      byte[] larger = new byte[size];
      System.arraycopy(input, start, larger, 0, end - start);
      end -= start;
      start = 0;
      input = larger;
    }
  }

  /** A declared frame length outside what the reader accepts; nothing was allocated for it. */
  public static final class FrameLengthException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int length;

    FrameLengthException(int length, int max) {
      super("frame of " + length + " bytes (at most " + max + ")");
      this.length = length;
    }

    /** The declared length. */
    public int length() {
      return length;
    }
  }

  /** Appends one frame to the output buffer; nothing is written until {@link #flush}. */
  public void queue(byte[] body) {
    int needed = queued + 4 + body.length;
    if (needed > output.length) {
      output = Arrays.copyOf(output, Math.max(needed, Math.max(256, output.length * 2)));
    }
    int length = body.length;
    output[queued] = (byte) (length >>> 24);
    output[queued + 1] = (byte) (length >>> 16);
    output[queued + 2] = (byte) (length >>> 8);
    output[queued + 3] = (byte) length;
    System.arraycopy(body, 0, output, queued + 4, length);
    queued = needed;
  }

  /** Bytes queued and not yet flushed. */
  public int queuedBytes() {
    return queued;
  }

  /** Writes every queued frame with one write of the stream. */
  public void flush() throws IOException {
    if (queued == 0) {
      return;
    }
    int length = queued;
    queued = 0;
    out.write(output, 0, length);
    out.flush();
  }

  /** {@link #queue} and {@link #flush}: one frame, one write. */
  public void send(byte[] body) throws IOException {
    queue(body);
    flush();
  }

  /** Whether a whole frame is already buffered, so the next {@link #read} needs no system call. */
  public boolean hasBufferedFrame() {
    int available = end - start;
    return available >= 4 && available - 4 >= lengthAt(start);
  }

  /**
   * The next frame's body. The declared length is checked against {@code max} before anything is
   * allocated for the body; a large body is then read as it arrives.
   *
   * @return null at a clean end of stream (before the first byte of a frame)
   * @throws FrameLengthException when the declared length is negative or above {@code max}
   * @throws EOFException when the stream ends inside a frame
   */
  public byte[] read(int max) throws IOException {
    if (!fill(4)) {
      if (end == start) {
        return null;
      }
      throw new EOFException("the stream ended inside a frame header");
    }
    int length = lengthAt(start);
    if (length < 0 || length > max) {
      throw new FrameLengthException(length, max);
    }
    start += 4;
    byte[] body = new byte[length];
    int buffered = Math.min(length, end - start);
    System.arraycopy(input, start, body, 0, buffered);
    start += buffered;
    if (buffered == length) {
      return body;
    }
    if (length <= input.length) {
      // The rest of a frame that fits the buffer: read into the buffer, so whatever follows it
      // (the next pipelined frame) comes in the same read.
      start = 0;
      end = 0;
      if (!fill(length - buffered)) {
        throw new EOFException("the stream ended inside a frame of " + length + " bytes");
      }
      System.arraycopy(input, 0, body, buffered, length - buffered);
      start = length - buffered;
      return body;
    }
    for (int at = buffered; at < length; ) {
      int n = in.read(body, at, length - at);
      if (n < 0) {
        throw new EOFException("the stream ended inside a frame of " + length + " bytes");
      }
      at += n;
    }
    return body;
  }

  /** Reads until {@code count} bytes are buffered; false when the stream ends first. */
  private boolean fill(int count) throws IOException {
    if (end - start >= count) {
      return true;
    }
    if (start == end) {
      start = 0;
      end = 0;
    } else if (input.length - start < count) {
      System.arraycopy(input, start, input, 0, end - start);
      end -= start;
      start = 0;
    }
    while (end - start < count) {
      int n = in.read(input, end, input.length - end);
      if (n < 0) {
        return false;
      }
      end += n;
    }
    return true;
  }

  private int lengthAt(int at) {
    return (input[at] & 0xFF) << 24
        | (input[at + 1] & 0xFF) << 16
        | (input[at + 2] & 0xFF) << 8
        | (input[at + 3] & 0xFF);
  }
}
