package dev.kiln.pipeline.cli;

import dev.kiln.emulator.DaemonLimits;
import dev.kiln.emulator.DeviceServer;
import dev.kiln.emulator.EmulatedDevice;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kiln device serve DIR --listen 127.0.0.1:PORT}: serves an emulated device directory on a
 * loopback TCP port (wire protocol in docs/emulator.md) until the process is stopped. Port 0 picks
 * a free port; the line {@code listening on HOST:PORT} says which. The state is on disk, so
 * {@code kill -9} and a restart is a power cycle. Clients authenticate with the token the daemon
 * writes to {@code DIR/daemon.token} (owner-only); the second line printed names that file.
 * Limits (connections, timeouts, frame size) are {@link DaemonLimits}, documented in
 * docs/emulator.md "Limits".
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve an emulated device over loopback TCP (length-prefixed register envelopes).",
      "Prints 'listening on HOST:PORT' when ready and runs until stopped."
    })
public final class DeviceServeCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "Device directory (kiln device init).")
  Path dir;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:0",
      description = "Loopback address and port; port 0 picks one (default ${DEFAULT-VALUE}).")
  String listen;

  @Option(
      names = "--record",
      paramLabel = "FILE",
      description = "Record every register transaction to FILE (docs/emulator.md, Recordings).")
  Path record;

  @Option(
      names = "--lock-timeout",
      paramLabel = "SECONDS",
      defaultValue = "300",
      description =
          "Idle time after which a locked update handle is freed (default ${DEFAULT-VALUE}).")
  long lockTimeoutSeconds;

  @Option(
      names = "--max-clients",
      paramLabel = "N",
      defaultValue = "64",
      description = "Authenticated connections served at once (default ${DEFAULT-VALUE}).")
  int maxClients;

  @Option(
      names = "--read-timeout",
      paramLabel = "SECONDS",
      defaultValue = "300",
      description =
          "A client silent this long is disconnected and its lock released (default"
              + " ${DEFAULT-VALUE}).")
  long readTimeoutSeconds;

  @Option(
      names = "--flash-not-present",
      description = "Boot as with the flash-not-present jumper: flash recovery (livefish) mode.")
  boolean flashNotPresent;

  @Override
  public Integer call() throws IOException {
    int colon = listen.lastIndexOf(':');
    if (colon <= 0) {
      throw new CommandFailure(ExitCodes.USAGE, "--listen wants HOST:PORT, got " + listen);
    }
    int port;
    InetAddress address;
    try {
      port = Integer.parseInt(listen.substring(colon + 1));
      address = InetAddress.getByName(listen.substring(0, colon));
    } catch (NumberFormatException | UnknownHostException e) {
      throw new CommandFailure(ExitCodes.USAGE, "--listen wants HOST:PORT, got " + listen);
    }
    if (port < 0 || port > 65535) {
      throw new CommandFailure(ExitCodes.USAGE, "--listen: port " + port + " out of range");
    }
    if (!address.isLoopbackAddress()) {
      throw new CommandFailure(
          ExitCodes.USAGE,
          "--listen: " + address.getHostAddress() + " is not a loopback address; the emulator"
              + " serves loopback only");
    }
    if (lockTimeoutSeconds <= 0) {
      throw new CommandFailure(ExitCodes.USAGE, "--lock-timeout must be positive");
    }
    if (maxClients < 1 || readTimeoutSeconds <= 0) {
      throw new CommandFailure(
          ExitCodes.USAGE, "--max-clients and --read-timeout must be positive");
    }
    DaemonLimits limits =
        DaemonLimits.DEFAULTS
            .withMaxClients(maxClients)
            .withReadTimeout(Duration.ofSeconds(readTimeoutSeconds));
    EmulatedDevice.Options options =
        EmulatedDevice.Options.defaults()
            .withLockTimeout(Duration.ofSeconds(lockTimeoutSeconds))
            .withFlashNotPresent(flashNotPresent);
    if (record != null) {
      options = options.withRecording(record);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (EmulatedDevice device = EmulatedDevice.open(dir, options);
        DeviceServer server = DeviceServer.start(device, address, port, limits)) {
      out.println("listening on " + server.address());
      out.println("token file " + server.tokenFile());
      out.println(device.identify().toLine());
      out.flush();
      server.awaitTermination();
    } catch (InterruptedException e) {
      // Stopped (Ctrl-C ends the JVM; in-process callers interrupt the thread).
      Thread.currentThread().interrupt();
    }
    return ExitCodes.OK;
  }
}
