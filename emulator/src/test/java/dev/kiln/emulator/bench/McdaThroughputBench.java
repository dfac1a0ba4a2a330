package dev.kiln.emulator.bench;

import dev.kiln.emulator.DeviceIdentity;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.build.ReservedSection;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ImageInfoFlag;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.FsmState;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.Mcda;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.RegisterStatus;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SigningServices;
import dev.kiln.signer.fs4.Fs4ImageSigner;
import dev.kiln.signer.fs4.KeyUuid;
import dev.kiln.signer.fs4.PublicKeysFile;
import dev.kiln.signer.pem.PemKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

/**
 * Benchmark (not run by surefire): how long the in-process emulator takes to accept a 32 MiB
 * component through MCDA, so the emulator never hides host overhead. Goal: well under a second
 * for the MCDA transfer; VERIFY (hash + RSA + slot write + fsync) is reported separately.
 *
 * <p>Run: {@code mvn -q -pl emulator test-compile exec:java} is not configured; use
 * {@code java -cp "$(cat cp.txt):emulator/target/classes:emulator/target/test-classes"
 * dev.kiln.emulator.bench.McdaThroughputBench} with the test classpath, or see
 * {@code emulator/bench.sh}.
 */
public final class McdaThroughputBench {
  private McdaThroughputBench() {}

  public static void main(String[] args) throws Exception {
    int mib = args.length > 0 ? Integer.parseInt(args[0]) : 32;
    Path work = Files.createTempDirectory("kiln-bench");
    Path raw = work.resolve("raw.bin");
    ImageWriter.write(
        ImageDescription.builder(DeviceType.CX6DX, new FwVersion(22, 41, 1000))
            .psid("MT_0000000436")
            .flags(EnumSet.of(ImageInfoFlag.MCC_EN, ImageInfoFlag.SIGNED_FW,
                ImageInfoFlag.SECURE_FW))
            .imageSize((long) mib << 20)
            .reserve(ReservedSection.IMAGE_SIGNATURE_256, ReservedSection.PUBLIC_KEYS_2048)
            .build(),
        raw,
        true);
    KeyUuid uuid = KeyUuid.parse(SampleKey.RSA_2048.uuid().toString());
    Path keyed = work.resolve("keyed.bin");
    int keysSize =
        (int) dev.kiln.inspector.ImageParser.parse(raw).section(SectionType.PUBLIC_KEYS_2048)
            .orElseThrow().size();
    try (var prepared =
        Fs4ImageSigner.setPublicKeys(raw, keyed, PublicKeysFile.encode(List.of(
            new PublicKeysFile.Key(PemKeys.readPublicKey(SampleKey.RSA_2048.publicKeyPem(), "k"),
                uuid)), keysSize))) {
      prepared.commit();
    }
    Path signed = work.resolve("signed.bin");
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_2048, work);
    try (var prepared =
        Fs4ImageSigner.sign(keyed, signed, List.of(new Fs4ImageSigner.SigningKey(
            SigningServices.open("file:" + key, KeyOptions.defaults()), uuid)))) {
      prepared.commit();
    }
    byte[] image = Files.readAllBytes(signed);
    Path dir = work.resolve("device");
    EmulatedDevice.create(
        dir,
        new DeviceIdentity(DeviceType.CX6DX, "MT_0000000436", 1, (long) mib << 21, 0),
        image);
    for (int round = 0; round < 5; round++) {
      try (EmulatedDevice device = EmulatedDevice.open(dir)) {
        int handle = Mcc.decode(mcc(device, MccInstruction.QUERY, 0, 0).payload()).updateHandle();
        mcc(device, MccInstruction.LOCK_UPDATE_HANDLE, handle, 0);
        mcc(device, MccInstruction.UPDATE_COMPONENT, handle, image.length);
        mcc(device, MccInstruction.QUERY, handle, 0);
        long start = System.nanoTime();
        for (int offset = 0; offset < image.length; offset += Mcda.MAX_DATA) {
          byte[] request =
              RegisterEnvelope.request(
                      AccessRegister.MCDA,
                      RegisterMethod.SET,
                      Mcda.fromImage(handle, offset, image, offset,
                          Math.min(Mcda.MAX_DATA, image.length - offset)).encode())
                  .encode();
          device.exchange(request);
        }
        long transfer = System.nanoTime() - start;
        RegisterEnvelope verify = mcc(device, MccInstruction.VERIFY_COMPONENT, handle, 0);
        long verified = System.nanoTime() - start - transfer;
        if (verify.registerStatus() != RegisterStatus.OK
            || Mcc.decode(verify.payload()).state() != FsmState.LOCKED) {
          throw new IllegalStateException("verify failed: " + verify);
        }
        System.out.printf(
            "round %d: %d MiB through MCDA in %.0f ms (%.0f MiB/s, host side included);"
                + " VERIFY %.0f ms%n",
            round, mib, transfer / 1e6, mib / (transfer / 1e9), verified / 1e6);
        mcc(device, MccInstruction.CANCEL, handle, 0);
      }
    }
  }

  private static RegisterEnvelope mcc(
      EmulatedDevice device, MccInstruction instruction, int handle, long size) throws Exception {
    return RegisterEnvelope.request(
            AccessRegister.MCC,
            instruction == MccInstruction.QUERY ? RegisterMethod.GET : RegisterMethod.SET,
            Mcc.command(instruction, 0, handle, size).encode())
        .exchange(device);
  }
}
