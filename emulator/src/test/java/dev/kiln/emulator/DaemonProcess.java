package dev.kiln.emulator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The emulator daemon as a real child JVM (so a test can {@code kill -9} it). */
final class DaemonProcess implements AutoCloseable {
  final Process process;
  final int port;
  final Path dir;

  private DaemonProcess(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** Starts {@link DeviceServer#main} on port 0 with extra arguments; waits for its port. */
  static DaemonProcess start(Path dir, String... extra) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xshare:auto");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(DeviceServer.class.getName());
    command.add(dir.toString());
    command.add("--listen");
    command.add("127.0.0.1:0");
    command.addAll(List.of(extra));
    java.io.File errors = java.io.File.createTempFile("kiln-daemon", ".err");
    errors.deleteOnExit();
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.to(errors)).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith("listening on ")) {
      process.destroyForcibly();
      String stderr = java.nio.file.Files.readString(errors.toPath(), StandardCharsets.UTF_8);
      throw new IOException(
          "daemon did not start: " + line + "; stderr: "
              + stderr.substring(0, Math.min(stderr.length(), 2000)));
    }
    int port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).trim());
    return new DaemonProcess(process, port, dir);
  }

  DaemonClient connect() throws Exception {
    return DaemonClient.connect(
        "127.0.0.1", port, 30_000, dir.resolve(WireProtocol.TOKEN_FILE));
  }

  /** {@code kill -9}, then wait for the process to be gone. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    kill();
  }
}
