package dev.kiln.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.MccErrorCode;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.Recording;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every transaction is recorded; a recording asserts the exact host sequence and replays. */
class RecordingTest {
  @TempDir static Path work;

  @Test
  void recordsTheExactBurnSequenceAndReplaysItOnACopy(@TempDir Path dir) throws Exception {
    byte[] v1 = TestImages.build(work, TestImages.spec(22, 41, 1000));
    byte[] v2 = TestImages.build(work, TestImages.spec(22, 42, 1010));
    Path original = dir.resolve("original");
    Path copy = dir.resolve("copy");
    EmulatedDevice.create(original, TestImages.identity(), v1);
    EmulatedDevice.create(copy, TestImages.identity(), v1);
    Path recording = dir.resolve("burn.kilnrec");
    long[] frozen = {5_000_000_000L};
    EmulatedDevice.Options options =
        EmulatedDevice.Options.defaults().withClock(() -> frozen[0]).withRecording(recording);
    try (EmulatedDevice device = EmulatedDevice.open(original, options)) {
      assertEquals(MccErrorCode.OK, new SimpleHost(device).burn(v2));
    }
    List<Recording.Transaction> transactions = Recording.read(recording);
    // The §2.6 sequence: GET handle, LOCK, UPDATE, GET (INITIALIZE -> DOWNLOAD), MCDA x N,
    // VERIFY, ACTIVATE, RELEASE.
    int chunks = (v2.length + 127) / 128;
    assertEquals(chunks + 7, transactions.size());
    List<String> mccSteps =
        transactions.stream()
            .map(RecordingTest::describe)
            .filter(step -> !step.equals("MCDA SET"))
            .collect(Collectors.toList());
    assertEquals(
        List.of(
            "MCC GET QUERY",
            "MCC SET LOCK_UPDATE_HANDLE",
            "MCC SET UPDATE_COMPONENT",
            "MCC GET QUERY",
            "MCC SET VERIFY_COMPONENT",
            "MCC SET ACTIVATE",
            "MCC SET RELEASE_UPDATE_HANDLE"),
        mccSteps);
    // MCDA offsets strictly in order, 128 bytes each.
    long expected = 0;
    for (Recording.Transaction transaction : transactions) {
      RegisterEnvelope request = transaction.requestEnvelope();
      if (request.register() == AccessRegister.MCDA) {
        assertEquals(expected, dev.kiln.registers.Mcda.decode(request.payload()).offset());
        expected += 128;
      }
    }
    // Replaying the host's requests against an identical device gives identical answers.
    try (EmulatedDevice twin =
        EmulatedDevice.open(copy, EmulatedDevice.Options.defaults().withClock(() -> frozen[0]))) {
      assertEquals(List.of(), Recording.replay(transactions, twin));
    }
    // ...and against a device in another state it does not.
    try (EmulatedDevice other = EmulatedDevice.open(original)) {
      assertFalse(Recording.replay(transactions, other).isEmpty());
    }
  }

  @Test
  void aTornLastRecordIsIgnored(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("r.kilnrec");
    try (Recording.Recorder recorder = Recording.Recorder.create(file)) {
      recorder.record(3, new byte[] {1, 2, 3, 4}, new byte[] {5, 6, 7, 8});
      recorder.record(3, new byte[] {9}, new byte[] {10});
    }
    byte[] whole = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 3));
    List<Recording.Transaction> read = Recording.read(file);
    assertEquals(1, read.size());
    assertEquals(3, read.get(0).client());
  }

  private static String describe(Recording.Transaction transaction) {
    try {
      RegisterEnvelope request = transaction.requestEnvelope();
      String base = request.register().name() + " " + request.method().name();
      if (request.register() == AccessRegister.MCC) {
        MccInstruction instruction = Mcc.decode(request.payload()).instructionCode();
        return base + " " + instruction.name();
      }
      return base;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
