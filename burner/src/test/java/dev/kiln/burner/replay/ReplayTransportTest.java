package dev.kiln.burner.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.burner.RecoveryGateway;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Mcqi;
import dev.kiln.registers.McqiInfoType;
import dev.kiln.registers.Mlock;
import dev.kiln.registers.Mnvda;
import dev.kiln.registers.Recording;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.RegisterStatus;
import dev.kiln.registers.TransportException;
import dev.kiln.testkit.SharedFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The matching rule of {@code replay:} ({@link RequestKey}) and its refusals. */
class ReplayTransportTest {

  static byte[] get(AccessRegister register, byte[] payload) {
    return RegisterEnvelope.request(register, RegisterMethod.GET, payload).encode();
  }

  static byte[] set(AccessRegister register, byte[] payload) {
    return RegisterEnvelope.request(register, RegisterMethod.SET, payload).encode();
  }

  static byte[] reply(byte[] request, int marker) throws Exception {
    byte[] payload = RegisterEnvelope.decode(request).payload();
    payload[payload.length - 1] = (byte) marker;
    return RegisterEnvelope.decode(request).reply(RegisterStatus.OK, payload).encode();
  }

  static byte[] mcqi(int index, McqiInfoType type, boolean pending, long offset, int size) {
    Mcqi base = Mcqi.query(index, type, pending);
    return get(AccessRegister.MCQI, new Mcqi(base.componentIndex(), 0, pending, 0,
        type.code(), 0, offset, size, new byte[0]).encode());
  }

  @Test
  void sameFieldsAnswerInRecordedOrderOnceEach() throws Exception {
    byte[] version = mcqi(0, McqiInfoType.VERSION, false, 0, 124);
    ReplayTransport replay =
        ReplayTransport.of("replay:t", List.of(
            new Transcript.Transaction(version, reply(version, 1), 0),
            new Transcript.Transaction(version, reply(version, 2), 0)));
    // The data size the host asks for is not a selector.
    byte[] askedSmaller = mcqi(0, McqiInfoType.VERSION, false, 0, 16);
    assertArrayEquals(reply(version, 1), replay.exchange(askedSmaller));
    assertArrayEquals(reply(version, 2), replay.exchange(version));
    TransportException exhausted =
        assertThrows(TransportException.class, () -> replay.exchange(version));
    assertEquals("replay:t: no recorded answer left for MCQI (0x9061) GET (component_index=0x0,"
        + " device_index=0x0, read_pending=0x0, info_type=0x1, offset=0x0) (the recording"
        + " answered it 2 times)", exhausted.getMessage());
    TransportException other =
        assertThrows(TransportException.class,
            () -> replay.exchange(mcqi(0, McqiInfoType.VERSION, true, 0, 124)));
    assertEquals("replay:t: the recording holds no answer to MCQI (0x9061) GET (component_index=0x0,"
        + " device_index=0x0, read_pending=0x1, info_type=0x1, offset=0x0)", other.getMessage());
    assertEquals(0, replay.unused());
  }

  @Test
  void aSetIsAnsweredOnlyWhenRecordedWithTheSamePayload() throws Exception {
    byte[] write = set(AccessRegister.MNVDA, Mnvda.baseMacGuid(0x0002c9000099L, 0x99L).encode());
    ReplayTransport replay =
        ReplayTransport.of("replay:t", List.of(new Transcript.Transaction(write, reply(write, 0), 0)));
    byte[] another = set(AccessRegister.MNVDA, Mnvda.baseMacGuid(0x0002c9000098L, 0x99L).encode());
    TransportException refused =
        assertThrows(TransportException.class, () -> replay.exchange(another));
    assertEquals("replay:t is read-only: it answers only the writes it recorded, and holds no"
        + " MNVDA (0x9024) SET with a 28-byte payload", refused.getMessage());
    assertArrayEquals(reply(write, 0), replay.exchange(write));
  }

  @Test
  void mlockKeysAreNotPartOfTheMatch() throws Exception {
    // Recordings hold MLOCK keys as zeros, so the key a host sends cannot be compared.
    byte[] recorded = Recording.withoutSecrets(set(AccessRegister.MLOCK,
        new Mlock(Mlock.LOCK, 0x1122334455667788L).encode()));
    ReplayTransport replay = ReplayTransport.of("replay:t",
        List.of(new Transcript.Transaction(recorded, reply(recorded, 0), 0)));
    replay.exchange(set(AccessRegister.MLOCK, new Mlock(Mlock.LOCK, 0x0102030405060708L).encode()));
    assertEquals(0, replay.unused());
  }

  @Test
  void aFailedIcmdCommandReplaysAsATransportError() throws Exception {
    byte[] mgir = get(AccessRegister.MGIR, new byte[0xA0]);
    ReplayTransport replay = ReplayTransport.of("replay:t",
        List.of(new Transcript.Transaction(mgir, mgir, 4)));
    TransportException failed = assertThrows(TransportException.class, () -> replay.exchange(mgir));
    assertEquals("replay:t: ICMD command failed with status 4 (as recorded for MGIR (0x9020) GET)",
        failed.getMessage());
  }

  @Test
  void identifiesTheRecordedDeviceFromItsMgirWithoutUsingItUp() throws Exception {
    ReplayTransport replay =
        ReplayTransport.open(SharedFixtures.file("real-cx5-query", "registers.json"));
    int unused = replay.unused();
    RecoveryGateway.Identity identity = replay.identify();
    assertEquals(new RecoveryGateway.Identity(false, 0x1019, 0x20D, "MT_0000000013"), identity);
    assertEquals(unused, replay.unused());
    TransportException write =
        assertThrows(TransportException.class, () -> replay.flashWrite(0, new byte[4]));
    assertEquals(replay.describe() + " is read-only: it refuses a flash write", write.getMessage());
    TransportException none =
        assertThrows(TransportException.class, () -> ReplayTransport.of("replay:t", List.of())
            .identify());
    assertEquals("replay:t: the recording holds no MGIR answer to identify the device",
        none.getMessage());
  }

  @Test
  void readsBothFormatsAndRefusesOthers(@TempDir Path dir) throws Exception {
    List<Transcript.Transaction> real =
        Transcript.read(SharedFixtures.file("real-cx5-query", "registers.json"));
    assertEquals(136, real.size());
    Path recording = dir.resolve("r.kilnrec");
    try (Recording.Recorder recorder = Recording.Recorder.create(recording)) {
      recorder.record(0, real.get(0).request(), real.get(0).reply());
    }
    List<Transcript.Transaction> ours = Transcript.read(recording);
    assertEquals(1, ours.size());
    assertArrayEquals(real.get(0).reply(), ours.get(0).reply());
    Path text = Files.writeString(dir.resolve("x.txt"), "hello");
    TransportException neither =
        assertThrows(TransportException.class, () -> ReplayTransport.open(text));
    assertEquals("replay:" + text + ": " + text
        + ": neither a Kiln recording (KILNREC1) nor a JSON ICMD transcript", neither.getMessage());
    Path json = Files.writeString(dir.resolve("x.json"), "[{\"request_mailbox\": \"zz\"}]");
    assertThrows(TransportException.class, () -> ReplayTransport.open(json));
    TransportException missing =
        assertThrows(TransportException.class, () -> ReplayTransport.open(dir.resolve("none")));
    assertEquals("replay:" + dir.resolve("none") + ": " + dir.resolve("none")
        + ": no such file", missing.getMessage());
  }
}
