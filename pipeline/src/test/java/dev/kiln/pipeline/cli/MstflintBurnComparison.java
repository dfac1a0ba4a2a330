package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.registers.Recording;
import dev.kiln.emulator.pcifunction.EmulatedPciExec;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.Mcda;
import dev.kiln.registers.Mvts;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.testkit.Mstflint;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Records one burn by the unmodified mstflint 4.21 and one by {@code kiln burn --device pci:...},
 * each through {@code kiln device exec}'s emulated PCI function into a copy of the same emulated
 * device, and reads both MCC/MCDA sequences from the emulator's recording.
 */
final class MstflintBurnComparison {
  private MstflintBurnComparison() {}

  /**
   * One burn as the device saw it: the MVTS/MCC/MCDA steps, the component the MCDA SETs carried,
   * and the steps that were a second send of a SET the device had just refused (left out of
   * {@code steps}; mstflint's {@code maccess_reg_ul} in mtcr_ul/mtcr_ul_com.c sends a refused
   * access again through its fallback path, see docs/burner.md).
   */
  record Burn(List<String> steps, List<String> resends, byte[] component, String output) {}

  static Burn mstflint(Path work, Path running, Path image) throws Exception {
    return mstflint(work, running, image, 0);
  }

  /** mstflint's burn, which must end with {@code exitCode}. */
  static Burn mstflint(Path work, Path running, Path image, int exitCode) throws Exception {
    Path device = BurnTestImages.device(work.resolve("mstflint-dev"), running);
    Path recording = work.resolve("mstflint.rec");
    Mstflint.Result result =
        EmulatedPciExec.mstflintRecorded(device, recording, "-i", image.toString(), "-y", "burn");
    assertEquals(exitCode, result.exitCode(), result.output());
    return read(recording, result.output());
  }

  /**
   * mstflint's burn (which must succeed) into an emulated {@code type} with {@code psid} running
   * {@code running}, followed in the same power-on by {@code then} (e.g. {@code kiln query
   * --device pci:BDF}, to see the burned image pending before a reset). The output is the burn's
   * and then {@code then}'s; {@code then}'s MCC/MCDA/MVTS transactions, if any, follow the
   * burn's in the steps.
   */
  static Burn mstflint(Path work, Path running, Path image, DeviceType type, String psid,
      List<String> then) throws Exception {
    Path device = BurnTestImages.device(work.resolve("mstflint-dev"), running, type, psid);
    Path recording = work.resolve("mstflint.rec");
    List<String> command = new ArrayList<>(List.of("sh", "-c",
        "m=$1 d=$2 i=$3; shift 3; \"$m\" -d \"$d\" -i \"$i\" -y burn || exit; \"$@\"",
        "burn-then", Mstflint.require().binary().toString(), EmulatedPciExec.BDF,
        image.toString()));
    command.addAll(then);
    Mstflint.Result result = EmulatedPciExec.run(device, EmulatedPciExec.BDF,
        EmulatedDevice.Options.defaults().withRecording(recording), command);
    assertEquals(0, result.exitCode(), result.output());
    return read(recording, result.output());
  }

  static Burn kiln(Path work, Path running, Path image) throws Exception {
    return kiln(work, running, image, 0);
  }

  /** kiln's burn, which must end with {@code exitCode}. */
  static Burn kiln(Path work, Path running, Path image, int exitCode) throws Exception {
    Path device = BurnTestImages.device(work.resolve("kiln-dev"), running);
    Path recording = work.resolve("kiln.rec");
    Mstflint.Result result =
        EmulatedPciExec.run(
            device,
            EmulatedPciExec.BDF,
            EmulatedDevice.Options.defaults().withRecording(recording),
            KilnChildProcess.command(
                "burn", "--device", "pci:" + EmulatedPciExec.BDF, image.toString(), "--yes"));
    assertEquals(exitCode, result.exitCode(), result.output());
    return read(recording, result.output());
  }

  /**
   * The MVTS, MCC and MCDA requests in order, one line each: method, flags and entry for MVTS;
   * method, instruction, component index, size and handle ({@code H} for the handle the first MCC
   * GET answered) for MCC; offset, size and handle for MCDA. Consecutive identical MCC QUERY polls count as one line (their number
   * follows the device's timing).
   */
  static Burn read(Path recording, String output) throws Exception {
    List<String> steps = new ArrayList<>();
    List<String> resends = new ArrayList<>();
    ByteArrayOutputStream component = new ByteArrayOutputStream();
    Integer handle = null;
    String refusedSet = null;
    for (Recording.Transaction transaction : Recording.read(recording)) {
      RegisterEnvelope request = transaction.requestEnvelope();
      boolean refused = transaction.responseEnvelope().status() != 0;
      String step;
      if (request.registerId() == AccessRegister.MCC.id()) {
        Mcc mcc = Mcc.decode(request.payload());
        if (handle == null) {
          handle = Mcc.decode(transaction.responseEnvelope().payload()).updateHandle();
          step = String.format("MCC %s %s index=%d handle=%d", request.method(),
              mcc.instructionCode(), mcc.componentIndex(), mcc.updateHandle());
        } else {
          step = String.format("MCC %s %s index=%d size=%d handle=%s", request.method(),
              mcc.instructionCode(), mcc.componentIndex(), mcc.componentSize(),
              mcc.updateHandle() == handle ? "H" : Integer.toString(mcc.updateHandle()));
        }
      } else if (request.registerId() == AccessRegister.MCDA.id()) {
        Mcda mcda = Mcda.decode(request.payload());
        step = String.format("MCDA %s offset=0x%x size=%d handle=%s", request.method(),
            mcda.offset(), mcda.size(),
            handle != null && mcda.updateHandle() == handle ? "H" : mcda.updateHandle());
        if (component.size() != mcda.offset()) {
          fail("MCDA at 0x" + Long.toHexString(mcda.offset()) + " after 0x"
              + Integer.toHexString(component.size()) + " bytes");
        }
        component.write(mcda.imageBytes());
      } else if (request.registerId() == AccessRegister.MVTS.id()) {
        Mvts mvts = Mvts.decode(request.payload());
        step = String.format("MVTS %s running=%s clear=%s %s", request.method(), mvts.running(),
            mvts.clearAll(), mvts.timestamp().isNone() ? "none" : mvts.timestamp());
      } else {
        continue;
      }
      String previousRefusedSet = refusedSet;
      refusedSet = refused && request.method() == RegisterMethod.SET ? step : null;
      if (step.equals(previousRefusedSet)) {
        resends.add(step);
        continue;
      }
      if (!steps.isEmpty() && steps.get(steps.size() - 1).equals(step) && step.contains("QUERY")) {
        continue;
      }
      steps.add(step);
    }
    return new Burn(steps, resends, component.toByteArray(), output);
  }

  /** Fails at the first step where the two sequences differ, with the steps around it. */
  static void assertSameSteps(List<String> mstflint, List<String> kiln) {
    int n = Math.min(mstflint.size(), kiln.size());
    for (int i = 0; i <= n; i++) {
      boolean end = i == n;
      if (end ? mstflint.size() != kiln.size() : !mstflint.get(i).equals(kiln.get(i))) {
        int from = Math.max(0, i - 3);
        fail(String.format(
            "the MCC/MCDA sequences differ at step %d:%n  mstflint: %s%n  kiln:     %s",
            i, mstflint.subList(from, Math.min(mstflint.size(), i + 4)),
            kiln.subList(from, Math.min(kiln.size(), i + 4))));
      }
      if (end) {
        return;
      }
    }
  }
}
