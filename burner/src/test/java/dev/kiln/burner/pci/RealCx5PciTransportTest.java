package dev.kiln.burner.pci;

import dev.kiln.registers.pci.AddressSpace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.DeviceInfo;
import dev.kiln.burner.SecureDevice;
import dev.kiln.burner.Sleeper;
import dev.kiln.burner.replay.ReplayTransport;
import dev.kiln.registers.TransportException;
import dev.kiln.testkit.SharedFixtures;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Our {@link PciTransport} against a config space that behaves as the real ConnectX-5 Ex did under
 * {@code mstflint query full} ({@link RecordedConfigSpace} over {@code config-space.jsonl.gz}),
 * answering registers from that adapter's recorded replies ({@code registers.json}).
 */
class RealCx5PciTransportTest {
  static final Path FIXTURE = SharedFixtures.directory("real-cx5-query");
  /** 15b3:1019 (fixture README), as the config dword at 0x00 holds it. */
  static final int PCI_ID = 0x1019_15B3;

  static final Sleeper NO_SLEEP = millis -> {};

  static RecordedConfigSpace adapter() throws Exception {
    return RecordedConfigSpace.of(
        FIXTURE.resolve("config-space.jsonl.gz"),
        PCI_ID,
        ReplayTransport.open(FIXTURE.resolve("registers.json")));
  }

  @Test
  void theRecordedAdapterAcceptsAndRefusesTheSpacesTheTraceShows() throws Exception {
    Map<Integer, Integer> answers = adapter().controlAnswers();
    // Accepted: the space reads back as written, with a non-zero status.
    for (int space : new int[] {0x2, 0x3, 0x1, 0xA}) {
      assertEquals(space, answers.get(space) & 0xFFFF);
      assertTrue(answers.get(space) >>> 29 != 0);
    }
    // Refused: it reads back another space (the low byte of what was written).
    assertEquals(0x1, answers.get(0x101) & 0xFFFF);
    assertEquals(0x2, answers.get(0x102) & 0xFFFF);
    assertEquals(0xA, answers.get(0x10A) & 0xFFFF);
  }

  @Test
  void ourGatewayWalksToTheVsecAt0xC0AndThePlayerKnowsNothingElse() throws Exception {
    RecordedConfigSpace config = adapter();
    VsecGateway gateway = VsecGateway.locate(config);
    assertEquals(0xC0, gateway.offset());
    gateway.acquire();
    assertEquals(0x20D, gateway.read(AddressSpace.CR_SPACE, 0xF0014) & 0xFFFF);
    assertEquals(0x340, gateway.read(AddressSpace.ICMD, 0x1000));
    // The adapter accepted ICMD_EXT, but nothing in it was ever read: the player says so.
    TransportException unknown =
        assertThrows(TransportException.class, () -> gateway.read(AddressSpace.ICMD_EXT, 0x1000));
    assertEquals("the recorded adapter was never read at space 0x1 address 0x1000",
        unknown.getMessage());
    gateway.release();
    assertEquals(0, config.gatewaySemaphore());
  }

  @Test
  void ourTransportOpensTheAdapterAndQueriesItAsMstflintDid() throws Exception {
    RecordedConfigSpace config = adapter();
    PciTransport transport = PciTransport.open(config, NO_SLEEP, 0x62b08);
    assertEquals(0x1019, transport.pciDeviceId());
    assertEquals(0x20D, transport.hwDeviceId());
    assertFalse(transport.isLivefish());
    assertEquals(0x340, transport.mailboxSize());
    try (SecureDevice session = SecureDevice.open(transport, NO_SLEEP, "pci:0000:07:00.0")) {
      DeviceInfo info = session.query();
      assertEquals("MT_0000000013", info.psid());
      assertEquals("16.35.4506", info.runningVersion().toString());
      assertEquals("22.12.2024", info.runningReleaseDate());
      assertEquals("MCX516A-CDA_Ax_Bx", info.modelName());
      assertTrue(info.description().startsWith("ConnectX-5 Ex EN network interface card"));
      assertEquals(0x20D, info.hwDeviceId());
      assertEquals(0x1019, info.pciDeviceId());
      assertEquals("N/A", info.securityAttributes());
      Optional<long[]> nv = session.baseMacGuid();
      assertEquals(0x043f72eae210L, nv.orElseThrow()[0]);
      assertEquals(0x043f720300eae210L, nv.orElseThrow()[1]);
    }
    assertTrue(config.commands() > 40, "ICMD commands run: " + config.commands());
    // The mailbox went through space ICMD (0x3), as in the trace; nothing the trace never shows.
    assertEquals(Set.of(0x2, 0x3, 0xA), config.spacesUsed());
    // Both semaphores are free again.
    assertEquals(0, config.semaphore(0));
    assertEquals(0, config.gatewaySemaphore());
  }
}
