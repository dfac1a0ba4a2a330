package dev.kiln.burner.pci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.emulator.pci.EmulatedConfigSpace;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import dev.kiln.registers.pci.AddressSpace;
import dev.kiln.registers.pci.ConfigSpace;
import dev.kiln.registers.pci.VsecLayout;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The VSEC gateway and ICMD mailbox protocol against the emulated config space. The device behind
 * it here records each envelope and answers with the envelope's payload reversed, so the test sees
 * exactly what crossed the mailbox in both directions.
 */
class PciTransportTest {

  /** A device that records requests and answers with the payload bytes reversed. */
  static final class RecordingDevice implements RegisterTransport {
    final List<byte[]> requests = new ArrayList<>();

    @Override
    public byte[] exchange(byte[] request) {
      requests.add(request.clone());
      byte[] response = request.clone();
      for (int i = 20, j = response.length - 1; i < j; i++, j--) {
        byte swap = response[i];
        response[i] = response[j];
        response[j] = swap;
      }
      return response;
    }

    @Override
    public String describe() {
      return "recording";
    }

    @Override
    public void close() {}
  }

  /** An envelope of the §1.2 shape with a payload of {@code payloadBytes} counting bytes. */
  static byte[] envelope(int registerId, int payloadBytes) {
    ByteBuffer buffer = ByteBuffer.allocate(20 + payloadBytes);
    buffer.putInt((1 << 27) | (4 << 16));
    buffer.putInt((registerId << 16) | (1 << 8) | 1);
    buffer.putLong(0);
    buffer.putInt((3 << 27) | (((payloadBytes + 4) / 4) << 16));
    for (int i = 0; i < payloadBytes; i++) {
      buffer.put((byte) i);
    }
    return buffer.array();
  }

  @Test
  void exchangeCarriesTheEnvelopeBothWays() throws Exception {
    RecordingDevice device = new RecordingDevice();
    EmulatedConfigSpace config =
        EmulatedConfigSpace.builder(device).gatewayDelayPolls(3).icmdDelayPolls(40).build();
    try (PciTransport transport = PciTransport.open(config, millis -> {}, 4242)) {
      assertFalse(transport.isLivefish());
      assertEquals(0x212, transport.hwDeviceId());
      assertEquals(0x340, transport.mailboxSize());
      byte[] request = envelope(0x9063, 144);
      byte[] response = transport.exchange(request);
      assertEquals(1, device.requests.size());
      assertArrayEquals(request, device.requests.get(0));
      assertEquals(request.length, response.length);
      assertEquals((byte) 143, response[20]);
      assertEquals((byte) 0, response[response.length - 1]);
      // Both semaphores are free again after the command.
      assertEquals(0, config.semaphoreOwner(PciTransport.ICMD_SEMAPHORE));
      assertEquals(0, config.readDword(EmulatedConfigSpace.VSEC_OFFSET + VsecGateway.SEMAPHORE));
    }
  }

  /** Records every space the host selects through the gateway's control dword. */
  static class SpaceSelections implements ConfigSpace {
    final ConfigSpace inner;
    final List<AddressSpace> selected = new ArrayList<>();

    SpaceSelections(ConfigSpace inner) {
      this.inner = inner;
    }

    @Override
    public int readDword(int offset) throws TransportException {
      return inner.readDword(offset);
    }

    @Override
    public void writeDword(int offset, int value) throws TransportException {
      if (offset == EmulatedConfigSpace.VSEC_OFFSET + VsecLayout.CONTROL) {
        selected.add(AddressSpace.fromCode(value & 0xFFFF));
      }
      inner.writeDword(offset, value);
    }

    @Override
    public String describe() {
      return inner.describe();
    }

    @Override
    public void close() throws TransportException {
      inner.close();
    }
  }

  @Test
  void theMailboxRunsInSpaceIcmdAndIcmdExtIsOnlyProbed() throws Exception {
    RecordingDevice device = new RecordingDevice();
    SpaceSelections config =
        new SpaceSelections(EmulatedConfigSpace.builder(device).offerIcmdExt(true).build());
    try (PciTransport transport = PciTransport.open(config, millis -> {}, 7)) {
      transport.exchange(envelope(0x9020, 160));
      assertEquals(1, device.requests.size());
    }
    // mstflint 4.21 mtcr_pciconf_open probes the spaces in this order, once.
    assertEquals(PciTransport.PROBE_ORDER, config.selected.subList(0, 9));
    assertEquals(
        List.of(
            AddressSpace.ICMD, AddressSpace.NODNIC_INIT_SEG, AddressSpace.EXPANSION_ROM,
            AddressSpace.ND_CR_SPACE, AddressSpace.SCAN_CR_SPACE, AddressSpace.MAC,
            AddressSpace.ICMD_EXT, AddressSpace.SEMAPHORE, AddressSpace.CR_SPACE),
        PciTransport.PROBE_ORDER);
    List<AddressSpace> afterProbe = config.selected.subList(9, config.selected.size());
    assertTrue(afterProbe.contains(AddressSpace.ICMD), afterProbe.toString());
    assertFalse(afterProbe.contains(AddressSpace.ICMD_EXT), afterProbe.toString());
  }

  /**
   * The probe order is the one the real ConnectX-5 trace shows mstflint using (shared fixture
   * real-cx5-query: the first nine space selections written to the VSEC control dword at 0xC4).
   */
  @Test
  void theProbeOrderIsTheOneMstflintUsedOnARealAdapter() throws Exception {
    Path trace =
        Path.of("..", "..", "shared", "fixtures", "real-cx5-query", "config-space.jsonl.gz");
    Pattern write = Pattern.compile(
        "\\{\"op\": \"write\", \"offset\": 196, \"size\": 4, \"bytes\": \"([0-9a-f]{8})\"\\}");
    List<AddressSpace> selected = new ArrayList<>();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(trace)), StandardCharsets.US_ASCII))) {
      for (String line = lines.readLine(); line != null && selected.size() < 9;
          line = lines.readLine()) {
        Matcher matcher = write.matcher(line);
        if (matcher.matches()) {
          // Config space is little-endian: the first two bytes are the space, LSB first.
          int low = Integer.parseInt(matcher.group(1).substring(0, 2), 16)
              | Integer.parseInt(matcher.group(1).substring(2, 4), 16) << 8;
          selected.add(AddressSpace.fromCode(low));
        }
      }
    }
    assertEquals(PciTransport.PROBE_ORDER, selected);
  }

  @Test
  void withoutTheIcmdSpaceTheTransportSaysSoEvenWhenIcmdExtIsOffered() throws Exception {
    RecordingDevice device = new RecordingDevice();
    EmulatedConfigSpace inner = EmulatedConfigSpace.builder(device).build();
    ConfigSpace noIcmd =
        new SpaceSelections(inner) {
          @Override
          public int readDword(int offset) throws TransportException {
            int value = inner.readDword(offset);
            if (offset == EmulatedConfigSpace.VSEC_OFFSET + VsecLayout.CONTROL
                && !selected.isEmpty()
                && selected.get(selected.size() - 1) == AddressSpace.ICMD) {
              return value & ~(7 << VsecLayout.CONTROL_STATUS_SHIFT);
            }
            return value;
          }
        };
    TransportException e =
        assertThrows(TransportException.class, () -> PciTransport.open(noIcmd, millis -> {}, 7));
    assertTrue(
        e.getMessage().endsWith(
            ": the VSEC gateway offers no ICMD address space (0x3); it offers ICMD_EXT (0x1),"
                + " which mstflint does not use for the mailbox"),
        e.getMessage());
  }

  @Test
  void livefishIsDetectedAndRefusesRegisters() throws Exception {
    EmulatedConfigSpace config =
        EmulatedConfigSpace.builder(new RecordingDevice()).deviceIds(0x212, 0x212).build();
    try (PciTransport transport = PciTransport.open(config, millis -> {}, 7)) {
      assertTrue(transport.isLivefish());
      TransportException failure =
          assertThrows(TransportException.class, () -> transport.exchange(envelope(0x9020, 160)));
      assertTrue(failure.getMessage().contains("livefish"), failure.getMessage());
    }
  }

  @Test
  void aTakenIcmdSemaphoreIsReportedNotIgnored() throws Exception {
    RecordingDevice device = new RecordingDevice();
    EmulatedConfigSpace config = EmulatedConfigSpace.builder(device).build();
    try (PciTransport transport = PciTransport.open(config, millis -> {}, 7)) {
      // Another host holds the ICMD semaphore: claim it through a second gateway user.
      VsecGateway gateway = VsecGateway.locate(config);
      gateway.acquire();
      gateway.write(AddressSpace.SEMAPHORE, PciTransport.ICMD_SEMAPHORE, 99);
      gateway.release();
      TransportException failure =
          assertThrows(TransportException.class, () -> transport.exchange(envelope(0x9020, 160)));
      assertTrue(failure.getMessage().contains("ICMD semaphore"), failure.getMessage());
      assertEquals(0, device.requests.size());
    }
  }

  @Test
  void flashSemaphoreIsTakenAndReleased() throws Exception {
    EmulatedConfigSpace config = EmulatedConfigSpace.builder(new RecordingDevice()).build();
    try (PciTransport transport = PciTransport.open(config, millis -> {}, 31)) {
      transport.lockFlashSemaphore();
      assertEquals(31, config.semaphoreOwner(PciTransport.FLASH_SEMAPHORE));
      try (PciTransport second =
          PciTransport.open(EmulatedConfigSpaceView.of(config), millis -> {}, 32)) {
        TransportException failure =
            assertThrows(TransportException.class, second::lockFlashSemaphore);
        assertTrue(failure.getMessage().contains("Failed to lock flash semaphore"));
      }
      transport.unlockFlashSemaphore();
      assertEquals(0, config.semaphoreOwner(PciTransport.FLASH_SEMAPHORE));
    }
  }

  @Test
  void oversizedEnvelopeIsRefusedBeforeTouchingTheDevice() throws Exception {
    RecordingDevice device = new RecordingDevice();
    EmulatedConfigSpace config = EmulatedConfigSpace.builder(device).mailboxSize(0x100).build();
    try (PciTransport transport = PciTransport.open(config, millis -> {}, 7)) {
      assertThrows(TransportException.class, () -> transport.exchange(envelope(0x9063, 400)));
      assertEquals(0, device.requests.size());
    }
  }

  @Test
  void aFunctionWithoutVsecIsNamedAsSuch() {
    ConfigSpace plain =
        new ConfigSpace() {
          @Override
          public int readDword(int offset) {
            return switch (offset) {
              case 0x04 -> 1 << 20;
              case 0x34 -> 0x40;
              case 0x40 -> 0x05; // MSI capability, end of list
              default -> 0;
            };
          }

          @Override
          public void writeDword(int offset, int value) {}

          @Override
          public String describe() {
            return "pci:0000:00:1f.0";
          }

          @Override
          public void close() {}
        };
    TransportException failure =
        assertThrows(TransportException.class, () -> VsecGateway.locate(plain));
    assertTrue(failure.getMessage().contains("VSEC"), failure.getMessage());
  }
}
