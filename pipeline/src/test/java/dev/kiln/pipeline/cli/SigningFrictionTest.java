package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.signer.fs4.Fs4Fixtures;
import dev.kiln.signer.pem.PemKeys;
import dev.kiln.testkit.SoftHsmToken;
import dev.kiln.testkit.kms.LocalKms;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, "Signing friction": one test per defect. {@code kiln keys export} for every backend,
 * {@code --trust} with key references and pkcs11-tool's DER, exit code 4 for every malformed key
 * reference and unusable key, {@code --require-signed} alone, one UUID spelling, the hint for
 * {@code --secure-boot} without RSA sections, and the PIN prompt on a terminal.
 */
class SigningFrictionTest {
  static final String UUID = "6f065e04-bb0b-4334-9d90-f62cea2b3382";

  @TempDir static Path dir;
  static SoftHsmToken token;
  static Path privateKey;
  static Path publicKey;
  static Path signed;

  @BeforeAll
  static void setUp() throws Exception {
    token = SoftHsmToken.create("kiln-friction", SampleKey.RSA_2048);
    privateKey = SampleKeys.writePrivateKey(SampleKey.RSA_2048, dir);
    publicKey = SampleKeys.writePublicKey(SampleKey.RSA_2048, dir);
    signed = dir.resolve("signed.bin");
    Files.write(signed, Fs4Fixtures.build(Fs4Fixtures.v1()));
    SignCommandTest.Run sign =
        SignCommandTest.kiln("sign", signed.toString(), "--key", "file:" + privateKey,
            "--key-uuid", UUID, "--allow-sample-keys", "--audit-log",
            dir.resolve("audit.jsonl").toString());
    assertEquals(0, sign.exitCode(), sign.err());
  }

  @AfterAll
  static void tearDown() throws Exception {
    Files.deleteIfExists(dir.resolve("audit.jsonl"));
  }

  static RSAPublicKey sampleKey() throws Exception {
    return PemKeys.readPublicKey(Files.readString(publicKey), "sample");
  }

  /** {@code kiln keys export KEYREF} prints the same PEM public key for each backend. */
  void exportsThePemAndTheEntry(String reference, String... access) throws Exception {
    List<String> args = new ArrayList<>(List.of("keys", "export", reference));
    args.addAll(List.of(access));
    SignCommandTest.Run pem = SignCommandTest.kiln(args.toArray(new String[0]));
    assertEquals(0, pem.exitCode(), pem.err());
    assertTrue(pem.out().startsWith("-----BEGIN PUBLIC KEY-----\n"), pem.out());
    assertEquals(sampleKey(), PemKeys.readPublicKey(pem.out(), reference));

    Path entry = dir.resolve("entry-" + Integer.toHexString(reference.hashCode()) + ".bin");
    args.addAll(List.of("--uuid", UUID, "--size", "0x900", "--out", entry.toString()));
    SignCommandTest.Run section = SignCommandTest.kiln(args.toArray(new String[0]));
    assertEquals(0, section.exitCode(), section.err());
    Path packed = dir.resolve("packed.bin");
    SignCommandTest.Run pack =
        SignCommandTest.kiln("keys", "pack", "--out", packed.toString(), "--size", "0x900",
            "--key", publicKey.toString(), "--uuid", UUID);
    assertEquals(0, pack.exitCode(), pack.err());
    assertArrayEquals(Files.readAllBytes(packed), Files.readAllBytes(entry),
        "the PUBLIC_KEYS entry kiln keys pack writes for the exported key");
  }

  @Test
  void keysExportWorksForAFileKey() throws Exception {
    exportsThePemAndTheEntry("file:" + privateKey);
  }

  @Test
  void keysExportWorksForAPkcs11Key() throws Exception {
    exportsThePemAndTheEntry(token.uri(SampleKey.RSA_2048));
  }

  @Test
  void keysExportWorksForAKmsKey() throws Exception {
    AutoCloseable credentials = LocalKms.useAsDefaultCredentials();
    try (LocalKms kms = LocalKms.start()) {
      String keyId = kms.importKey(SampleKey.RSA_2048.privateKeyPem(), "SIGN_VERIFY");
      exportsThePemAndTheEntry("awskms:///" + keyId, "--kms-region", kms.region(),
          "--kms-endpoint", kms.endpoint().toString());
      // --trust takes the same reference: the KMS key's public half.
      SignCommandTest.Run verify =
          SignCommandTest.kiln("verify", signed.toString(), "--kms-region", kms.region(),
              "--kms-endpoint", kms.endpoint().toString(), "--trust", "awskms:///" + keyId);
      assertEquals(0, verify.exitCode(), verify.out() + verify.err());
      assertTrue(verify.out().contains("SIGNATURE_VERIFIED"), verify.out());
    } finally {
      credentials.close();
    }
  }

  @Test
  void trustTakesKeyReferences() throws Exception {
    for (String reference : List.of(token.uri(SampleKey.RSA_2048), "file:" + privateKey)) {
      SignCommandTest.Run verify =
          SignCommandTest.kiln("verify", signed.toString(), "--trust", reference);
      assertEquals(0, verify.exitCode(), reference + ": " + verify.out() + verify.err());
      assertTrue(verify.out().contains("SIGNATURE_VERIFIED"), verify.out());
    }
  }

  @Test
  void trustTakesPkcs11ToolsDerOutput() throws Exception {
    Path der = dir.resolve("pkcs11-tool.der");
    token.pkcs11Tool("--read-object", "--type", "pubkey", "--label",
        SoftHsmToken.keyLabel(SampleKey.RSA_2048), "--output-file", der.toString());
    assertEquals(0x30, Files.readAllBytes(der)[0], "DER, not PEM");
    SignCommandTest.Run verify =
        SignCommandTest.kiln("verify", signed.toString(), "--trust", der.toString());
    assertEquals(0, verify.exitCode(), verify.out() + verify.err());
    assertTrue(verify.out().contains("SIGNATURE_VERIFIED"), verify.out());
    // And for signed documents: a feed signed with the key verifies against the DER file.
    Path body = dir.resolve("feed-body.json");
    java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Files.writeString(body, "{\"feed\": {\"format\": \"kiln-forbidden-versions-v1\", \"issued\": \""
        + now.minusSeconds(60) + "\", \"expires\": \"" + now.plusSeconds(86400)
        + "\", \"sequence\": 1, \"entries\": []}}");
    Path feed = dir.resolve("feed.json");
    SignCommandTest.Run sign =
        SignCommandTest.kiln("feed", "sign", body.toString(), "--out", feed.toString(), "--key",
            "file:" + privateKey, "--allow-sample-keys");
    assertEquals(0, sign.exitCode(), sign.err());
    SignCommandTest.Run feedVerify =
        SignCommandTest.kiln("feed", "verify", feed.toString(), "--trust", der.toString());
    assertEquals(0, feedVerify.exitCode(), feedVerify.out() + feedVerify.err());
  }

  /** docs/key-references.md: key reference errors map to exit code 4. */
  @Test
  void everyMalformedKeyReferenceExitsWithTheKeyAccessCode() throws Exception {
    Path image = dir.resolve("to-sign.bin");
    Files.write(image, Fs4Fixtures.build(Fs4Fixtures.v1()));
    Path rsa3072 = dir.resolve("rsa3072.pem");
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
    generator.initialize(3072);
    Files.writeString(rsa3072,
        "-----BEGIN PRIVATE KEY-----\n"
            + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    Path rsa4096 = SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir);
    List<List<String>> cases =
        List.of(
            List.of("--key", "pkcs11:token=t;object=k?pin-value=1234"),
            List.of("--key", "pkcs11:object=k?pin-source=env:KILN_PIN"),
            List.of("--key", "pkcs11:token=t?object=k"),
            List.of("--key", privateKey.toString()),
            List.of("--key", "file:" + rsa3072),
            List.of("--key", "file:" + rsa4096, "--key2", "file:" + rsa4096, "--key-uuid2", UUID),
            List.of("--key", "pkcs11:token=t%zz;object=k"));
    for (List<String> keyArgs : cases) {
      List<String> args = new ArrayList<>(List.of("sign", image.toString(), "--out",
          dir.resolve("never.bin").toString(), "--key-uuid", UUID, "--allow-sample-keys"));
      args.addAll(keyArgs);
      SignCommandTest.Run run = SignCommandTest.kiln(args.toArray(new String[0]));
      assertEquals(ExitCodes.KEY_ACCESS, run.exitCode(), keyArgs + ": " + run.err());
      assertTrue(run.err().startsWith("kiln: ") && run.err().lines().count() == 1, run.err());
      assertFalse(run.err().contains("1234"), "never the PIN: " + run.err());
      assertFalse(Files.exists(dir.resolve("never.bin")));
    }
  }

  @Test
  void requireSignedAloneAcceptsASignatureByAnyKey() throws Exception {
    SignCommandTest.Run run =
        SignCommandTest.kiln("verify", signed.toString(), "--require-signed");
    assertEquals(0, run.exitCode(), run.out() + run.err());
    assertFalse(run.out().contains("SIGNATURE_UNKNOWN_KEY"), run.out());
  }

  /** 32 hex digits in a row: a UUID printed without its dashes (SHA digests are longer). */
  static final Pattern UNDASHED = Pattern.compile("(?<![0-9a-fA-F])[0-9a-f]{32}(?![0-9a-fA-F])");

  @Test
  void keyUuidsPrintDashedEverywhere() throws Exception {
    for (String[] args :
        new String[][] {
          {"inspect", signed.toString()},
          {"inspect", "--json", signed.toString()},
          {"verify", signed.toString(), "--trust-image-keys"},
          {"verify", signed.toString(), "--trust", publicKey.toString(), "--json"},
        }) {
      SignCommandTest.Run run = SignCommandTest.kiln(args);
      String all = run.out() + run.err();
      assertFalse(UNDASHED.matcher(all).find(), String.join(" ", args) + ":\n" + all);
      assertTrue(all.contains(UUID), String.join(" ", args) + ":\n" + all);
    }
  }

  @Test
  void secureBootWithoutRsaSectionsSaysHowToReserveThem() throws Exception {
    Path image = dir.resolve("no-rsa.bin");
    SignCommandTest.Run build =
        SignCommandTest.kiln("build", Path.of("src/main/resources/dev/kiln/pipeline/samples/"
            + "cx6dx-sample.json").toString(), "--out", image.toString());
    assertEquals(0, build.exitCode(), build.err());
    Path key = SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir);
    SignCommandTest.Run run =
        SignCommandTest.kiln("sign", image.toString(), "--key", "file:" + key, "--key-uuid",
            UUID, "--allow-sample-keys", "--secure-boot", "--out",
            dir.resolve("never.bin").toString());
    assertEquals(ExitCodes.CHECK_FAILED, run.exitCode(), run.err());
    assertTrue(run.err().contains("\"reserve\"") && run.err().contains("RSA_PUBLIC_KEY")
        && run.err().contains("RSA_4096_SIGNATURES"), run.err());
  }

  /** Reads {@code in} until {@code text} has appeared (or the stream ends); returns all read. */
  static String readUntil(InputStream in, ByteArrayOutputStream seen, String text)
      throws Exception {
    int b;
    while (!seen.toString(StandardCharsets.UTF_8).contains(text) && (b = in.read()) >= 0) {
      seen.write(b);
    }
    return seen.toString(StandardCharsets.UTF_8);
  }

  /**
   * Runs {@code kiln sign} with {@code reference} on a terminal (a pty from script(1)), types
   * {@code secret} once the prompt {@code prompt} appears, and returns the transcript.
   */
  static String signOnATerminal(String name, String reference, String prompt, String secret)
      throws Exception {
    Path image = dir.resolve(name + ".bin");
    Files.write(image, Fs4Fixtures.build(Fs4Fixtures.v1()));
    StringBuilder shell = new StringBuilder();
    for (String word :
        KilnChildProcess.command("sign", image.toString(), "--key", reference, "--key-uuid",
            UUID, "--allow-sample-keys", "--audit-log", dir.resolve(name + ".jsonl").toString())) {
      shell.append('\'').append(word.replace("'", "'\\''")).append("' ");
    }
    ProcessBuilder builder =
        new ProcessBuilder("script", "-qec", shell.toString(), "/dev/null")
            .redirectErrorStream(true);
    builder.environment().put("SOFTHSM2_CONF", SoftHsmToken.configuration().toString());
    Process process = builder.start();
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    String shown = readUntil(process.getInputStream(), seen, prompt + ": ");
    assertTrue(shown.contains(prompt + ": "), shown);
    try (OutputStream typing = process.getOutputStream()) {
      typing.write((secret + "\n").getBytes(StandardCharsets.UTF_8));
      typing.flush();
      readUntil(process.getInputStream(), seen, "wrote ");
      seen.writeBytes(process.getInputStream().readAllBytes());
    }
    assertTrue(process.waitFor(KilnChildProcess.TIMEOUT_SECONDS, TimeUnit.SECONDS));
    String transcript = seen.toString(StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), transcript);
    assertTrue(transcript.contains(": signed with " + reference), transcript);
    assertFalse(transcript.contains(secret), "the secret was echoed: " + transcript);
    return transcript;
  }

  /** A PIN typed at the prompt on a terminal signs, and is not echoed. */
  @Test
  void aPinIsAskedForOnATerminalWithoutEcho() throws Exception {
    String reference = "pkcs11:token=" + token.label() + ";object="
        + SoftHsmToken.keyLabel(SampleKey.RSA_2048);
    signOnATerminal("pin-prompted", reference, "PIN for " + reference, SoftHsmToken.USER_PIN);
  }

  /** So is the passphrase of an encrypted PEM key given without --key-pass. */
  @Test
  void aPassphraseIsAskedForOnATerminalWithoutEcho() throws Exception {
    Path encrypted = dir.resolve("encrypted.pem");
    try (InputStream in = SampleKeys.class.getResourceAsStream(SampleKeys.RSA2048_PKCS1_ENCRYPTED);
        InputStream phrase = SampleKeys.class.getResourceAsStream(SampleKeys.PASSPHRASE)) {
      Files.write(encrypted, in.readAllBytes());
      String passphrase = new String(phrase.readAllBytes(), StandardCharsets.UTF_8).strip();
      signOnATerminal("passphrase-prompted", "file:" + encrypted,
          "passphrase for file:" + encrypted, passphrase);
    }
  }
}
