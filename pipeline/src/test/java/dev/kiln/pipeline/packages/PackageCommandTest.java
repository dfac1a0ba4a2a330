package dev.kiln.pipeline.packages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.pipeline.demo.SampleFirmware;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code kiln bundle create --format mfa2|pldm}, {@code bundle verify|inspect}, {@code kiln
 * inspect} and {@code kiln check} on MFA2 archives and DSP0267 packages, in-process.
 */
class PackageCommandTest {
  @TempDir static Path dir;
  static Fixtures fixtures;
  static Path ours;
  static Path other;
  static String device;

  @BeforeAll
  static void setUp() throws Exception {
    fixtures = new Fixtures(dir);
    ours = fixtures.signed(SampleFirmware.Spec.secure("22.41.1000"), "ours");
    other = fixtures.signed(SampleFirmware.Spec.secure("22.41.1000").withPsid("MT_0000000999"), "other");
    device = fixtures.device("dev");
  }

  @AfterAll
  static void tearDown() {
    fixtures.close();
  }

  static Fixtures.Result create(Path out, String... formatOptions) {
    String[] args = new String[] {
      "bundle", "create", "--out", out.toString(), "--key", "file:" + fixtures.privateKey,
      "--allow-sample-keys", "--created", "2026-01-02T03:04:05Z", ours.toString(), other.toString()
    };
    String[] all = new String[args.length + formatOptions.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(formatOptions, 0, all, args.length, formatOptions.length);
    return Fixtures.kiln(all);
  }

  @ParameterizedTest
  @CsvSource({"mfa2, r.mfa2, MFA2 archive", "pldm, r.fwpkg, DSP0267 1.0 package"})
  void createWritesASignedPackageThatVerifies(String format, String name, String kind) throws Exception {
    Path out = dir.resolve(format + "-" + name);
    Fixtures.Result created = create(out, "--format", format);
    assertEquals(0, created.exitCode(), created.out() + created.err());
    assertTrue(created.out().contains("wrote " + out + ": 2 image(s), " + kind + " version 22.41.1000"),
        created.out());
    assertTrue(created.out().contains("verified " + out + ": 2 image(s) read back as given"), created.out());
    assertTrue(Files.exists(PackageSignature.fileFor(out)));

    Fixtures.Result verify =
        Fixtures.kiln("bundle", "verify", out.toString(), "--trust", fixtures.publicKey.toString());
    assertEquals(0, verify.exitCode(), verify.out() + verify.err());
    assertTrue(verify.out().startsWith(out + ": verified ("), verify.out());

    Fixtures.Result inspect = Fixtures.kiln("bundle", "inspect", out.toString());
    assertEquals(0, inspect.exitCode(), inspect.out() + inspect.err());
    assertTrue(inspect.out().contains(SampleFirmware.PSID), inspect.out());
    assertTrue(inspect.out().contains("MT_0000000999"), inspect.out());

    Fixtures.Result image = Fixtures.kiln("inspect", out.toString());
    assertEquals(0, image.exitCode(), image.out() + image.err());
    assertTrue(image.out().contains("FW Version:            22.41.1000"), image.out());
  }

  @ParameterizedTest
  @CsvSource({"mfa2", "pldm"})
  void theSameInputsGiveTheSameBytes(String format) throws Exception {
    Path first = dir.resolve("same1." + format);
    Path second = dir.resolve("same2." + format);
    assertEquals(0, create(first, "--format", format).exitCode());
    assertEquals(0, create(second, "--format", format).exitCode());
    assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
  }

  @Test
  void pldmVersionsOnRequest() throws Exception {
    Path out = dir.resolve("v13.fwpkg");
    Fixtures.Result created = create(out, "--format", "pldm", "--pldm-version", "1.3");
    assertEquals(0, created.exitCode(), created.out() + created.err());
    Fixtures.Result inspect = Fixtures.kiln("bundle", "inspect", out.toString());
    assertTrue(inspect.out().contains("DSP0267 1.3 firmware package"), inspect.out());
    Fixtures.Result bad = create(dir.resolve("v19.fwpkg"), "--format", "pldm", "--pldm-version", "1.9");
    assertEquals(2, bad.exitCode());
    assertEquals("kiln: --pldm-version 1.9: give 1.0, 1.1, 1.2 or 1.3", bad.err().strip());
  }

  @Test
  void aMissingWrongOrForeignSignatureFailsVerification() throws Exception {
    Path out = dir.resolve("sig.mfa2");
    assertEquals(0, create(out, "--format", "mfa2").exitCode());
    Path other = SampleKeys.writePublicKey(SampleKey.RSA_4096, Files.createDirectories(dir.resolve("k4096")));
    Fixtures.Result foreign =
        Fixtures.kiln("bundle", "verify", out.toString(), "--trust", other.toString());
    assertEquals(1, foreign.exitCode());
    assertTrue(foreign.out().contains("PACKAGE_UNKNOWN_KEY"), foreign.out());

    Path copy = dir.resolve("nosig.mfa2");
    Files.copy(out, copy);
    Fixtures.Result missing =
        Fixtures.kiln("bundle", "verify", copy.toString(), "--trust", fixtures.publicKey.toString());
    assertEquals(1, missing.exitCode());
    assertTrue(missing.out().contains("PACKAGE_SIGNATURE_MISSING"), missing.out());

    // Another archive's valid signature, by the trusted key, over other bytes.
    Path later = dir.resolve("later.mfa2");
    Fixtures.Result created = Fixtures.kiln("bundle", "create", "--out", later.toString(),
        "--key", "file:" + fixtures.privateKey, "--allow-sample-keys", "--format", "mfa2",
        "--created", "2026-02-02T00:00:00Z", ours.toString());
    assertEquals(0, created.exitCode(), created.err());
    Files.copy(PackageSignature.fileFor(later), PackageSignature.fileFor(copy));
    Fixtures.Result swapped =
        Fixtures.kiln("bundle", "verify", copy.toString(), "--trust", fixtures.publicKey.toString());
    assertEquals(1, swapped.exitCode());
    assertTrue(swapped.out().contains("PACKAGE_BAD_SIGNATURE"), swapped.out());
    assertEquals("kiln: " + copy + ": NOT verified: nosig.mfa2.ksig does not verify over the package:"
        + " the package or its signature was changed", swapped.err().strip());
  }

  @Test
  void aMalformedPackageIsExit3WithOneLine() throws Exception {
    Path out = dir.resolve("bad.fwpkg");
    assertEquals(0, create(out, "--format", "pldm").exitCode());
    byte[] bytes = Files.readAllBytes(out);
    bytes[40] ^= 1;
    Files.write(out, bytes);
    for (String[] args : new String[][] {
      {"bundle", "verify", out.toString(), "--trust", fixtures.publicKey.toString()},
      {"bundle", "inspect", out.toString()},
      {"inspect", out.toString()},
      {"check", out.toString(), "--device", device}
    }) {
      Fixtures.Result result = Fixtures.kiln(args);
      assertEquals(3, result.exitCode(), String.join(" ", args) + ": " + result.err());
      assertTrue(result.err().startsWith("kiln: " + out + ": PackageHeaderChecksum 0x"), result.err());
      assertEquals(1, result.err().strip().lines().count(), result.err());
    }
  }

  @ParameterizedTest
  @CsvSource({"mfa2", "pldm"})
  void checkPicksTheImageForTheDevicesPsid(String format) throws Exception {
    Path out = dir.resolve("check." + format);
    assertEquals(0, create(out, "--format", format).exitCode());
    Fixtures.Result check = Fixtures.kiln("check", out.toString(), "--device", device,
        "--trust", fixtures.publicKey.toString());
    assertEquals(0, check.exitCode(), check.out() + check.err());
    assertTrue(check.out().startsWith("Checking " + out + ":"), check.out());
    assertTrue(check.out().contains("(" + SampleFirmware.PSID + " 22.41.1000"), check.out());
    assertTrue(check.out().contains("ACCEPT"), check.out());

    Path foreignOnly = dir.resolve("foreign." + format);
    Fixtures.Result created = Fixtures.kiln("bundle", "create", "--out", foreignOnly.toString(),
        "--key", "file:" + fixtures.privateKey, "--allow-sample-keys", "--format", format,
        other.toString());
    assertEquals(0, created.exitCode(), created.err());
    Fixtures.Result none = Fixtures.kiln("check", foreignOnly.toString(), "--device", device);
    assertEquals(1, none.exitCode(), none.out() + none.err());
    assertTrue(none.err().contains("holds no image for this device (PSID " + SampleFirmware.PSID), none.err());
    assertFalse(none.out().contains("ACCEPT"));
  }
}
