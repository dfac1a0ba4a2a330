package dev.kiln.burner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DeviceUriTest {

  @Test
  void parsesTheFourKinds() {
    assertEquals(new DeviceUri.Emulated(Path.of("/tmp/dev0")), DeviceUri.parse("emu:/tmp/dev0"));
    assertEquals(new DeviceUri.Tcp("127.0.0.1", 4711), DeviceUri.parse("tcp://127.0.0.1:4711"));
    assertEquals(new DeviceUri.Tcp("::1", 4711), DeviceUri.parse("tcp://[::1]:4711/"));
    assertEquals(new DeviceUri.Pci("0000:03:00.0"), DeviceUri.parse("pci:0000:03:00.0"));
    assertEquals(new DeviceUri.Pci("0000:3b:00.1"), DeviceUri.parse("pci:3B:00.1"));
    assertEquals("tcp://[::1]:4711", DeviceUri.parse("tcp://[::1]:4711").text());
    assertEquals(new DeviceUri.Replay(Path.of("../shared/q.json")),
        DeviceUri.parse("replay:../shared/q.json"));
    assertEquals("replay:q.kilnrec", DeviceUri.parse("replay:q.kilnrec").text());
    assertEquals(
        new DeviceUri.Tcp("127.0.0.1", 4711, Path.of("/tmp/dev0/daemon.token")),
        DeviceUri.parse("tcp://127.0.0.1:4711?token-file=/tmp/dev0/daemon.token"));
    assertEquals(
        "tcp://127.0.0.1:4711",
        DeviceUri.parse("tcp://127.0.0.1:4711/?token-file=/tmp/t").text(),
        "the token file is not part of the device's name");
  }

  @Test
  void refusesWithAMessageThatSaysWhatIsAccepted() {
    for (String bad :
        new String[] {"", "emu:", "tcp://host", "tcp://h:0", "tcp://h:70000", "pci:3:0.0",
          "pci:0000:03:20.0", "usb:1", "/dev/mst/mt4125", "replay:"}) {
      IllegalArgumentException failure =
          assertThrows(IllegalArgumentException.class, () -> DeviceUri.parse(bad), bad);
      assertTrue(failure.getMessage().contains("expected"), failure.getMessage());
    }
  }
}
