package dev.kiln.burner.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.BurnOptions;
import dev.kiln.burner.BurnReport;
import dev.kiln.burner.SecureDevice;
import dev.kiln.burner.e2e.BurnerImages;
import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.emulator.DeviceServer;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.UpdateComponent;
import dev.kiln.inspector.section.FwVersion;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: over {@code tcp://} every frame is at most one write and its reply at most one read of
 * the socket, and the MCDA chunks of a burn and of a read-back are pipelined, so their frames cost
 * far fewer system calls than frames. A socket stream's {@code write} and {@code read} are one
 * system call each (the JDK's socket streams do not buffer), so counting the calls on the streams
 * the transport is given counts the system calls it makes. Against a real daemon.
 */
class TcpTransportSystemCallsTest {

  /**
   * Counts the calls that reach the socket (each is one write(2)) and the frames in the bytes
   * written (by following their length prefixes), so frames the register client does not count
   * (control frames) are counted too.
   */
  static final class CountingOutput extends FilterOutputStream {
    long writes;
    long frames;
    private final byte[] header = new byte[4];
    private int headerBytes;
    private long bodyLeft;

    CountingOutput(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      writes++;
      follow((byte) b);
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      writes++;
      for (int i = off; i < off + len; i++) {
        follow(b[i]);
      }
      out.write(b, off, len);
    }

    private void follow(byte b) {
      if (bodyLeft > 0) {
        bodyLeft--;
        return;
      }
      header[headerBytes++] = b;
      if (headerBytes == 4) {
        headerBytes = 0;
        frames++;
        bodyLeft = java.nio.ByteBuffer.wrap(header).getInt();
      }
    }
  }

  /** Counts the calls that reach the socket: each is one read(2). */
  static final class CountingInput extends FilterInputStream {
    long reads;

    CountingInput(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      reads++;
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      reads++;
      return in.read(b, off, len);
    }
  }

  @Test
  void framesCostAtMostOneWriteAndOneReadAndChunksArePipelined(@TempDir Path work)
      throws Exception {
    Path running = BurnerImages.build(work, BurnerImages.spec("22.39.1002"));
    Path next = BurnerImages.build(work, BurnerImages.spec("22.41.1000"));
    byte[] component = UpdateComponent.bytes(ImageParser.parse(next));
    Path dir = BurnerImages.device(work.resolve("dev"), running);
    CountingInput[] in = new CountingInput[1];
    CountingOutput[] out = new CountingOutput[1];
    try (EmulatedDevice device = EmulatedDevice.open(dir);
        DeviceServer server =
            DeviceServer.start(device, InetAddress.getLoopbackAddress(), 0)) {
      TcpTransport transport =
          TcpTransport.connect("127.0.0.1", server.port(), 30_000, server.token(),
              raw -> in[0] = new CountingInput(raw), raw -> out[0] = new CountingOutput(raw));
      long authWrites = out[0].writes;
      assertEquals(1, authWrites, "the KAUT frame is one write");
      assertEquals(1, in[0].reads, "its reply one read");
      try (SecureDevice session = SecureDevice.open(transport, ms -> {}, transport.describe())) {
        // One frame at a time first: a query is one write and one read per transaction.
        long writesBefore = out[0].writes;
        long readsBefore = in[0].reads;
        long sentBefore = out[0].frames;
        session.query();
        long queryFrames = out[0].frames - sentBefore;
        assertTrue(queryFrames > 3, "the query takes several transactions");
        assertEquals(queryFrames, out[0].writes - writesBefore, "one write per frame");
        assertTrue(in[0].reads - readsBefore <= queryFrames, "at most one read per reply");

        long framesBefore = out[0].frames;
        writesBefore = out[0].writes;
        readsBefore = in[0].reads;
        BurnReport report =
            session.burn(component, new BurnOptions(true, FwVersion.parse("22.41.1000")),
                BurnProgress.SILENT);
        long chunks = (component.length + 127) / 128;
        long frames = out[0].frames - framesBefore;
        long writes = out[0].writes - writesBefore;
        long reads = in[0].reads - readsBefore;
        assertTrue(frames >= chunks, frames + " frames for " + chunks + " chunks");
        // Pipelined: the chunks go out about 95 to a write; the other frames one each.
        long otherFrames = frames - chunks;
        assertTrue(writes <= otherFrames + chunks / 50,
            writes + " writes for " + frames + " frames (" + chunks + " MCDA chunks)");
        assertTrue(reads <= otherFrames + chunks / 10,
            reads + " reads for " + frames + " frames (" + chunks + " MCDA chunks)");
        assertEquals(component.length, report.componentBytes());

        // The read-back pipelines its MCDA GETs the same way and returns the bytes burnt.
        framesBefore = out[0].frames;
        writesBefore = out[0].writes;
        byte[] back = session.readBootImage(true, BurnProgress.SILENT);
        long readFrames = out[0].frames - framesBefore;
        long readWrites = out[0].writes - writesBefore;
        long readChunks = (back.length + 127) / 128;
        assertTrue(readFrames >= readChunks && readChunks > 100, readFrames + " frames");
        assertTrue(readWrites <= (readFrames - readChunks) + readChunks / 50,
            readWrites + " writes for " + readFrames + " read-back frames");
        // The device holds the image as burnt, magic unmasked: the file's bytes.
        assertArrayEquals(Arrays.copyOf(java.nio.file.Files.readAllBytes(next), component.length),
            Arrays.copyOf(back, component.length));
      }
    }
  }
}
