package dev.kiln.pipeline.cli;

import static dev.kiln.pipeline.cli.BurnTestImages.kiln;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.emulator.DaemonClient;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Mgir;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.RegisterStatus;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln device serve}: port 0, the register protocol over loopback, refusals. */
class DeviceServeCommandTest {
  @TempDir static Path work;
  static Path device;

  @BeforeAll
  static void build() throws Exception {
    Path image = BurnTestImages.signed(work, SampleFirmware.Spec.secure("22.41.1000"), "v1");
    device = BurnTestImages.device(work.resolve("dev"), image);
  }

  @Test
  void servesOnAPickedPortUntilStopped() throws Exception {
    PipedWriter pipe = new PipedWriter();
    java.io.BufferedReader lines = new java.io.BufferedReader(new PipedReader(pipe, 1 << 16));
    StringWriter err = new StringWriter();
    AtomicInteger exit = new AtomicInteger(-1);
    Thread serve =
        new Thread(
            () ->
                exit.set(
                    KilnCli.run(
                        new PrintWriter(pipe, true),
                        new PrintWriter(err, true),
                        "device", "serve", device.toString(), "--listen", "127.0.0.1:0")));
    serve.start();
    String first = lines.readLine();
    assertTrue(first.startsWith("listening on 127.0.0.1:"), first + err);
    assertEquals("token file " + device.resolve("daemon.token"), lines.readLine());
    assertTrue(lines.readLine().startsWith("mode=secure_fw pci_device_id=0x101d"));
    int port = Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
    Path token = device.resolve("daemon.token");
    try (DaemonClient client = DaemonClient.connect("127.0.0.1", port, 10_000, token)) {
      RegisterEnvelope reply =
          RegisterEnvelope.request(AccessRegister.MGIR, RegisterMethod.GET, new byte[Mgir.SIZE])
              .exchange(client);
      assertEquals(RegisterStatus.OK, reply.registerStatus());
      assertEquals("22.41.1000", Mgir.decode(reply.payload()).versionText());
    }
    // As docs/emulator.md shows it, and without the token file (refused before anything is sent).
    BurnTestImages.Run query =
        kiln("query", "--device", "tcp://127.0.0.1:" + port, "--token-file", token.toString());
    assertEquals(0, query.exitCode(), query.err());
    BurnTestImages.Run noToken = kiln("query", "--device", "tcp://127.0.0.1:" + port);
    assertEquals(ExitCodes.DEVICE, noToken.exitCode());
    assertTrue(noToken.err().contains("the daemon needs its token"), noToken.err());
    serve.interrupt();
    serve.join(10_000);
    assertEquals(0, exit.get(), err.toString());
  }

  @Test
  void refusesNonLoopbackAndBadArguments(@TempDir Path dir) {
    BurnTestImages.Run open =
        kiln("device", "serve", device.toString(), "--listen", "0.0.0.0:0");
    assertEquals(ExitCodes.USAGE, open.exitCode());
    assertTrue(open.err().contains("not a loopback address"), open.err());
    assertEquals(ExitCodes.USAGE,
        kiln("device", "serve", device.toString(), "--listen", "127.0.0.1").exitCode());
    assertEquals(ExitCodes.USAGE,
        kiln("device", "serve", device.toString(), "--listen", "127.0.0.1:70000").exitCode());
    BurnTestImages.Run missing = kiln("device", "serve", dir.resolve("none").toString());
    assertEquals(ExitCodes.UNREADABLE_INPUT, missing.exitCode(), missing.err());
    assertTrue(missing.err().contains("is not a device directory"), missing.err());
  }
}
