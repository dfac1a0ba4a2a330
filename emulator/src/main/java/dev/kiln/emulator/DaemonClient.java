package dev.kiln.emulator;

import dev.kiln.registers.FrameStream;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import dev.kiln.registers.pldm.PldmEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A minimal client of the emulator daemon ({@link WireProtocol}): register envelopes plus the
 * control frames (identify, power cycle, recovery gateway). Kiln's host tools use the burner's own
 * TCP transport for registers; this client serves the emulator's tests and recovery tooling.
 */
public final class DaemonClient implements RegisterTransport, PldmEndpoint {
  private final String description;
  private final Socket socket;
  private final FrameStream frames;

  private DaemonClient(String description, Socket socket) throws IOException {
    this.description = description;
    this.socket = socket;
    this.frames = new FrameStream(socket.getInputStream(), socket.getOutputStream());
  }

  /** Connects to a daemon on {@code host:port} and presents the token read from {@code tokenFile}. */
  public static DaemonClient connect(String host, int port, int timeoutMillis, Path tokenFile)
      throws TransportException {
    byte[] token;
    try {
      token = DaemonToken.read(tokenFile);
    } catch (IOException e) {
      throw new TransportException(
          "tcp://" + host + ":" + port + ": cannot read the daemon token: " + e.getMessage(), e);
    }
    return connect(host, port, timeoutMillis, token);
  }

  /**
   * Connects to a daemon on {@code host:port} and presents {@code token} ({@link
   * WireProtocol#AUTHENTICATE}); null sends no token (the daemon then refuses the first frame).
   */
  public static DaemonClient connect(String host, int port, int timeoutMillis, byte[] token)
      throws TransportException {
    String description = "tcp://" + host + ":" + port;
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      DaemonClient client = new DaemonClient(description, socket);
      if (token != null) {
        client.control(WireProtocol.AUTHENTICATE, token);
      }
      return client;
    } catch (IOException | TransportException e) {
      try {
        socket.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof TransportException transport) {
        throw transport;
      }
      throw new TransportException(description + ": cannot connect (" + e.getMessage() + ")", e);
    }
  }

  @Override
  public synchronized byte[] exchange(byte[] request) throws TransportException {
    byte[] reply = roundTrip(request);
    if (WireProtocol.hasTag(reply, WireProtocol.ERROR)) {
      throw new TransportException(description + ": " + text(reply));
    }
    return reply;
  }

  /** The identification line of the device ({@link Identification#toLine()}). */
  public String identify() throws TransportException {
    return text(control(WireProtocol.IDENTIFY, new byte[0]));
  }

  /** One message on the PLDM firmware-update channel ({@link WireProtocol#PLDM}). */
  @Override
  public byte[] pldm(byte[] message) throws TransportException {
    byte[] reply = control(WireProtocol.PLDM, message);
    return Arrays.copyOfRange(reply, 4, reply.length);
  }

  /** Power-cycles the device. */
  public void powerCycle() throws TransportException {
    control(WireProtocol.POWER_CYCLE, new byte[0]);
  }

  /** Raw flash write (livefish only). */
  public void gatewayWrite(long address, byte[] data) throws TransportException {
    control(
        WireProtocol.GATEWAY_WRITE,
        ByteBuffer.allocate(8 + data.length).putLong(address).put(data).array());
  }

  /** Raw flash read (livefish only). */
  public byte[] gatewayRead(long address, int length) throws TransportException {
    byte[] reply =
        control(WireProtocol.GATEWAY_READ, ByteBuffer.allocate(12).putLong(address).putInt(length)
            .array());
    return Arrays.copyOfRange(reply, 4, reply.length);
  }

  /** Declares the image written at the start of {@code slot} as the boot image (livefish only). */
  public void gatewaySetImage(int slot, int size) throws TransportException {
    control(WireProtocol.GATEWAY_BOOT_IMAGE, ByteBuffer.allocate(8).putInt(slot).putInt(size)
        .array());
  }

  private synchronized byte[] control(byte[] tag, byte[] args) throws TransportException {
    byte[] frame = new byte[4 + args.length];
    System.arraycopy(tag, 0, frame, 0, 4);
    System.arraycopy(args, 0, frame, 4, args.length);
    byte[] reply = roundTrip(frame);
    if (!WireProtocol.hasTag(reply, WireProtocol.OK)) {
      throw new TransportException(description + ": " + text(reply));
    }
    return reply;
  }

  private byte[] roundTrip(byte[] frame) throws TransportException {
    try {
      frames.send(frame);
      byte[] reply = frames.read(WireProtocol.MAX_FRAME);
      if (reply == null) {
        throw new TransportException(description + ": the daemon closed the connection");
      }
      return reply;
    } catch (FrameStream.FrameLengthException e) {
      throw new TransportException(description + ": malformed reply frame of " + e.length(), e);
    } catch (IOException e) {
      throw new TransportException(description + ": connection lost (" + e.getMessage() + ")", e);
    }
  }

  private static String text(byte[] reply) {
    return reply.length <= 4 ? "" : new String(reply, 4, reply.length - 4, StandardCharsets.UTF_8);
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() throws TransportException {
    try {
      socket.close();
    } catch (IOException e) {
      throw new TransportException(description + ": close failed", e);
    }
  }
}
