package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.signer.fs4.Fs4Fixtures;
import dev.kiln.testkit.Mstflint;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignCommandTest {
  private static final String UUID = "01234567-89ab-cdef-0123-456789abcdef";

  @TempDir Path dir;

  record Run(int exitCode, String out, String err) {}

  static Run kiln(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KilnCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  private Path image(String name) throws Exception {
    Path image = dir.resolve(name);
    Files.write(image, Fs4Fixtures.build(Fs4Fixtures.v1()));
    return image;
  }

  private static String sha512(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-512").digest(Files.readAllBytes(file)));
  }

  private List<String> names() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void signsLikeMstflintAndWritesOneAuditLine() throws Exception {
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir);
    Path input = image("in.bin");
    Path reference = dir.resolve("mstflint.bin");
    Files.copy(input, reference);
    Mstflint.Result vendor =
        Mstflint.require()
            .onImage(reference, "--private_key", key.toString(), "--key_uuid", UUID, "sign");
    assertEquals(0, vendor.exitCode(), vendor.output());
    Path out = dir.resolve("out.bin");
    Run run =
        kiln(
            "sign",
            input.toString(),
            "--key",
            "file:" + key,
            "--key-uuid",
            UUID,
            "--out",
            out.toString(),
            "--allow-sample-keys");
    assertEquals(0, run.exitCode(), run.err());
    assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(out));
    assertTrue(run.out().contains("IMAGE_SIGNATURE_512: signed with file:" + key), run.out());

    List<String> lines = Files.readAllLines(dir.resolve("out.bin.kiln-audit.jsonl"));
    assertEquals(1, lines.size());
    JsonNode audit = new ObjectMapper().readTree(lines.get(0));
    assertEquals("sign", audit.get("operation").asText());
    assertEquals(sha512(input), audit.get("sha512Before").asText());
    assertEquals(sha512(out), audit.get("sha512After").asText());
    JsonNode signature = audit.get("signatures").get(0);
    assertEquals(SampleKey.RSA_4096.fingerprint(), signature.get("publicKeyFingerprint").asText());
    assertEquals(UUID, signature.get("keyUuid").asText());
    assertEquals("file", signature.get("backend").asText());
    assertTrue(signature.get("kmsRequestId").isNull());
    assertEquals(System.getProperty("user.name"), audit.get("user").asText());
    assertFalse(audit.get("host").asText().isBlank());
    assertFalse(lines.get(0).contains("PRIVATE"));
  }

  @Test
  void replacesTheImageInPlaceWithTwoKeysAndAnEncryptedPem() throws Exception {
    Path key2048 = SampleKeys.copyTo(SampleKeys.RSA2048_PKCS1_ENCRYPTED, dir);
    Path key4096 = SampleKeys.copyTo(SampleKeys.RSA4096_PKCS8_ENCRYPTED, dir);
    Path passphrase = SampleKeys.copyTo(SampleKeys.PASSPHRASE, dir);
    Path input = image("in.bin");
    Path audit = dir.resolve("logs").resolve("audit.jsonl");
    Run run =
        kiln(
            "sign",
            input.toString(),
            "--key",
            "file:" + key2048,
            "--key-uuid",
            UUID,
            "--key2",
            "file:" + key4096,
            "--key-uuid2",
            UUID.replace('0', 'f'),
            "--key-pass",
            "file:" + passphrase,
            "--allow-sample-keys",
            "--audit-log",
            audit.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertEquals(0, Mstflint.require().verify(input).exitCode());
    JsonNode record = new ObjectMapper().readTree(Files.readAllLines(audit).get(0));
    assertEquals("IMAGE_SIGNATURE_512", record.get("signatures").get(0).get("section").asText());
    assertEquals("IMAGE_SIGNATURE_256", record.get("signatures").get(1).get("section").asText());
    assertFalse(Files.readString(audit).contains("passphrase"));
  }

  @Test
  void refusesSampleKeysUnlessAllowed() throws Exception {
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_2048, dir);
    Path input = image("in.bin");
    byte[] before = Files.readAllBytes(input);
    Run run = kiln("sign", input.toString(), "--key", "file:" + key, "--key-uuid", UUID);
    assertEquals(ExitCodes.KEY_ACCESS, run.exitCode());
    assertTrue(run.err().startsWith("kiln: file:" + key + " is a keys-sample key"), run.err());
    assertTrue(run.err().contains("--allow-sample-keys"));
    assertArrayEquals(before, Files.readAllBytes(input));
    assertEquals(List.of("in.bin", key.getFileName().toString()), names());
  }

  @Test
  void usageAndInputErrorsHaveTheirExitCodes() throws Exception {
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_2048, dir);
    Path input = image("in.bin");
    Run badUuid = kiln("sign", input.toString(), "--key", "file:" + key, "--key-uuid", "12-34");
    assertEquals(ExitCodes.USAGE, badUuid.exitCode());
    assertTrue(badUuid.err().contains("32 hexadecimal digits"), badUuid.err());

    Run missing =
        kiln(
            "sign", dir.resolve("nope.bin").toString(), "--key", "file:" + key, "--key-uuid", UUID);
    assertEquals(ExitCodes.UNREADABLE_INPUT, missing.exitCode());
    assertEquals("kiln: " + dir.resolve("nope.bin") + ": no such file\n", missing.err());

    Path junk = dir.resolve("junk.bin");
    Files.write(junk, new byte[4096]);
    Run notImage =
        kiln(
            "sign",
            junk.toString(),
            "--key",
            "file:" + key,
            "--key-uuid",
            UUID,
            "--allow-sample-keys");
    assertEquals(ExitCodes.UNREADABLE_INPUT, notImage.exitCode(), notImage.err());

    Run noKey =
        kiln(
            "sign",
            input.toString(),
            "--key",
            "file:" + dir.resolve("none.pem"),
            "--key-uuid",
            UUID);
    assertEquals(ExitCodes.KEY_ACCESS, noKey.exitCode(), noKey.err());

    Run half =
        kiln(
            "sign",
            input.toString(),
            "--key",
            "file:" + key,
            "--key-uuid",
            UUID,
            "--key2",
            "file:" + key);
    assertEquals(ExitCodes.USAGE, half.exitCode());
  }

  @Test
  void anUnwritableAuditLogPublishesNothing() throws Exception {
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_2048, dir);
    Path input = image("in.bin");
    Path logDir = Files.createDirectory(dir.resolve("log-is-a-dir"));
    Path out = dir.resolve("out.bin");
    Run run =
        kiln(
            "sign",
            input.toString(),
            "--key",
            "file:" + key,
            "--key-uuid",
            UUID,
            "--out",
            out.toString(),
            "--allow-sample-keys",
            "--audit-log",
            logDir.toString());
    assertEquals(ExitCodes.UNREADABLE_INPUT, run.exitCode(), run.err());
    assertTrue(run.err().contains("nothing was written"), run.err());
    assertFalse(Files.exists(out));
    assertEquals(List.of("in.bin", "log-is-a-dir", key.getFileName().toString()), names());
  }

  @Test
  void refusesAnImageWithoutTheTargetSection() throws Exception {
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir);
    Path input = dir.resolve("in.bin");
    Files.write(input, Fs4Fixtures.build(Fs4Fixtures.v1().without(0xA3)));
    Run run =
        kiln(
            "sign",
            input.toString(),
            "--key",
            "file:" + key,
            "--key-uuid",
            UUID,
            "--allow-sample-keys");
    assertEquals(ExitCodes.CHECK_FAILED, run.exitCode());
    assertEquals(
        "kiln: the image has no IMAGE_SIGNATURE_512 section (ITOC type 0xA3)\n", run.err());
  }

  @Test
  void secureBootSigningThroughTheCli() throws Exception {
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir);
    Path input = image("in.bin");
    Path out = dir.resolve("sb.bin");
    Run run =
        kiln(
            "sign",
            input.toString(),
            "--secure-boot",
            "--key",
            "file:" + key,
            "--key-uuid",
            UUID,
            "--out",
            out.toString(),
            "--allow-sample-keys");
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("RSA_4096_SIGNATURES: signed"), run.out());
    assertTrue(run.out().contains("IMAGE_SIGNATURE_512: signed"), run.out());
    assertEquals(0, Mstflint.require().verify(out).exitCode());
    Run twoKeys =
        kiln(
            "sign",
            input.toString(),
            "--secure-boot",
            "--key",
            "file:" + key,
            "--key-uuid",
            UUID,
            "--key2",
            "file:" + key,
            "--key-uuid2",
            UUID);
    assertEquals(ExitCodes.USAGE, twoKeys.exitCode());
  }

  @Test
  void signsThroughKmsWithRegionAndEndpointOptions() throws Exception {
    String previousId = System.getProperty("aws.accessKeyId");
    String previousSecret = System.getProperty("aws.secretAccessKey");
    System.setProperty("aws.accessKeyId", dev.kiln.testkit.kms.LocalKms.ACCESS_KEY_ID);
    System.setProperty("aws.secretAccessKey", dev.kiln.testkit.kms.LocalKms.SECRET_ACCESS_KEY);
    try (dev.kiln.testkit.kms.LocalKms kms = dev.kiln.testkit.kms.LocalKms.start()) {
      String keyId = kms.importKey(SampleKey.RSA_4096.privateKeyPem(), "SIGN_VERIFY");
      Path input = image("in.bin");
      Path viaFile = dir.resolve("file.bin");
      Path key = SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir);
      assertEquals(
          0,
          kiln(
                  "sign",
                  input.toString(),
                  "--key",
                  "file:" + key,
                  "--key-uuid",
                  UUID,
                  "--out",
                  viaFile.toString(),
                  "--allow-sample-keys")
              .exitCode());
      Path viaKms = dir.resolve("kms.bin");
      Run run =
          kiln(
              "sign",
              input.toString(),
              "--key",
              "awskms:///" + keyId,
              "--key-uuid",
              UUID,
              "--kms-region",
              kms.region(),
              "--kms-endpoint",
              kms.endpoint().toString(),
              "--out",
              viaKms.toString(),
              "--allow-sample-keys");
      assertEquals(0, run.exitCode(), run.err());
      assertArrayEquals(Files.readAllBytes(viaFile), Files.readAllBytes(viaKms));
      JsonNode signature =
          new ObjectMapper()
              .readTree(Files.readAllLines(dir.resolve("kms.bin.kiln-audit.jsonl")).get(0))
              .get("signatures")
              .get(0);
      assertEquals("awskms", signature.get("backend").asText());
      assertFalse(signature.get("kmsRequestId").isNull());
      assertFalse(
          Files.readString(dir.resolve("kms.bin.kiln-audit.jsonl"))
              .contains(dev.kiln.testkit.kms.LocalKms.SECRET_ACCESS_KEY));
    } finally {
      restore("aws.accessKeyId", previousId);
      restore("aws.secretAccessKey", previousSecret);
    }
  }

  static void restore(String name, String value) {
    if (value == null) {
      System.clearProperty(name);
    } else {
      System.setProperty(name, value);
    }
  }

  /** Issue 12 item 3, issue 14: several images in one run, one audit log, one record each. */
  @Test
  void signsSeveralImagesInOneRunWithOneRecordEachInOneAuditLog() throws Exception {
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir);
    Path images = Files.createDirectories(dir.resolve("release"));
    List<Path> inputs = new java.util.ArrayList<>();
    List<String> before = new java.util.ArrayList<>();
    List<Path> references = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Path image = images.resolve("fw-" + i + ".bin");
      // Distinct images: MAIN sections of different sizes.
      Files.write(image, Fs4Fixtures.build(Fs4Fixtures.v1().withMainSize(0x4000 + 0x1000 * i)));
      inputs.add(image);
      before.add(sha512(image));
      Path reference = dir.resolve("mstflint-" + i + ".bin");
      Files.copy(image, reference);
      Mstflint.Result vendor =
          Mstflint.require()
              .onImage(reference, "--private_key", key.toString(), "--key_uuid", UUID, "sign");
      assertEquals(0, vendor.exitCode(), vendor.output());
      references.add(reference);
    }
    List<String> args = new java.util.ArrayList<>(List.of("sign"));
    inputs.forEach(p -> args.add(p.toString()));
    args.addAll(List.of("--key", "file:" + key, "--key-uuid", UUID, "--allow-sample-keys"));
    Run run = kiln(args.toArray(String[]::new));
    assertEquals(0, run.exitCode(), run.err());
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(Files.readAllBytes(references.get(i)), Files.readAllBytes(inputs.get(i)),
          "image " + i + " is byte-identical to mstflint's");
      assertTrue(run.out().contains("wrote " + inputs.get(i)), run.out());
    }
    // One log for the run, beside the images; no per-image logs, no temporary files.
    try (Stream<Path> files = Files.list(images)) {
      assertEquals(
          List.of("fw-0.bin", "fw-1.bin", "fw-2.bin", SignCommand.SHARED_AUDIT_LOG),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    List<String> lines = Files.readAllLines(images.resolve(SignCommand.SHARED_AUDIT_LOG));
    assertEquals(3, lines.size());
    for (int i = 0; i < 3; i++) {
      JsonNode record = new ObjectMapper().readTree(lines.get(i));
      assertEquals(inputs.get(i).toAbsolutePath().toString(), record.get("input").asText());
      assertEquals(before.get(i), record.get("sha512Before").asText());
      assertEquals(sha512(inputs.get(i)), record.get("sha512After").asText());
      assertEquals("IMAGE_SIGNATURE_512",
          record.get("signatures").get(0).get("section").asText());
    }
  }

  @Test
  void oneBadImagePublishesNoneAndNamesIt() throws Exception {
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir);
    Path good = image("good.bin");
    Path bad = dir.resolve("bad.bin");
    Files.write(bad, new byte[4096]); // no FS4 magic
    String goodBefore = sha512(good);
    Run run =
        kiln("sign", good.toString(), bad.toString(), "--key", "file:" + key, "--key-uuid", UUID,
            "--allow-sample-keys");
    assertEquals(ExitCodes.UNREADABLE_INPUT, run.exitCode(), run.err());
    List<String> errors =
        run.err().lines().filter(line -> !line.startsWith("kiln: warning:")).toList();
    assertEquals(1, errors.size(), run.err());
    assertTrue(errors.get(0).startsWith("kiln: " + bad + ": "), run.err());
    assertEquals(goodBefore, sha512(good), "the good image is not published either");
    assertEquals(List.of("bad.bin", "good.bin", key.getFileName().toString()).stream().sorted()
        .toList(), names(), "no audit log, no temporary file");
  }

  @Test
  void severalImagesRefuseOutAndNeedOneLogDirectory() throws Exception {
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir);
    Path one = image("one.bin");
    Path other = Files.createDirectories(dir.resolve("other")).resolve("two.bin");
    Files.copy(one, other);
    Run withOut =
        kiln("sign", one.toString(), other.toString(), "--out", dir.resolve("x.bin").toString(),
            "--key", "file:" + key, "--key-uuid", UUID, "--allow-sample-keys");
    assertEquals(ExitCodes.USAGE, withOut.exitCode(), withOut.err());
    assertTrue(withOut.err().contains("--out takes one IMAGE"), withOut.err());
    Run split =
        kiln("sign", one.toString(), other.toString(), "--key", "file:" + key, "--key-uuid", UUID,
            "--allow-sample-keys");
    assertEquals(ExitCodes.USAGE, split.exitCode(), split.err());
    assertTrue(split.err().contains("--audit-log"), split.err());
    Run twice =
        kiln("sign", one.toString(), one.toString(), "--key", "file:" + key, "--key-uuid", UUID,
            "--allow-sample-keys");
    assertEquals(ExitCodes.USAGE, twice.exitCode(), twice.err());
    Path log = dir.resolve("audit.jsonl");
    Run logged =
        kiln("sign", one.toString(), other.toString(), "--key", "file:" + key, "--key-uuid", UUID,
            "--allow-sample-keys", "--audit-log", log.toString());
    assertEquals(0, logged.exitCode(), logged.err());
    assertEquals(2, Files.readAllLines(log).size());
  }
}
