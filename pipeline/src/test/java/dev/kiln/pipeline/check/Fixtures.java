package dev.kiln.pipeline.check;

import dev.kiln.emulator.DeviceIdentity;
import dev.kiln.emulator.EmulatedDevice;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.pipeline.cli.KilnCli;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.SigningServices;
import dev.kiln.signer.fs4.KeyUuid;
import dev.kiln.signer.fs4.PublicKeysFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;

/**
 * Real images, keys and an emulated device for the pipeline's command tests: images come from the
 * inspector's writer and the signer's engine (via {@link SampleFirmware}), the device is the
 * emulator, and target profiles are what {@code kiln query --json} prints for it.
 */
public final class Fixtures implements AutoCloseable {
  /** The UUID the device trusts the sample RSA-2048 key under. */
  public static final KeyUuid TRUSTED_UUID = KeyUuid.parse(SampleKey.RSA_2048.uuid().toString());

  /** The version the emulated device runs at the start. */
  public static final String RUNNING = "22.39.1002";

  /** The version the device's own image forbids. */
  public static final String DEVICE_FORBIDDEN = "22.40.1000";

  public final Path dir;
  public final Path privateKey;
  public final Path publicKey;
  public final SigningService key;
  public final PublicKeysFile.Key trusted;

  public Fixtures(Path dir) throws Exception {
    this.dir = dir;
    this.privateKey = SampleKeys.writePrivateKey(SampleKey.RSA_2048, dir);
    this.publicKey = SampleKeys.writePublicKey(SampleKey.RSA_2048, dir);
    this.key = SigningServices.open("file:" + privateKey, KeyOptions.defaults());
    this.trusted = new PublicKeysFile.Key(key.publicKey(), TRUSTED_UUID);
  }

  /** Builds and signs an image with the trusted key and UUID. */
  public Path signed(SampleFirmware.Spec spec, String name) throws Exception {
    Path unsigned = unsigned(spec, name + ".unsigned");
    Path out = dir.resolve(name + ".bin");
    SampleFirmware.sign(unsigned, out, key, TRUSTED_UUID);
    return out;
  }

  /** Builds and signs an image with the trusted key but another UUID. */
  public Path signedWithUuid(SampleFirmware.Spec spec, String name, KeyUuid uuid)
      throws Exception {
    Path out = dir.resolve(name + ".bin");
    SampleFirmware.sign(unsigned(spec, name + ".unsigned"), out, key, uuid);
    return out;
  }

  /** Builds and signs an image with a freshly generated RSA-2048 key under the trusted UUID. */
  public Path signedByImpostor(SampleFirmware.Spec spec, String name) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    byte[] pkcs8 = generator.generateKeyPair().getPrivate().getEncoded();
    Path pem = dir.resolve(name + "-impostor.pem");
    Files.writeString(
        pem,
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(pkcs8)
            + "\n-----END PRIVATE KEY-----\n",
        StandardCharsets.US_ASCII);
    try (SigningService impostor = SigningServices.open("file:" + pem, KeyOptions.defaults())) {
      Path out = dir.resolve(name + ".bin");
      SampleFirmware.sign(unsigned(spec, name + ".unsigned"), out, impostor, TRUSTED_UUID);
      return out;
    }
  }

  /** Builds an image, provisioned with the trusted key, but unsigned. */
  public Path unsigned(SampleFirmware.Spec spec, String name) throws Exception {
    Path out = dir.resolve(name + ".bin");
    SampleFirmware.buildUnsigned(spec, trusted, out);
    return out;
  }

  /**
   * Creates an emulated device running a signed {@link #RUNNING} image that forbids {@link
   * #DEVICE_FORBIDDEN}, and returns its {@code emu:} URI.
   */
  public String device(String name) throws Exception {
    Path first =
        signed(
            SampleFirmware.Spec.secure(RUNNING)
                .withForbidden(
                    java.util.List.of(
                        dev.kiln.inspector.section.FwVersion.parse(DEVICE_FORBIDDEN))),
            name + "-first");
    Path deviceDir = dir.resolve(name);
    EmulatedDevice.create(
        deviceDir,
        new DeviceIdentity(SampleFirmware.DEVICE, SampleFirmware.PSID, 0x0002c9000000L,
            4L << 20, 0),
        Files.readAllBytes(first));
    return "emu:" + deviceDir;
  }

  /** Saves {@code kiln query --json} of the device as a target profile file. */
  public Path profile(String device, String name) throws Exception {
    Result query = kiln("query", "--device", device, "--json");
    if (query.exitCode != 0) {
      throw new AssertionError("kiln query failed: " + query.err);
    }
    Path file = dir.resolve(name + ".json");
    Files.writeString(file, query.out, StandardCharsets.UTF_8);
    return file;
  }

  /** One in-process {@code kiln} run. */
  public record Result(int exitCode, String out, String err) {}

  public static Result kiln(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KilnCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  @Override
  public void close() {
    key.close();
  }
}
