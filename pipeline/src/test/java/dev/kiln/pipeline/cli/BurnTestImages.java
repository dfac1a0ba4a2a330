package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.emulator.DeviceIdentity;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.section.ForbiddenVersions;
import dev.kiln.signer.fs4.Fs4ImageSigner;
import dev.kiln.signer.fs4.KeyUuid;
import dev.kiln.signer.fs4.PublicKeysFile;
import dev.kiln.signer.pem.PemKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Images and devices for the burner's CLI tests: each image is built with the inspector's writer
 * (through {@link SampleFirmware}), given the sample RSA-2048 public key (NOT FOR PRODUCTION) and
 * signed with {@code kiln sign} itself; each device is an emulator directory running an image.
 */
final class BurnTestImages {
  static final KeyUuid TRUSTED = KeyUuid.parse(SampleKey.RSA_2048.uuid().toString());
  static final String UNTRUSTED = "00112233-4455-6677-8899-aabbccddeeff";

  private BurnTestImages() {}

  /** The output of one in-process {@code kiln} run. */
  record Run(int exitCode, String out, String err) {}

  static Run kiln(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KilnCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  /** Image size of the tests: small, so that many burns stay fast (the bench uses 32 MiB). */
  static final long SIZE = 128 * 1024;

  /**
   * Builds an unsigned {@value #SIZE}-byte image that trusts the sample key: the demo's image
   * description ({@link SampleFirmware#description}) at the test size, written by the inspector's
   * writer, with the sample public key set as {@code kiln set-public-keys} sets it.
   */
  static Path unsigned(Path dir, SampleFirmware.Spec spec, String name) throws Exception {
    return unsigned(dir, spec, name, builder -> {});
  }

  /**
   * As {@link #unsigned(Path, SampleFirmware.Spec, String)}, with {@code extra} setting further
   * IMAGE_INFO fields (part number, description, release date) before the image is written.
   */
  static Path unsigned(
      Path dir,
      SampleFirmware.Spec spec,
      String name,
      java.util.function.Consumer<ImageDescription.Builder> extra)
      throws Exception {
    return provisioned(
        dir, spec, name,
        new PublicKeysFile.Key(
            PemKeys.readPublicKey(SampleKey.RSA_2048.publicKeyPem(), "sample key"), TRUSTED),
        extra);
  }

  /** {@link #unsigned} with {@code key} (instead of the sample key) as its PUBLIC_KEYS_2048. */
  static Path provisioned(Path dir, SampleFirmware.Spec spec, String name, PublicKeysFile.Key key)
      throws Exception {
    return provisioned(dir, spec, name, key, builder -> {});
  }

  private static Path provisioned(
      Path dir,
      SampleFirmware.Spec spec,
      String name,
      PublicKeysFile.Key key,
      java.util.function.Consumer<ImageDescription.Builder> extra)
      throws Exception {
    Path raw = unprovisioned(dir, spec, name + "-raw", extra);
    Fs4Image image = ImageParser.parse(raw);
    int keysSize = (int) image.section(SectionType.PUBLIC_KEYS_2048).orElseThrow().size();
    byte[] keysFile = PublicKeysFile.encode(List.of(key), keysSize);
    Path out = dir.resolve(name + "-unsigned.bin");
    try (Fs4ImageSigner.PreparedImage prepared =
        Fs4ImageSigner.setPublicKeys(raw, out, keysFile)) {
      prepared.commit();
    }
    Files.delete(raw);
    return out;
  }

  /**
   * The {@value #SIZE}-byte image as the writer builds it, with empty (reserved) PUBLIC_KEYS: a
   * device running it would trust no key.
   */
  static Path unprovisioned(Path dir, SampleFirmware.Spec spec, String name) throws Exception {
    return unprovisioned(dir, spec, name, builder -> {});
  }

  private static Path unprovisioned(
      Path dir,
      SampleFirmware.Spec spec,
      String name,
      java.util.function.Consumer<ImageDescription.Builder> extra)
      throws Exception {
    Files.createDirectories(dir);
    Path raw = dir.resolve(name + ".bin");
    ImageDescription template = SampleFirmware.description(spec);
    ImageDescription.Builder builder =
        ImageDescription.builder(template.device(), template.fwVersion())
            .format(template.format())
            .psid(spec.psid())
            .securityVersion(spec.securityVersion())
            .flags(template.flags())
            .reserved(template.reserved())
            .imageSize(SIZE);
    extra.accept(builder);
    if (!spec.forbidden().isEmpty()) {
      builder.forbiddenVersions(
          new ForbiddenVersions(
              spec.forbidden().stream().map(ForbiddenVersions.Range::of).toList()));
    }
    ImageWriter.write(builder.build(), raw, true);
    return raw;
  }

  /** Signs {@code unsigned} with {@code kiln sign} (sample key, trusted UUID) into NAME.bin. */
  static Run sign(Path dir, Path unsigned, String name, String... extra) throws Exception {
    return signUnder(dir, unsigned, name, TRUSTED.toString(), extra);
  }

  private static Run signUnder(
      Path dir, Path unsigned, String name, String keyUuid, String... extra) throws Exception {
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_2048, Files.createTempDirectory(dir, "k"));
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "sign", unsigned.toString(), "--key", "file:" + key, "--key-uuid", keyUuid,
                "--allow-sample-keys", "--out", dir.resolve(name + ".bin").toString(),
                "--audit-log", dir.resolve("audit.jsonl").toString()));
    args.addAll(List.of(extra));
    return kiln(args.toArray(String[]::new));
  }

  /** Builds and signs ({@code kiln sign}, sample key) an image under {@code keyUuid}. */
  static Path signed(Path dir, SampleFirmware.Spec spec, String name, String keyUuid)
      throws Exception {
    return signed(dir, spec, name, keyUuid, builder -> {});
  }

  /** Builds (with {@code extra} IMAGE_INFO fields) and signs an image under {@code keyUuid}. */
  static Path signed(
      Path dir,
      SampleFirmware.Spec spec,
      String name,
      String keyUuid,
      java.util.function.Consumer<ImageDescription.Builder> extra)
      throws Exception {
    return signedAs(dir, unsigned(dir, spec, name, extra), name, keyUuid);
  }

  /**
   * An image signed under {@link #UNTRUSTED} whose own PUBLIC_KEYS hold that key: no key lock-out,
   * but a device trusting only {@link #TRUSTED} refuses it at VERIFY.
   */
  static Path signedByUntrustedKey(Path dir, SampleFirmware.Spec spec, String name)
      throws Exception {
    Path unsigned =
        provisioned(
            dir, spec, name,
            new PublicKeysFile.Key(
                PemKeys.readPublicKey(SampleKey.RSA_2048.publicKeyPem(), "sample key"),
                KeyUuid.parse(UNTRUSTED)));
    return signedAs(dir, unsigned, name, UNTRUSTED);
  }

  /** Signs {@code unsigned} under {@code keyUuid} (sample key) into NAME.bin; must succeed. */
  static Path signedAs(Path dir, Path unsigned, String name, String keyUuid) throws Exception {
    Run run = signUnder(dir, unsigned, name, keyUuid);
    assertEquals(0, run.exitCode(), run.err());
    return dir.resolve(name + ".bin");
  }


  /**
   * Extra description for an image with {@code mib} MiB of code: the interrupt tests need a burn
   * that lasts longer than the time a signal takes to arrive (a 160 KiB sample image crosses a
   * pipelined {@code tcp://} link in a few milliseconds).
   */
  static java.util.function.Consumer<ImageDescription.Builder> largeCode(int mib) {
    return builder ->
        builder
            .imageSize(4L * mib << 20) // the slot is half the image: room for code and the rest
            .section(
                dev.kiln.inspector.build.SectionSpec.random(
                    dev.kiln.inspector.format.SectionType.MAIN_CODE, mib << 20, 7));
  }

  /** {@link #signed(Path, SampleFirmware.Spec, String)} with {@link #largeCode} of {@code mib}. */
  static Path signedLarge(Path dir, SampleFirmware.Spec spec, String name, int mib)
      throws Exception {
    return signed(dir, spec, name, TRUSTED.toString(), largeCode(mib));
  }

  static Path signed(Path dir, SampleFirmware.Spec spec, String name) throws Exception {
    return signed(dir, spec, name, TRUSTED.toString());
  }

  /** A CX6DX device with the sample PSID running {@code image}. */
  static Path device(Path dir, Path image) throws Exception {
    return device(dir, image, SampleFirmware.DEVICE, SampleFirmware.PSID);
  }

  /** As {@link #device(Path, Path)} for another adapter type and PSID. */
  static Path device(Path dir, Path image, dev.kiln.inspector.section.DeviceType type, String psid)
      throws Exception {
    EmulatedDevice.create(
        dir,
        new DeviceIdentity(type, psid, 0x0002C9ABCDEFL,
            Math.max(2L << 20, Long.highestOneBit(Files.size(image) * 2 - 1) * 2), 0),
        Files.readAllBytes(image));
    return dir;
  }
}
