package dev.kiln.burner.transport;

import dev.kiln.burner.RecoveryGateway;
import dev.kiln.registers.FrameStream;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import dev.kiln.registers.pldm.PldmEndpoint;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Access registers over a TCP connection to the emulator daemon ({@code kiln device serve}). Each
 * message is one frame each way: a 4-byte big-endian length followed by that many bytes (see
 * docs/emulator.md, "Wire protocol"). A register envelope is answered with the response envelope;
 * control frames start with {@code K} and a 4-letter tag and are answered with {@code KOK } plus
 * data or {@code KERR} plus a UTF-8 message (also the answer to an envelope the device cannot take,
 * e.g. in livefish). The control frames give the {@link RecoveryGateway}: {@code KIDN} identify,
 * {@code KRST} power cycle, {@code KGWW} raw flash write, {@code KGWB} boot image, {@code KPLD} the
 * PLDM firmware-update channel ({@link PldmEndpoint}).
 *
 * <p>Each frame is one {@code write} and its reply at most one {@code read} ({@link FrameStream},
 * TCP_NODELAY). {@link #exchangeAll} pipelines independent envelopes (the MCDA chunks of a burn or
 * read-back): up to {@value #WINDOW_BYTES} bytes of frames go out in one write while the replies
 * to the previous window are read, so a chunk costs a fraction of a round trip instead of one.
 * The daemon answers frames strictly in order, and both windows together stay far below what
 * loopback sockets buffer, so neither side can block the other.
 *
 * <p>The first frame of every connection is {@code KAUT} and the daemon's token, the text of the
 * owner-only token file the daemon writes into its device directory ({@code DIR/daemon.token}):
 * the file's permissions decide who may use the device.
 */
public final class TcpTransport implements RegisterTransport, RecoveryGateway, PldmEndpoint {
  /** Largest frame accepted from the daemon (its own limit, docs/emulator.md "Limits"). */
  static final int MAX_FRAME = 1 << 17;

  /** Largest token file read. */
  static final int MAX_TOKEN_BYTES = 256;

  /** Frames of pipelined envelopes sent in one write (about 95 MCDA chunks). */
  static final int WINDOW_BYTES = 16 * 1024;

  private final String description;
  private final Socket socket;
  private final FrameStream frames;
  private boolean closed;

  private TcpTransport(String description, Socket socket, InputStream in, OutputStream out) {
    this.description = description;
    this.socket = socket;
    this.frames = new FrameStream(in, out);
  }

  /**
   * Connects to {@code host:port} and authenticates with the token in {@code tokenFile}.
   *
   * @param timeoutMillis connect and per-reply timeout
   */
  public static TcpTransport connect(String host, int port, int timeoutMillis, Path tokenFile)
      throws TransportException {
    return connect(host, port, timeoutMillis, readToken("tcp://" + host + ":" + port, tokenFile));
  }

  /**
   * Reads a daemon token file: at most {@value #MAX_TOKEN_BYTES} bytes, white space trimmed.
   *
   * @param description the device, for messages
   */
  public static byte[] readToken(String description, Path tokenFile) throws TransportException {
    try (InputStream in = Files.newInputStream(tokenFile)) {
      String text = new String(in.readNBytes(MAX_TOKEN_BYTES), StandardCharsets.US_ASCII).trim();
      if (text.isEmpty()) {
        throw new TransportException(description + ": the daemon token file " + tokenFile
            + " is empty");
      }
      return text.getBytes(StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new TransportException(
          description + ": no daemon token file " + tokenFile + " (the daemon writes"
              + " DIR/daemon.token when it starts)", e);
    } catch (AccessDeniedException e) {
      throw new TransportException(
          description + ": cannot read the daemon token " + tokenFile
              + ": permission denied (only the daemon's owner may use the device)", e);
    } catch (IOException e) {
      throw new TransportException(
          description + ": cannot read the daemon token " + tokenFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * Connects to {@code host:port} and presents {@code token} as the first frame.
   *
   * @param timeoutMillis connect and per-reply timeout
   */
  public static TcpTransport connect(String host, int port, int timeoutMillis, byte[] token)
      throws TransportException {
    return connect(host, port, timeoutMillis, token, UnaryOperator.identity(),
        UnaryOperator.identity());
  }

  /** {@link #connect(String, int, int, byte[])} with the socket's streams wrapped (tests count). */
  static TcpTransport connect(String host, int port, int timeoutMillis, byte[] token,
      UnaryOperator<InputStream> wrapIn, UnaryOperator<OutputStream> wrapOut)
      throws TransportException {
    String description = "tcp://" + host + ":" + port;
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      TcpTransport transport = new TcpTransport(description, socket,
          wrapIn.apply(socket.getInputStream()), wrapOut.apply(socket.getOutputStream()));
      transport.authenticate(token);
      return transport;
    } catch (TransportException e) {
      closeQuietly(socket, e);
      throw e;
    } catch (IOException e) {
      try {
        socket.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new TransportException(
          description + ": cannot connect to the emulator daemon (" + e.getMessage() + ")", e);
    }
  }

  private static void closeQuietly(Socket socket, Exception failure) {
    try {
      socket.close();
    } catch (IOException suppressed) {
      failure.addSuppressed(suppressed);
    }
  }

  private void authenticate(byte[] token) throws TransportException {
    try {
      control("KAUT", token);
    } catch (TransportException e) {
      throw new TransportException(
          description + ": the daemon refused the connection: " + e.getMessage()
              .replace(description + ": ", ""), e);
    }
  }

  private static final byte[] OK = "KOK ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ERROR = "KERR".getBytes(StandardCharsets.US_ASCII);

  @Override
  public byte[] exchange(byte[] request) throws TransportException {
    byte[] reply = frame(request);
    if (startsWith(reply, ERROR)) {
      throw new TransportException(description + ": " + text(reply));
    }
    return reply;
  }

  /** Sends a control frame and returns the data after {@code KOK }. */
  private byte[] control(String tag, byte[] arguments) throws TransportException {
    byte[] request = new byte[4 + arguments.length];
    System.arraycopy(tag.getBytes(StandardCharsets.US_ASCII), 0, request, 0, 4);
    System.arraycopy(arguments, 0, request, 4, arguments.length);
    byte[] reply = frame(request);
    if (startsWith(reply, OK)) {
      return Arrays.copyOfRange(reply, 4, reply.length);
    }
    if (startsWith(reply, ERROR)) {
      throw new TransportException(description + ": " + text(reply));
    }
    throw new TransportException(description + ": malformed reply to " + tag);
  }

  private static boolean startsWith(byte[] body, byte[] tag) {
    return body.length >= 4
        && body[0] == tag[0]
        && body[1] == tag[1]
        && body[2] == tag[2]
        && body[3] == tag[3];
  }

  private static String text(byte[] reply) {
    return new String(reply, 4, reply.length - 4, StandardCharsets.UTF_8).trim();
  }

  @Override
  public Identity identify() throws TransportException {
    String line = new String(control("KIDN", new byte[0]), StandardCharsets.UTF_8).trim();
    Map<String, String> fields = new HashMap<>();
    for (String pair : line.split("\\s+")) {
      int equals = pair.indexOf('=');
      if (equals > 0) {
        fields.put(pair.substring(0, equals), pair.substring(equals + 1));
      }
    }
    try {
      String psid = fields.getOrDefault("psid", "");
      return new Identity(
          "livefish".equals(fields.get("mode")),
          Integer.decode(fields.getOrDefault("pci_device_id", "0")),
          Integer.decode(fields.getOrDefault("hw_dev_id", "0")),
          "-".equals(psid) ? "" : psid);
    } catch (NumberFormatException e) {
      throw new TransportException(description + ": malformed identification: " + line, e);
    }
  }

  @Override
  public void flashWrite(long address, byte[] data) throws TransportException {
    ByteBuffer arguments = ByteBuffer.allocate(8 + data.length);
    arguments.putLong(address).put(data);
    control("KGWW", arguments.array());
  }

  @Override
  public void setBootImage(int slot, int size) throws TransportException {
    control("KGWB", ByteBuffer.allocate(8).putInt(slot).putInt(size).array());
  }

  /** One message on the device's PLDM firmware-update channel ({@code KPLD}, docs/emulator.md). */
  @Override
  public byte[] pldm(byte[] message) throws TransportException {
    return control("KPLD", message);
  }

  @Override
  public void powerCycle() throws TransportException {
    control("KRST", new byte[0]);
  }

  private synchronized byte[] frame(byte[] request) throws TransportException {
    checkOpen();
    try {
      frames.send(request);
      return readReply();
    } catch (IOException e) {
      throw lost(e);
    }
  }

  /**
   * Pipelined: window after window of frames, each window sent with one write before the replies
   * to the previous one are read. A {@code KERR} reply fails the whole call (after the replies
   * already on their way are read, so the connection stays in step); a broken connection closes
   * the transport, since the replies in flight can no longer be matched to their requests.
   */
  @Override
  public synchronized List<byte[]> exchangeAll(List<byte[]> requests) throws TransportException {
    checkOpen();
    if (requests.isEmpty()) {
      return List.of();
    }
    List<byte[]> replies = new ArrayList<>(requests.size());
    String refusal = null;
    try {
      int sent = queueWindow(requests, 0);
      frames.flush();
      while (replies.size() < requests.size()) {
        int inFlight = sent;
        if (refusal == null && sent < requests.size()) {
          sent = queueWindow(requests, sent);
          frames.flush();
        }
        while (replies.size() < inFlight) {
          byte[] reply = readReply();
          if (refusal == null && startsWith(reply, ERROR)) {
            refusal = text(reply);
          }
          replies.add(reply);
        }
        if (refusal != null && replies.size() == sent) {
          break;
        }
      }
    } catch (IOException e) {
      closeQuietly(socket, e);
      closed = true;
      throw lost(e);
    } catch (TransportException e) {
      closeQuietly(socket, e);
      closed = true;
      throw e;
    }
    if (refusal != null) {
      throw new TransportException(description + ": " + refusal);
    }
    return replies;
  }

  /** Queues frames from {@code from} up to {@link #WINDOW_BYTES} (at least one); the next index. */
  private int queueWindow(List<byte[]> requests, int from) {
    int next = from;
    do {
      frames.queue(requests.get(next++));
    } while (next < requests.size()
        && frames.queuedBytes() + 4 + requests.get(next).length <= WINDOW_BYTES);
    return next;
  }

  private byte[] readReply() throws IOException, TransportException {
    try {
      byte[] reply = frames.read(MAX_FRAME);
      if (reply == null) {
        throw new EOFException();
      }
      return reply;
    } catch (FrameStream.FrameLengthException e) {
      throw new TransportException(
          description + ": malformed reply frame of " + e.length() + " bytes", e);
    }
  }

  private void checkOpen() throws TransportException {
    if (closed) {
      throw new TransportException(description + ": connection is closed");
    }
  }

  private TransportException lost(IOException e) {
    if (e instanceof SocketTimeoutException) {
      return new TransportException(description + ": timeout: the device did not answer", e);
    }
    if (e instanceof EOFException) {
      return new TransportException(description + ": the device closed the connection", e);
    }
    return new TransportException(
        description + ": connection to the device lost (" + e.getMessage() + ")", e);
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public synchronized void close() throws TransportException {
    if (!closed) {
      closed = true;
      try {
        socket.close();
      } catch (IOException e) {
        throw new TransportException(description + ": closing the connection failed", e);
      }
    }
  }
}
