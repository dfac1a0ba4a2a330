package dev.kiln.registers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KILNREC1 codec as the host-side recorder uses it. */
class RecordingCodecTest {
  /** A device that answers every request with itself, status OK. */
  static final class Echo implements RegisterTransport {
    @Override
    public byte[] exchange(byte[] request) throws TransportException {
      try {
        RegisterEnvelope envelope = RegisterEnvelope.decode(request);
        return envelope.reply(RegisterStatus.OK, envelope.payload()).encode();
      } catch (RegisterFormatException e) {
        throw new TransportException(e.getMessage(), e);
      }
    }

    @Override
    public String describe() {
      return "echo";
    }

    @Override
    public void close() {}
  }

  static byte[] mgir() {
    return RegisterEnvelope.request(AccessRegister.MGIR, RegisterMethod.GET, new byte[Mgir.SIZE])
        .encode();
  }

  @Test
  void eachTransactionReachesTheFileBeforeTheReplyIsReturned(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("r.kilnrec");
    Echo device = new Echo();
    try (RegisterTransport recorded =
        Recording.recording(device, Recording.Recorder.create(file))) {
      assertSame(device, recorded.underlying());
      for (int i = 1; i <= 3; i++) {
        recorded.exchange(mgir());
        // Read by another reader while the recorder is open: what a kill -9 would leave.
        assertEquals(i, Recording.read(file).size());
      }
    }
  }

  @Test
  void aTornLastRecordIsIgnoredAtEveryCut(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("r.kilnrec");
    try (Recording.Recorder recorder = Recording.Recorder.create(file)) {
      recorder.record(0, mgir(), mgir());
      recorder.record(0, mgir(), mgir());
    }
    byte[] whole = Files.readAllBytes(file);
    int oneRecord = (whole.length - Recording.MAGIC.length) / 2;
    for (int cut = whole.length - oneRecord; cut < whole.length; cut++) {
      Path torn = Files.write(dir.resolve("torn"), Arrays.copyOf(whole, cut));
      assertEquals(1, Recording.read(torn).size(), "cut at " + cut);
    }
  }

  @Test
  void mlockKeysAreWrittenAsZeros(@TempDir Path dir) throws Exception {
    byte[] lock =
        RegisterEnvelope.request(AccessRegister.MLOCK, RegisterMethod.SET,
                new Mlock(Mlock.LOCK, 0x1122334455667788L).encode())
            .encode();
    Path file = dir.resolve("r.kilnrec");
    try (RegisterTransport recorded =
        Recording.recording(new Echo(), Recording.Recorder.create(file))) {
      byte[] reply = recorded.exchange(lock);
      // The caller still gets the device's reply as it came.
      assertEquals(0x1122334455667788L, Mlock.decode(RegisterEnvelope.decode(reply).payload()).key());
      recorded.exchange(mgir());
    }
    List<Recording.Transaction> read = Recording.read(file);
    assertEquals(0, Mlock.decode(read.get(0).requestEnvelope().payload()).key());
    assertEquals(Mlock.LOCK, Mlock.decode(read.get(0).requestEnvelope().payload()).operation());
    assertEquals(0, Mlock.decode(read.get(0).responseEnvelope().payload()).key());
    assertArrayEquals(mgir(), read.get(1).request());
  }
}
