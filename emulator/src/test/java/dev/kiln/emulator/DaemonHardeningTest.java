package dev.kiln.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.registers.FsmState;
import dev.kiln.registers.TransportException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon against hostile or careless peers: the token (file mode, missing, wrong, another
 * uid), the connection caps, timeouts, frame sizes, and the release of a lock whose connection
 * ended.
 */
class DaemonHardeningTest {
  @TempDir static Path work;
  static byte[] image;

  @TempDir Path dir;
  EmulatedDevice device;
  DeviceServer server;

  @BeforeAll
  static void images() throws Exception {
    image = TestImages.build(work, TestImages.spec(22, 41, 1000));
  }

  @BeforeEach
  void open() throws Exception {
    EmulatedDevice.create(dir, TestImages.identity(), image);
    device = EmulatedDevice.open(dir);
  }

  @AfterEach
  void close() throws Exception {
    if (server != null) {
      server.close();
    }
    device.close();
  }

  private void serve(DaemonLimits limits) throws IOException {
    server = DeviceServer.start(device, InetAddress.getLoopbackAddress(), 0, limits);
  }

  private DaemonClient client() throws TransportException {
    return DaemonClient.connect("127.0.0.1", server.port(), 10_000, server.tokenFile());
  }

  /** A raw socket that sends one frame and returns the reply frame (null when closed instead). */
  private static String rawExchange(Socket socket, byte[] body) throws IOException {
    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
    out.writeInt(body.length);
    out.write(body);
    out.flush();
    return readReply(socket);
  }

  private static String readReply(Socket socket) throws IOException {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    int length;
    try {
      length = in.readInt();
    } catch (IOException e) {
      return null;
    }
    return new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  private static boolean closedByPeer(Socket socket) throws IOException {
    socket.setSoTimeout(20_000);
    try {
      return socket.getInputStream().read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  @Test
  void theTokenFileIsOwnerOnlyAndNewAtEveryStart() throws Exception {
    serve(DaemonLimits.DEFAULTS);
    Path file = dir.resolve(WireProtocol.TOKEN_FILE);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    String first = Files.readString(file).trim();
    assertEquals(64, first.length());
    server.close();
    serve(DaemonLimits.DEFAULTS);
    assertNotEquals(first, Files.readString(file).trim());
    try (DaemonClient client = client()) {
      assertTrue(client.identify().startsWith("mode=secure_fw"));
    }
  }

  @Test
  void noTokenAWrongTokenOrAnOversizedFirstFrameIsRefusedAndClosed() throws Exception {
    serve(DaemonLimits.DEFAULTS);
    long bootsBefore = device.nvState().bootCount();
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      String reply = rawExchange(socket, "KRST".getBytes(StandardCharsets.US_ASCII));
      assertTrue(reply.startsWith("KERR") && reply.contains("authentication required"), reply);
      assertTrue(closedByPeer(socket));
    }
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      byte[] wrong = ("KAUT" + "0".repeat(64)).getBytes(StandardCharsets.US_ASCII);
      String reply = rawExchange(socket, wrong);
      assertTrue(reply.startsWith("KERR") && reply.contains("wrong daemon token"), reply);
      assertTrue(closedByPeer(socket));
    }
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      // Declares 1 GiB: closed at once, nothing allocated, nothing answered.
      new DataOutputStream(socket.getOutputStream()).writeInt(1 << 30);
      assertTrue(closedByPeer(socket));
    }
    TransportException refused =
        assertThrows(
            TransportException.class,
            () -> DaemonClient.connect("127.0.0.1", server.port(), 10_000, new byte[64]));
    assertTrue(refused.getMessage().contains("wrong daemon token"), refused.getMessage());
    assertEquals(bootsBefore, device.nvState().bootCount(), "nobody power-cycled the device");
  }

  @Test
  void aFrameAboveTheLimitClosesOnlyThatConnection() throws Exception {
    serve(DaemonLimits.DEFAULTS);
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      byte[] auth = new byte[4 + 64];
      System.arraycopy(WireProtocol.AUTHENTICATE, 0, auth, 0, 4);
      System.arraycopy(server.token(), 0, auth, 4, 64);
      assertEquals("KOK ", rawExchange(socket, auth));
      new DataOutputStream(socket.getOutputStream()).writeInt(WireProtocol.MAX_FRAME + 1);
      assertTrue(closedByPeer(socket));
    }
    try (DaemonClient client = client()) {
      assertTrue(client.identify().startsWith("mode=secure_fw"));
    }
  }

  @Test
  void clientsAboveTheCapAreRefusedAndSilentPeersAreDisplaced() throws Exception {
    serve(DaemonLimits.DEFAULTS.withMaxClients(2).withMaxUnauthenticated(3));
    List<Socket> silent = new ArrayList<>();
    DaemonClient first = client();
    try (DaemonClient second = client()) {
      TransportException third = assertThrows(TransportException.class, this::client);
      assertTrue(third.getMessage().contains("too many connections"), third.getMessage());
      first.close();
      // Ten silent connections, three at most kept: a real client still gets in.
      for (int i = 0; i < 10; i++) {
        silent.add(new Socket("127.0.0.1", server.port()));
      }
      waitUntil(() -> server.connectionCounts()[1] <= 3 && server.connectionCounts()[0] == 1);
      try (DaemonClient again = client()) {
        assertTrue(again.identify().startsWith("mode=secure_fw"));
        assertTrue(second.identify().startsWith("mode=secure_fw"));
      }
    } finally {
      for (Socket socket : silent) {
        socket.close();
      }
    }
  }

  @Test
  void silentConnectionsAreClosedAfterTheirTimeouts() throws Exception {
    serve(
        DaemonLimits.DEFAULTS
            .withAuthTimeout(Duration.ofSeconds(1))
            .withReadTimeout(Duration.ofSeconds(1)));
    try (Socket unauthenticated = new Socket("127.0.0.1", server.port());
        Socket authenticated = new Socket("127.0.0.1", server.port())) {
      byte[] auth = new byte[4 + 64];
      System.arraycopy(WireProtocol.AUTHENTICATE, 0, auth, 0, 4);
      System.arraycopy(server.token(), 0, auth, 4, 64);
      assertEquals("KOK ", rawExchange(authenticated, auth));
      // Half a frame, then silence: the stall does not keep the connection.
      new DataOutputStream(authenticated.getOutputStream()).writeInt(1000);
      assertTrue(closedByPeer(unauthenticated));
      assertTrue(closedByPeer(authenticated));
    }
  }

  @Test
  void aLockHeldByAConnectionThatEndsIsReleasedAtOnce() throws Exception {
    serve(DaemonLimits.DEFAULTS);
    byte[] component = TestImages.component(image);
    try (DaemonClient burner = client()) {
      SimpleHost host = new SimpleHost(burner);
      int handle = host.lock();
      host.download(handle, EmulatedDevice.INDEX_BOOT_IMG, java.util.Arrays.copyOf(component,
          component.length));
      assertEquals(FsmState.DOWNLOAD, device.fsmState());
    }
    waitUntil(() -> device.fsmState() == FsmState.IDLE);
    try (DaemonClient next = client()) {
      SimpleHost host = new SimpleHost(next);
      assertEquals(dev.kiln.registers.MccErrorCode.OK, host.burn(component));
    }
  }

  @Test
  void aLockOfAnotherLiveConnectionIsKept() throws Exception {
    serve(DaemonLimits.DEFAULTS);
    try (DaemonClient owner = client()) {
      new SimpleHost(owner).lock();
      try (DaemonClient other = client()) {
        other.identify();
      }
      Thread.sleep(200);
      assertEquals(FsmState.LOCKED, device.fsmState(), "another client's exit frees nothing");
    }
  }

  /**
   * A process under uid 65534 (nobody) on the same machine: it cannot read the token file even
   * though the device directory is open to everyone, and the daemon refuses it without the token.
   */
  @Test
  void anUnprivilegedUserIsRefused() throws Exception {
    serve(DaemonLimits.DEFAULTS);
    // Open the test's own directories to everyone (never the temp root itself): only the token
    // file's mode then stands between the other user and the token.
    Path root = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
    for (Path p = dir.toAbsolutePath().normalize();
        p != null && p.startsWith(root) && !p.equals(root);
        p = p.getParent()) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Path token = server.tokenFile();
    long bootsBefore = device.nvState().bootCount();
    String script =
        "if cat '" + token + "' >/dev/null 2>&1; then echo TOKEN-READ; else echo NO-TOKEN; fi\n"
            + "exec 3<>/dev/tcp/127.0.0.1/" + server.port() + "\n"
            + "printf '\\000\\000\\000\\004KRST' >&3\n"
            + "timeout 20 cat <&3\n";
    Process process =
        new ProcessBuilder(
                "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "bash", "-c",
                script)
            .redirectErrorStream(true)
            .start();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(output.contains("NO-TOKEN"), output);
    assertTrue(output.contains("KERR") && output.contains("authentication required"), output);
    assertEquals(bootsBefore, device.nvState().bootCount(), "the device was not power-cycled");
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within 20 s");
      }
      Thread.sleep(20);
    }
  }
}
