package dev.kiln.emulator;

import dev.kiln.registers.FrameStream;
import dev.kiln.registers.TransportException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Serves an {@link EmulatedDevice} on a loopback TCP port with the framing of {@link
 * WireProtocol}: one thread per connection, each connection its own client (lock owner). The
 * device state is on disk, so killing the process at any instant and starting it again is a power
 * cycle.
 *
 * <p>Held under load and against other local users ({@link DaemonLimits}, docs/emulator.md
 * "Limits"): every connection must first present the token of {@link DaemonToken} (written to
 * the device directory, owner-only); unauthenticated connections have a deadline, a cap (the
 * oldest is dropped to admit a new one) and a 256-byte first frame; authenticated ones a cap and a
 * read timeout; a frame's declared length is checked against {@link WireProtocol#MAX_FRAME}
 * before anything is allocated, and the body is then read as it arrives (a stalled sender costs
 * nothing). Frames are read and written through {@link FrameStream}: one read takes a whole batch
 * of pipelined requests, and their replies go out in one write. When a connection ends for any reason, an update handle it holds is released, so a
 * host killed in the middle of a burn does not leave the device locked until the idle timeout.
 */
public final class DeviceServer implements AutoCloseable {
  /** Replies queued before they are written even while more requests are buffered. */
  private static final int FLUSH_BYTES = 64 * 1024;

  /** Stack of a connection thread: it only frames bytes; the device work is shallow. */
  private static final long WORKER_STACK_BYTES = 256 * 1024;

  private final EmulatedDevice device;
  private final ServerSocket socket;
  private final DaemonLimits limits;
  private final DaemonToken token;
  private final Path tokenFile;
  private final Thread acceptor;
  /** Connections still to authenticate, oldest first. */
  private final Deque<Socket> unauthenticated = new ArrayDeque<>();
  /** Authenticated connections. */
  private final Set<Socket> clients = new HashSet<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean closing;

  private DeviceServer(
      EmulatedDevice device, ServerSocket socket, DaemonLimits limits, DaemonToken token) {
    this.device = device;
    this.socket = socket;
    this.limits = limits;
    this.token = token;
    this.tokenFile = device.directory().resolve(WireProtocol.TOKEN_FILE);
    this.acceptor = new Thread(this::acceptLoop, "kiln-device-accept");
    acceptor.setDaemon(true);
  }

  /**
   * Starts serving on {@code address:port} (port 0 picks a free one) with the default limits.
   *
   * @throws IllegalArgumentException when the address is not a loopback address
   */
  public static DeviceServer start(EmulatedDevice device, InetAddress address, int port)
      throws IOException {
    return start(device, address, port, DaemonLimits.DEFAULTS);
  }

  /**
   * Starts serving with {@code limits}; writes a fresh token file into the device directory first.
   *
   * @throws IllegalArgumentException when the address is not a loopback address
   */
  public static DeviceServer start(
      EmulatedDevice device, InetAddress address, int port, DaemonLimits limits)
      throws IOException {
    if (!address.isLoopbackAddress()) {
      throw new IllegalArgumentException(
          address.getHostAddress()
              + " is not a loopback address; the emulator serves loopback only");
    }
    DaemonToken token = DaemonToken.create(device.directory());
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(address, port), 128);
    DeviceServer server = new DeviceServer(device, socket, limits, token);
    server.acceptor.start();
    return server;
  }

  /** The port actually bound. */
  public int port() {
    return socket.getLocalPort();
  }

  /** {@code host:port} as bound. */
  public String address() {
    return socket.getInetAddress().getHostAddress() + ":" + port();
  }

  /** The token file clients read ({@code DIR/daemon.token}). */
  public Path tokenFile() {
    return tokenFile;
  }

  /** The token as clients present it. */
  public byte[] token() {
    return token.text();
  }

  /** Connections open now: {authenticated, still to authenticate}. */
  public int[] connectionCounts() {
    synchronized (clients) {
      return new int[] {clients.size(), unauthenticated.size()};
    }
  }

  /** Blocks until {@link #close()} is called. */
  public void awaitTermination() throws InterruptedException {
    stopped.await();
  }

  @Override
  public void close() throws IOException {
    closing = true;
    socket.close();
    List<Socket> open;
    synchronized (clients) {
      open = new ArrayList<>(clients);
      open.addAll(unauthenticated);
    }
    for (Socket connection : open) {
      closeQuietly(connection);
    }
    stopped.countDown();
  }

  private void acceptLoop() {
    while (!closing) {
      Socket connection;
      try {
        connection = socket.accept();
      } catch (IOException e) {
        if (closing) {
          return;
        }
        // EMFILE and the like: back off briefly instead of spinning, then keep serving.
        try {
          Thread.sleep(50);
        } catch (InterruptedException interrupted) {
          return;
        }
        continue;
      }
      Socket evicted = null;
      synchronized (clients) {
        if (unauthenticated.size() >= limits.maxUnauthenticated()) {
          evicted = unauthenticated.pollFirst();
        }
        unauthenticated.addLast(connection);
      }
      if (evicted != null) {
        closeQuietly(evicted);
      }
      int client = device.newClientId();
      Thread worker =
          new Thread(
              null, () -> serve(connection, client), "kiln-device-client-" + client,
              WORKER_STACK_BYTES);
      worker.setDaemon(true);
      try {
        worker.start();
      } catch (OutOfMemoryError e) {
        // No thread to serve it (native limit): refuse this connection, keep the daemon.
        synchronized (clients) {
          unauthenticated.remove(connection);
        }
        closeQuietly(connection);
      }
    }
  }

  private void serve(Socket connection, int client) {
    boolean authenticated = false;
    try (connection) {
      connection.setTcpNoDelay(true);
      connection.setSoTimeout(DaemonLimits.millis(limits.authTimeout()));
      // A small read buffer until the peer is admitted: a flood of unauthenticated connections
      // (held up to the cap) costs a few hundred bytes each, not a full frame buffer.
      FrameStream frames =
          new FrameStream(connection.getInputStream(), connection.getOutputStream(),
              4 + WireProtocol.MAX_AUTH_FRAME);
      byte[] first = frames.read(WireProtocol.MAX_AUTH_FRAME);
      if (first == null) {
        return;
      }
      String refusal = admit(connection, first);
      if (refusal != null) {
        frames.send(error(refusal));
        return;
      }
      authenticated = true;
      connection.setSoTimeout(DaemonLimits.millis(limits.readTimeout()));
      frames.enlargeReadBuffer(FrameStream.READ_BUFFER);
      frames.send(ok(new byte[0]));
      while (true) {
        byte[] body = frames.read(WireProtocol.MAX_FRAME);
        if (body == null) {
          return;
        }
        frames.queue(answer(client, body));
        // Replies to pipelined requests leave together once no further request is buffered
        // (one write for a batch); a bound keeps a flood of large replies from piling up.
        if (!frames.hasBufferedFrame() || frames.queuedBytes() >= FLUSH_BYTES) {
          frames.flush();
        }
      }
    } catch (IOException e) {
      // Reset, timeout, server closing: the client is gone.
    } finally {
      synchronized (clients) {
        if (!unauthenticated.remove(connection)) {
          clients.remove(connection);
        }
      }
      if (authenticated) {
        device.releaseClient(client);
      }
    }
  }

  /**
   * Checks the first frame and moves the connection among the authenticated ones.
   *
   * @return null when admitted, else the reason to refuse
   */
  private String admit(Socket connection, byte[] first) {
    if (!WireProtocol.hasTag(first, WireProtocol.AUTHENTICATE)) {
      return "authentication required: present the daemon token first (KAUT)";
    }
    byte[] presented = Arrays.copyOfRange(first, 4, first.length);
    if (!token.matches(presented)) {
      return "authentication failed: wrong daemon token";
    }
    synchronized (clients) {
      if (!unauthenticated.remove(connection)) {
        return "connection dropped while authenticating";
      }
      if (clients.size() >= limits.maxClients()) {
        return "too many connections (" + limits.maxClients() + " clients served); retry later";
      }
      clients.add(connection);
      return null;
    }
  }

  private static void closeQuietly(Socket connection) {
    try {
      connection.close();
    } catch (IOException e) {
      // Closing to drop it; nothing more to do.
    }
  }

  private byte[] answer(int client, byte[] body) {
    try {
      if (!WireProtocol.isControl(body)) {
        return device.exchange(client, body);
      }
      ByteBuffer args = ByteBuffer.wrap(body, 4, body.length - 4).slice();
      if (WireProtocol.hasTag(body, WireProtocol.PLDM)) {
        return ok(device.pldm(client, Arrays.copyOfRange(body, 4, body.length)));
      }
      if (WireProtocol.hasTag(body, WireProtocol.IDENTIFY)) {
        return ok(device.identify().toLine().getBytes(StandardCharsets.UTF_8));
      }
      if (WireProtocol.hasTag(body, WireProtocol.POWER_CYCLE)) {
        device.powerCycle();
        return ok(new byte[0]);
      }
      if (WireProtocol.hasTag(body, WireProtocol.GATEWAY_READ)) {
        long address = args.getLong();
        int length = args.getInt();
        if (length < 0 || length > WireProtocol.MAX_FRAME - 4) {
          return error("gateway read of " + length + " bytes: at most "
              + (WireProtocol.MAX_FRAME - 4) + " per frame");
        }
        return ok(device.gatewayRead(address, length));
      }
      if (WireProtocol.hasTag(body, WireProtocol.GATEWAY_WRITE)) {
        long address = args.getLong();
        byte[] data = new byte[args.remaining()];
        args.get(data);
        device.gatewayWrite(address, data);
        return ok(new byte[0]);
      }
      if (WireProtocol.hasTag(body, WireProtocol.GATEWAY_BOOT_IMAGE)) {
        device.gatewaySetImage(args.getInt(), args.getInt());
        return ok(new byte[0]);
      }
      return error("unknown control frame");
    } catch (TransportException | IOException | RuntimeException e) {
      return error(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    } catch (LinkageError e) {
      // A class that cannot be loaded (say, a jar replaced under a running daemon): answer with
      // the reason instead of dropping the connection without a word.
      return error("internal error: " + e);
    }
  }

  private static byte[] ok(byte[] data) {
    byte[] out = new byte[4 + data.length];
    System.arraycopy(WireProtocol.OK, 0, out, 0, 4);
    System.arraycopy(data, 0, out, 4, data.length);
    return out;
  }

  private static byte[] error(String message) {
    byte[] text = message.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[4 + text.length];
    System.arraycopy(WireProtocol.ERROR, 0, out, 0, 4);
    System.arraycopy(text, 0, out, 4, text.length);
    return out;
  }

  /**
   * Runs a daemon from the command line (tests start it as a child JVM; {@code kiln device serve}
   * is the user-facing form): {@code DIR [--listen HOST:PORT] [--record FILE] [--lock-timeout
   * SECONDS] [--flash-not-present] [--halt-at FAULT_POINT] [--max-clients N] [--read-timeout
   * SECONDS] [--auth-timeout SECONDS]}. Prints {@code listening on HOST:PORT} once ready.
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: DeviceServer DIR [--listen HOST:PORT] [options]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    String listen = "127.0.0.1:0";
    EmulatedDevice.Options options = EmulatedDevice.Options.defaults();
    DaemonLimits limits = DaemonLimits.DEFAULTS;
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--max-clients" -> limits = limits.withMaxClients(Integer.parseInt(args[++i]));
        case "--read-timeout" ->
            limits = limits.withReadTimeout(Duration.ofSeconds(Long.parseLong(args[++i])));
        case "--auth-timeout" ->
            limits = limits.withAuthTimeout(Duration.ofSeconds(Long.parseLong(args[++i])));
        case "--listen" -> listen = args[++i];
        case "--record" -> options = options.withRecording(Path.of(args[++i]));
        case "--lock-timeout" ->
            options = options.withLockTimeout(Duration.ofSeconds(Long.parseLong(args[++i])));
        case "--flash-not-present" -> options = options.withFlashNotPresent(true);
        case "--halt-at" ->
            options =
                options.withFaults(
                    FaultInjector.haltAt(
                        FaultPoint.valueOf(args[++i].toUpperCase(Locale.ROOT).replace('-', '_'))));
        default -> {
          System.err.println("unknown option " + args[i]);
          System.exit(2);
        }
      }
    }
    run(dir, listen, options, limits, System.out);
  }

  /** Opens the device, serves it and blocks until the process ends. */
  public static void run(
      Path dir, String listen, EmulatedDevice.Options options, DaemonLimits limits,
      PrintStream out) throws IOException, InterruptedException {
    int colon = listen.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("--listen wants HOST:PORT, got " + listen);
    }
    InetAddress address = InetAddress.getByName(listen.substring(0, colon));
    int port = Integer.parseInt(listen.substring(colon + 1));
    EmulatedDevice device = EmulatedDevice.open(dir, options);
    try (DeviceServer server = start(device, address, port, limits)) {
      out.println("listening on " + server.address());
      out.println("token file " + server.tokenFile());
      out.flush();
      server.awaitTermination();
    } finally {
      device.close();
    }
  }
}
