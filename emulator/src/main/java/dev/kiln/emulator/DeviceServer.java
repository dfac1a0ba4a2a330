package dev.kiln.emulator;

import dev.kiln.registers.TransportException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Serves an {@link EmulatedDevice} on a loopback TCP port with the framing of {@link
 * WireProtocol}: one thread per connection, each connection its own client (lock owner). The
 * device state is on disk, so killing the process at any instant and starting it again is a power
 * cycle.
 */
public final class DeviceServer implements AutoCloseable {
  private final EmulatedDevice device;
  private final ServerSocket socket;
  private final Thread acceptor;
  private final List<Socket> connections = new ArrayList<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean closing;

  private DeviceServer(EmulatedDevice device, ServerSocket socket) {
    this.device = device;
    this.socket = socket;
    this.acceptor = new Thread(this::acceptLoop, "kiln-device-accept");
    acceptor.setDaemon(true);
  }

  /**
   * Starts serving on {@code address:port} (port 0 picks a free one).
   *
   * @throws IllegalArgumentException when the address is not a loopback address
   */
  public static DeviceServer start(EmulatedDevice device, InetAddress address, int port)
      throws IOException {
    if (!address.isLoopbackAddress()) {
      throw new IllegalArgumentException(
          address.getHostAddress()
              + " is not a loopback address; the emulator serves loopback only");
    }
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(address, port));
    DeviceServer server = new DeviceServer(device, socket);
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

  /** Blocks until {@link #close()} is called. */
  public void awaitTermination() throws InterruptedException {
    stopped.await();
  }

  @Override
  public void close() throws IOException {
    closing = true;
    socket.close();
    synchronized (connections) {
      for (Socket connection : connections) {
        connection.close();
      }
    }
    stopped.countDown();
  }

  private void acceptLoop() {
    while (!closing) {
      Socket connection;
      try {
        connection = socket.accept();
      } catch (IOException e) {
        return;
      }
      synchronized (connections) {
        connections.add(connection);
      }
      int client = device.newClientId();
      Thread worker = new Thread(() -> serve(connection, client), "kiln-device-client-" + client);
      worker.setDaemon(true);
      worker.start();
    }
  }

  private void serve(Socket connection, int client) {
    try (connection) {
      connection.setTcpNoDelay(true);
      DataInputStream in =
          new DataInputStream(new BufferedInputStream(connection.getInputStream(), 1 << 16));
      DataOutputStream out =
          new DataOutputStream(new BufferedOutputStream(connection.getOutputStream(), 1 << 16));
      while (true) {
        int length;
        try {
          length = in.readInt();
        } catch (EOFException e) {
          return;
        }
        if (length < 0 || length > WireProtocol.MAX_FRAME) {
          return;
        }
        byte[] body = new byte[length];
        in.readFully(body);
        byte[] reply = answer(client, body);
        out.writeInt(reply.length);
        out.write(reply);
        out.flush();
      }
    } catch (SocketException e) {
      // Connection reset or server closing: the client is gone.
    } catch (IOException e) {
      // Same: nothing to answer to.
    } finally {
      synchronized (connections) {
        connections.remove(connection);
      }
    }
  }

  private byte[] answer(int client, byte[] body) {
    try {
      if (!WireProtocol.isControl(body)) {
        return device.exchange(client, body);
      }
      ByteBuffer args = ByteBuffer.wrap(body, 4, body.length - 4).slice();
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
   * SECONDS] [--flash-not-present] [--halt-at FAULT_POINT]}. Prints {@code listening on HOST:PORT}
   * once ready.
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: DeviceServer DIR [--listen HOST:PORT] [options]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    String listen = "127.0.0.1:0";
    EmulatedDevice.Options options = EmulatedDevice.Options.defaults();
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
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
    run(dir, listen, options, System.out);
  }

  /** Opens the device, serves it and blocks until the process ends. */
  public static void run(Path dir, String listen, EmulatedDevice.Options options, PrintStream out)
      throws IOException, InterruptedException {
    int colon = listen.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("--listen wants HOST:PORT, got " + listen);
    }
    InetAddress address = InetAddress.getByName(listen.substring(0, colon));
    int port = Integer.parseInt(listen.substring(colon + 1));
    EmulatedDevice device = EmulatedDevice.open(dir, options);
    try (DeviceServer server = start(device, address, port)) {
      out.println("listening on " + server.address());
      out.flush();
      server.awaitTermination();
    } finally {
      device.close();
    }
  }
}
