package dev.kiln.burner;

import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a device is, as the {@code --device} option spells it:
 *
 * <ul>
 *   <li>{@code emu:DIR} - an emulated device whose state lives in directory DIR, run in-process;
 *   <li>{@code tcp://HOST:PORT[?token-file=FILE]} - the emulator daemon ({@code kiln device
 *       serve}); HOST is an IP literal or a name, PORT 1..65535; FILE is the daemon's token file
 *       ({@code DIR/daemon.token}, also given by {@code --token-file});
 *   <li>{@code pci:DDDD:BB:DD.F} - a real adapter through its PCI configuration gateway; a bare
 *       {@code BB:DD.F} means domain 0000;
 *   <li>{@code replay:FILE} - a recorded session answering from FILE (a {@code --record}
 *       recording or a JSON ICMD transcript; see {@link dev.kiln.burner.replay.ReplayTransport}).
 * </ul>
 */
public sealed interface DeviceUri
    permits DeviceUri.Emulated, DeviceUri.Tcp, DeviceUri.Pci, DeviceUri.Replay {

  /** The URI as the user would type it. */
  String text();

  /** An in-process emulated device. */
  record Emulated(Path directory) implements DeviceUri {
    @Override
    public String text() {
      return "emu:" + directory;
    }
  }

  /**
   * The emulator daemon on a TCP port.
   *
   * @param tokenFile the daemon's token file, or null when not named (yet)
   */
  record Tcp(String host, int port, Path tokenFile) implements DeviceUri {
    public Tcp {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("TCP port out of range: " + port);
      }
    }

    public Tcp(String host, int port) {
      this(host, port, null);
    }

    /** The same daemon with {@code file} as its token file. */
    public Tcp withTokenFile(Path file) {
      return new Tcp(host, port, file);
    }

    @Override
    public String text() {
      // Without the token file: the text names the device in messages and logs.
      return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** A PCI function, by its full domain:bus:device.function address (lower case). */
  record Pci(String bdf) implements DeviceUri {
    @Override
    public String text() {
      return "pci:" + bdf;
    }
  }

  /** A recorded session, answered from a file (read-only). */
  record Replay(Path file) implements DeviceUri {
    @Override
    public String text() {
      return "replay:" + file;
    }
  }

  /** {@code tcp://host:port}, with an optional trailing slash; IPv6 hosts in brackets. */
  Pattern TCP =
      Pattern.compile(
          "tcp://(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):([0-9]{1,5})/?(?:\\?token-file=(.+))?");

  /** {@code [domain:]bus:device.function}. */
  Pattern PCI =
      Pattern.compile("(?:([0-9a-fA-F]{4}):)?([0-9a-fA-F]{2}):([0-1][0-9a-fA-F])\\.([0-7])");

  /**
   * Parses a device URI.
   *
   * @throws IllegalArgumentException with a message that says what is accepted
   */
  static DeviceUri parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty device; " + EXPECTED);
    }
    if (text.startsWith("emu:")) {
      String dir = text.substring("emu:".length());
      if (dir.isEmpty()) {
        throw new IllegalArgumentException(
            "'emu:' needs a directory; expected emu:DIR, e.g. emu:/tmp/dev0");
      }
      return new Emulated(Path.of(dir));
    }
    if (text.startsWith("tcp:")) {
      Matcher matcher = TCP.matcher(text);
      if (!matcher.matches()) {
        throw new IllegalArgumentException(
            "'" + text
                + "' is not a TCP device; expected tcp://HOST:PORT[?token-file=FILE], e.g."
                + " tcp://127.0.0.1:4711?token-file=/tmp/dev0/daemon.token");
      }
      String host = matcher.group(1);
      if (host.startsWith("[")) {
        host = host.substring(1, host.length() - 1);
      }
      int port = Integer.parseInt(matcher.group(2));
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            "'" + text + "': TCP port must be 1..65535; expected tcp://HOST:PORT");
      }
      return new Tcp(host, port, matcher.group(3) == null ? null : Path.of(matcher.group(3)));
    }
    if (text.startsWith("pci:")) {
      Matcher matcher = PCI.matcher(text.substring("pci:".length()));
      if (!matcher.matches()) {
        throw new IllegalArgumentException(
            "'" + text
                + "' is not a PCI address; expected pci:DDDD:BB:DD.F, e.g. pci:0000:03:00.0");
      }
      String domain = matcher.group(1) == null ? "0000" : matcher.group(1);
      String bdf =
          String.format(
              "%s:%s:%s.%s", domain, matcher.group(2), matcher.group(3), matcher.group(4));
      return new Pci(bdf.toLowerCase(Locale.ROOT));
    }
    if (text.startsWith("replay:")) {
      String file = text.substring("replay:".length());
      if (file.isEmpty()) {
        throw new IllegalArgumentException(
            "'replay:' needs a file; expected replay:FILE, e.g. replay:session.kilnrec");
      }
      return new Replay(Path.of(file));
    }
    throw new IllegalArgumentException("unknown device '" + text + "'; " + EXPECTED);
  }

  /** What {@link #parse} accepts, for messages. */
  String EXPECTED = "expected emu:DIR, tcp://HOST:PORT, pci:DDDD:BB:DD.F or replay:FILE";
}
