package dev.kiln.signer.fs4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.SigningServices;
import dev.kiln.signer.fs4.Fs4ImageSigner.PreparedImage;
import dev.kiln.signer.fs4.Fs4ImageSigner.SigningKey;
import dev.kiln.testkit.Mstflint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kiln's output must equal mstflint's, byte for byte, for the same input, key and UUID. Each test
 * builds an image, lets mstflint change one copy and Kiln another, and compares whole files.
 */
class MstflintByteIdentityTest {
  private static final String UUID_A = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
  private static final String UUID_B = "00112233445566778899aabbccddeeff";

  static Mstflint mstflint;

  @TempDir Path dir;

  @BeforeAll
  static void requireMstflint() {
    mstflint = Mstflint.require();
  }

  private Path key(SampleKey key) throws IOException {
    return SampleKeys.writePrivateKey(key, dir);
  }

  private Path pkcs1Key2048() throws IOException {
    return SampleKeys.copyTo(SampleKeys.RSA2048_PKCS1, dir);
  }

  /** Writes the fixture twice: the copy for mstflint and the input for Kiln. */
  private Path[] inputs(Fs4Fixtures.Spec spec, String name) throws IOException {
    byte[] image = Fs4Fixtures.build(spec);
    Path forMstflint = dir.resolve(name + "-mstflint.bin");
    Path forKiln = dir.resolve(name + "-kiln-in.bin");
    Files.write(forMstflint, image);
    Files.write(forKiln, image);
    assertEquals(0, mstflint.verify(forKiln).exitCode(), mstflint.verify(forKiln).output());
    return new Path[] {forMstflint, forKiln};
  }

  private void runMstflint(Path image, String... args) {
    Mstflint.Result result = mstflint.onImage(image, args);
    assertEquals(0, result.exitCode(), "mstflint failed: " + result.output());
  }

  private Path kilnSign(Path input, List<Path> keys, List<String> uuids) throws Exception {
    Path output = dir.resolve(input.getFileName() + ".signed");
    List<SigningService> services = new ArrayList<>();
    try {
      List<SigningKey> signingKeys = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        SigningService service = SigningServices.open("file:" + keys.get(i), KeyOptions.defaults());
        services.add(service);
        signingKeys.add(new SigningKey(service, KeyUuid.parse(uuids.get(i))));
      }
      try (PreparedImage prepared = Fs4ImageSigner.sign(input, output, signingKeys)) {
        prepared.commit();
      }
    } finally {
      services.forEach(SigningService::close);
    }
    return output;
  }

  private static void assertSameFile(Path expected, Path actual) throws IOException {
    byte[] a = Files.readAllBytes(expected);
    byte[] b = Files.readAllBytes(actual);
    assertEquals(a.length, b.length, "file sizes differ");
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        int from = Math.max(0, i - 8);
        int to = Math.min(a.length, i + 24);
        throw new AssertionError(
            String.format(
                "first difference at 0x%x%n mstflint: %s%n kiln:     %s",
                i, HexFormat.of().formatHex(a, from, to), HexFormat.of().formatHex(b, from, to)));
      }
    }
  }

  private void signAndCompare(
      Fs4Fixtures.Spec spec, String name, List<Path> keys, List<String> uuids) throws Exception {
    Path[] in = inputs(spec, name);
    List<String> args = new ArrayList<>();
    args.add("--private_key");
    args.add(keys.get(0).toString());
    args.add("--key_uuid");
    args.add(uuids.get(0));
    if (keys.size() > 1) {
      args.add("--private_key2");
      args.add(keys.get(1).toString());
      args.add("--key_uuid2");
      args.add(uuids.get(1));
    }
    args.add("sign");
    runMstflint(in[0], args.toArray(String[]::new));
    byte[] before = Files.readAllBytes(in[1]);
    Path signed = kilnSign(in[1], keys, uuids);
    assertSameFile(in[0], signed);
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(in[1])), "input changed");
    assertFalse(java.util.Arrays.equals(before, Files.readAllBytes(signed)), "nothing signed");
    assertEquals(0, mstflint.verify(signed).exitCode());
  }

  @Test
  void rsa2048MatchesMstflint() throws Exception {
    signAndCompare(Fs4Fixtures.v1(), "k2048", List.of(key(SampleKey.RSA_2048)), List.of(UUID_A));
  }

  @Test
  void rsa2048Pkcs1PemMatchesMstflint() throws Exception {
    signAndCompare(
        Fs4Fixtures.v1().withUntidyEntries(true),
        "k2048p1",
        List.of(pkcs1Key2048()),
        List.of(UUID_B));
  }

  @Test
  void rsa4096MatchesMstflint() throws Exception {
    signAndCompare(Fs4Fixtures.v1(), "k4096", List.of(key(SampleKey.RSA_4096)), List.of(UUID_A));
  }

  @Test
  void rsa4096WithoutSignature256SectionMatchesMstflint() throws Exception {
    signAndCompare(
        Fs4Fixtures.v1().without(0xA0),
        "k4096no256",
        List.of(key(SampleKey.RSA_4096)),
        List.of(UUID_B));
  }

  @Test
  void twoKeysMatchMstflintInEitherOrder() throws Exception {
    signAndCompare(
        Fs4Fixtures.v1().withUntidyEntries(true),
        "two",
        List.of(key(SampleKey.RSA_2048), key(SampleKey.RSA_4096)),
        List.of(UUID_A, UUID_B));
    signAndCompare(
        Fs4Fixtures.v1(),
        "owt",
        List.of(key(SampleKey.RSA_4096), key(SampleKey.RSA_2048)),
        List.of(UUID_B, UUID_A));
  }

  @Test
  void hashesTableImageMatchesMstflint() throws Exception {
    signAndCompare(Fs4Fixtures.v2(), "v2k4096", List.of(key(SampleKey.RSA_4096)), List.of(UUID_A));
    signAndCompare(
        Fs4Fixtures.v2().withUntidyEntries(true),
        "v2k2048",
        List.of(key(SampleKey.RSA_2048)),
        List.of(UUID_B));
    signAndCompare(
        Fs4Fixtures.v2(),
        "v2two",
        List.of(key(SampleKey.RSA_2048), key(SampleKey.RSA_4096)),
        List.of(UUID_A, UUID_B));
  }

  @Test
  void setPublicKeysMatchesMstflint() throws Exception {
    for (boolean signedFw : new boolean[] {false, true}) {
      for (boolean v2 : new boolean[] {false, true}) {
        Fs4Fixtures.Spec spec = (v2 ? Fs4Fixtures.v2() : Fs4Fixtures.v1()).withSignedFw(signedFw);
        String name = "pk" + signedFw + v2;
        Path[] in = inputs(spec, name);
        byte[] keys = new byte[0x1100];
        for (int i = 0; i < 8; i++) {
          byte[] entry = Fs4Fixtures.pattern(0x220, 31 + i);
          entry[0] = (byte) 0x80;
          entry[1] = 0;
          entry[2] = 0;
          entry[3] = 4;
          System.arraycopy(entry, 0, keys, i * 0x220, 0x220);
        }
        Path keysFile = dir.resolve(name + "-keys.bin");
        Files.write(keysFile, keys);
        runMstflint(in[0], "set_public_keys", keysFile.toString());
        Path out = dir.resolve(name + "-kiln-out.bin");
        try (PreparedImage prepared = Fs4ImageSigner.setPublicKeys(in[1], out, keys)) {
          assertEquals(!signedFw, prepared.digestUpdated());
          prepared.commit();
        }
        assertSameFile(in[0], out);
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(in[1]), Files.readAllBytes(out)));
      }
    }
  }

  @Test
  void setForbiddenVersionsMatchesMstflint() throws Exception {
    for (boolean signedFw : new boolean[] {false, true}) {
      for (boolean v2 : new boolean[] {false, true}) {
        Fs4Fixtures.Spec spec =
            (v2 ? Fs4Fixtures.v2() : Fs4Fixtures.v1()).withSignedFw(signedFw).withUntidyEntries(v2);
        String name = "fv" + signedFw + v2;
        Path[] in = inputs(spec, name);
        byte[] file = Fs4Fixtures.pattern(0x100, 41);
        Path forbidden = dir.resolve(name + "-fv.bin");
        Files.write(forbidden, file);
        runMstflint(in[0], "set_forbidden_versions", forbidden.toString());
        Path out = dir.resolve(name + "-kiln-out.bin");
        try (PreparedImage prepared = Fs4ImageSigner.setForbiddenVersions(in[1], out, file)) {
          prepared.commit();
        }
        assertSameFile(in[0], out);
      }
    }
  }

  /**
   * mstflint counts an image as signed FW only when it is also secure-update capable (signature
   * and public-keys sections, mcc_en); otherwise set_forbidden_versions refreshes the unkeyed digest
   * even with signed_fw set, and so must kiln.
   */
  @Test
  void signedFwWithoutPublicKeysStillGetsTheDigestLikeMstflint() throws Exception {
    Fs4Fixtures.Spec spec =
        Fs4Fixtures.v1()
            .withSignedFw(true)
            .without(Fs4ImageSigner.PUBLIC_KEYS_2048)
            .without(Fs4ImageSigner.PUBLIC_KEYS_4096);
    Path[] in = inputs(spec, "fvnokeys");
    byte[] file = Fs4Fixtures.pattern(0x100, 43);
    Path forbidden = dir.resolve("fvnokeys-fv.bin");
    Files.write(forbidden, file);
    runMstflint(in[0], "set_forbidden_versions", forbidden.toString());
    Path out = dir.resolve("fvnokeys-kiln-out.bin");
    try (PreparedImage prepared = Fs4ImageSigner.setForbiddenVersions(in[1], out, file)) {
      assertTrue(prepared.digestUpdated());
      prepared.commit();
    }
    assertSameFile(in[0], out);
  }

  @Test
  void unkeyedDigestMatchesMstflint() throws Exception {
    for (Fs4Fixtures.Spec spec : List.of(Fs4Fixtures.v1(), Fs4Fixtures.v2())) {
      String name = "digest" + spec.hashesTable();
      Path[] in = inputs(spec, name);
      runMstflint(in[0], "sign");
      Path out = dir.resolve(name + "-kiln-out.bin");
      try (PreparedImage prepared = Fs4ImageSigner.insertDigest(in[1], out)) {
        prepared.commit();
      }
      assertSameFile(in[0], out);
    }
  }

  @Test
  void secureBootRsaSignMatchesMstflint() throws Exception {
    Path key = key(SampleKey.RSA_4096);
    for (Fs4Fixtures.Spec spec :
        List.of(Fs4Fixtures.v1(), Fs4Fixtures.v1().withUntidyEntries(true), Fs4Fixtures.v2())) {
      String name = "rsasign" + spec.untidyEntries() + spec.hashesTable();
      Path[] in = inputs(spec, name);
      try (SigningService service = SigningServices.open("file:" + key, KeyOptions.defaults())) {
        java.math.BigInteger modulus = service.publicKey().getModulus();
        String hex = String.format("%01024x", modulus);
        Path publicKeyText = dir.resolve(name + "-pub.txt");
        Files.writeString(publicKeyText, hex);
        runMstflint(
            in[0],
            "--private_key",
            key.toString(),
            "--public_key",
            publicKeyText.toString(),
            "--key_uuid",
            UUID_A,
            "rsa_sign");
        Path out = dir.resolve(name + "-kiln-out.bin");
        try (PreparedImage prepared =
            Fs4ImageSigner.signSecureBoot(
                in[1], out, new SigningKey(service, KeyUuid.parse(UUID_A)))) {
          assertEquals(2, prepared.signatures().size());
          prepared.commit();
        }
        assertSameFile(in[0], out);
        assertEquals(0, mstflint.verify(out).exitCode());
      }
    }
  }

  @Test
  void secureBootRefusesWhatMstflintGetsWrong() throws Exception {
    Path[] in = inputs(Fs4Fixtures.v1(), "rsasign2048");
    try (SigningService service =
        SigningServices.open("file:" + key(SampleKey.RSA_2048), KeyOptions.defaults())) {
      KeyAccessException failure =
          org.junit.jupiter.api.Assertions.assertThrows(
              KeyAccessException.class,
              () ->
                  Fs4ImageSigner.signSecureBoot(
                      in[1],
                      dir.resolve("never.bin"),
                      new SigningKey(service, KeyUuid.parse(UUID_A))));
      assertTrue(failure.getMessage().startsWith("secure-boot signing needs an RSA-4096 key"));
    }
    assertFalse(Files.exists(dir.resolve("never.bin")));
  }

  @Test
  void failsafeItocCopyIsSignedWhereItIs() throws Exception {
    for (Fs4Fixtures.Spec spec : List.of(Fs4Fixtures.v1(), Fs4Fixtures.v2())) {
      byte[] image = Fs4Fixtures.build(spec, true);
      String name = "failsafe" + spec.hashesTable();
      Path forMstflint = dir.resolve(name + "-mstflint.bin");
      Path forKiln = dir.resolve(name + "-kiln-in.bin");
      Files.write(forMstflint, image);
      Files.write(forKiln, image);
      assertEquals(0, mstflint.verify(forKiln).exitCode(), mstflint.verify(forKiln).output());
      runMstflint(
          forMstflint,
          "--private_key",
          key(SampleKey.RSA_4096).toString(),
          "--key_uuid",
          UUID_A,
          "sign");
      Path signed = kilnSign(forKiln, List.of(key(SampleKey.RSA_4096)), List.of(UUID_A));
      assertSameFile(forMstflint, signed);
    }
  }
}
