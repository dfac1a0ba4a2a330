package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.burner.BurnOptions;
import dev.kiln.burner.SecureDevice;
import dev.kiln.burner.progress.BurnProgress;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.registers.Recording;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.UpdateComponent;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.FsmState;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.Mcda;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The register sequence of a burn, as the emulator records it, against protocol doc §2.6: the
 * session's opening handle query right after MCAM, LOCK (reply LOCKED), UPDATE_COMPONENT with the size (reply INITIALIZE or DOWNLOAD), GETs
 * while INITIALIZE, MCDA SETs of 128 bytes at offsets 0, 128, ... (the last one the remainder),
 * VERIFY (reply LOCKED), ACTIVATE, RELEASE - and nothing else between LOCK and RELEASE.
 */
class BurnSequenceTest {

  @Test
  void recordedBurnMatchesTheProtocolSequence(@TempDir Path dir) throws Exception {
    Path v1 = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.39.1002"), "v1");
    Path v2 = BurnTestImages.signed(dir, SampleFirmware.Spec.secure("22.41.1000"), "v2");
    byte[] component = UpdateComponent.bytes(ImageParser.parse(v2));
    Path deviceDir = BurnTestImages.device(dir.resolve("dev"), v1);
    Path recording = dir.resolve("burn.rec");
    try (EmulatedDevice device =
            EmulatedDevice.open(
                deviceDir, EmulatedDevice.Options.defaults().withRecording(recording));
        SecureDevice session = SecureDevice.open(device.client(), ms -> {}, "recorded")) {
      session.burn(
          component, new BurnOptions(true, FwVersion.parse("22.41.1000")), BurnProgress.SILENT);
    }

    List<Recording.Transaction> all = Recording.read(recording);
    // The session's opening MCC GET gives the handle (as mstflint's FwCompsMgr takes it when it
    // is created); LOCK uses it, with no MCC in between. From LOCK to the RELEASE.
    int opening = -1;
    int lock = -1;
    int release = -1;
    for (int i = 0; i < all.size(); i++) {
      RegisterEnvelope request = all.get(i).requestEnvelope();
      if (request.registerId() == AccessRegister.MCC.id()) {
        MccInstruction instruction = Mcc.decode(request.payload()).instructionCode();
        if (opening < 0) {
          opening = i;
        }
        if (instruction == MccInstruction.LOCK_UPDATE_HANDLE && lock < 0) {
          lock = i;
        }
        if (instruction == MccInstruction.RELEASE_UPDATE_HANDLE) {
          release = i;
        }
      }
    }
    assertTrue(lock > 0 && release > lock, "no LOCK ... RELEASE in the recording");
    assertTrue(opening < lock, "no MCC GET before LOCK");
    for (int i = opening + 1; i < lock; i++) {
      assertTrue(all.get(i).requestEnvelope().registerId() != AccessRegister.MCC.id(),
          "an MCC between the opening GET and LOCK: " + all.get(i).requestEnvelope());
    }
    Mcc handleQuery = mcc(all.get(opening), RegisterMethod.GET, MccInstruction.QUERY);
    int handle = Mcc.decode(all.get(opening).responseEnvelope().payload()).updateHandle();
    assertEquals(FsmState.IDLE, Mcc.decode(all.get(opening).responseEnvelope().payload()).state());
    assertEquals(0, handleQuery.updateHandle());
    assertEquals(0, handleQuery.componentIndex());
    List<Recording.Transaction> flow = all.subList(lock, release + 1);

    int step = 0;

    Mcc locking = mcc(flow.get(step), RegisterMethod.SET, MccInstruction.LOCK_UPDATE_HANDLE);
    assertEquals(handle, locking.updateHandle());
    assertEquals(FsmState.LOCKED, reply(flow.get(step++)).state());

    Mcc update = mcc(flow.get(step), RegisterMethod.SET, MccInstruction.UPDATE_COMPONENT);
    assertEquals(component.length, update.componentSize());
    assertEquals(handle, update.updateHandle());
    FsmState afterUpdate = reply(flow.get(step++)).state();
    assertTrue(afterUpdate == FsmState.INITIALIZE || afterUpdate == FsmState.DOWNLOAD);
    while (isMcc(flow.get(step), RegisterMethod.GET)) {
      mcc(flow.get(step), RegisterMethod.GET, MccInstruction.QUERY);
      step++;
    }

    long expectedOffset = 0;
    int chunks = 0;
    while (flow.get(step).requestEnvelope().registerId() == AccessRegister.MCDA.id()) {
      RegisterEnvelope request = flow.get(step).requestEnvelope();
      assertEquals(RegisterMethod.SET, request.method());
      Mcda mcda = Mcda.decode(request.payload());
      assertEquals(handle, mcda.updateHandle());
      assertEquals(expectedOffset, mcda.offset());
      int expectedSize = (int) Math.min(128, component.length - expectedOffset);
      assertEquals(expectedSize, mcda.size());
      // Each dword of the image travels byte-reversed (§2.7).
      byte[] data = mcda.data();
      assertEquals(component[(int) expectedOffset + 3], data[0]);
      assertEquals(0, flow.get(step).responseEnvelope().status());
      expectedOffset += mcda.size();
      chunks++;
      step++;
    }
    assertEquals(component.length, expectedOffset);
    assertEquals((component.length + 127) / 128, chunks);

    mcc(flow.get(step), RegisterMethod.SET, MccInstruction.VERIFY_COMPONENT);
    assertEquals(FsmState.LOCKED, reply(flow.get(step++)).state());
    mcc(flow.get(step), RegisterMethod.SET, MccInstruction.ACTIVATE);
    assertEquals(0, flow.get(step++).responseEnvelope().status());
    mcc(flow.get(step), RegisterMethod.SET, MccInstruction.RELEASE_UPDATE_HANDLE);
    assertEquals(0, flow.get(step++).responseEnvelope().status());
    assertEquals(flow.size(), step, "unexpected transactions inside the burn");

    List<String> names = new ArrayList<>();
    for (Recording.Transaction transaction : flow) {
      names.add(transaction.requestEnvelope().register().name());
    }
    assertEquals("MCC", names.get(0));
    assertEquals("MCAM", all.get(opening - 1).requestEnvelope().register().name());
  }

  private static boolean isMcc(Recording.Transaction transaction, RegisterMethod method)
      throws Exception {
    RegisterEnvelope request = transaction.requestEnvelope();
    return request.registerId() == AccessRegister.MCC.id() && request.method() == method;
  }

  private static Mcc mcc(
      Recording.Transaction transaction, RegisterMethod method, MccInstruction instruction)
      throws Exception {
    RegisterEnvelope request = transaction.requestEnvelope();
    assertEquals(AccessRegister.MCC.id(), request.registerId(), "expected MCC, got " + request);
    assertEquals(method, request.method(), request.toString());
    Mcc mcc = Mcc.decode(request.payload());
    assertEquals(instruction, mcc.instructionCode(), request.toString());
    return mcc;
  }

  private static Mcc reply(Recording.Transaction transaction) throws Exception {
    RegisterEnvelope response = transaction.responseEnvelope();
    assertEquals(0, response.status(), response.toString());
    return Mcc.decode(response.payload());
  }
}
