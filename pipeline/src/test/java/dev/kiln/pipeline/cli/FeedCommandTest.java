package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.keys.SampleKey;
import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.testkit.kms.LocalKms;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln feed sign|verify|inspect}. */
class FeedCommandTest {
  @TempDir static Path dir;
  static Fixtures fixtures;
  static Path body;

  @BeforeAll
  static void setUp() throws Exception {
    fixtures = new Fixtures(dir);
    body = dir.resolve("feed-body.json");
    Files.writeString(
        body,
        """
        {"format": "kiln-forbidden-versions-v1", "issued": "2026-01-01T00:00:00Z",
         "expires": "2099-01-01T00:00:00Z", "sequence": 2,
         "entries": [{"psid": "MT_0000000528", "versions": ["22.40.1000"],
                      "reason": "CVE-2026-0003"}]}
        """,
        StandardCharsets.UTF_8);
  }

  @AfterAll
  static void tearDown() {
    fixtures.close();
  }

  @Test
  void signVerifyInspect() throws Exception {
    Path signed = dir.resolve("feed.json");
    Fixtures.Result sign =
        Fixtures.kiln("feed", "sign", body.toString(), "--out", signed.toString(), "--key",
            "file:" + fixtures.privateKey, "--allow-sample-keys");
    assertEquals(0, sign.exitCode(), sign.err());
    Fixtures.Result verify =
        Fixtures.kiln("feed", "verify", signed.toString(), "--trust",
            fixtures.publicKey.toString());
    assertEquals(0, verify.exitCode(), verify.err());
    assertTrue(verify.out().contains("valid feed #2, 1 entry"), verify.out());
    Fixtures.Result inspect = Fixtures.kiln("feed", "inspect", signed.toString());
    assertEquals(0, inspect.exitCode(), inspect.err());
    assertTrue(inspect.out().contains("CVE-2026-0003"), inspect.out());
    assertTrue(inspect.out().contains("NOT verified"), inspect.out());
  }

  @Test
  void feedCanBeSignedThroughKms() throws Exception {
    AutoCloseable credentials = LocalKms.useAsDefaultCredentials();
    try (LocalKms kms = LocalKms.start()) {
      String keyId = kms.importKey(SampleKey.RSA_2048.privateKeyPem(), "SIGN_VERIFY");
      Path signed = dir.resolve("feed-kms.json");
      Fixtures.Result sign =
          Fixtures.kiln("feed", "sign", body.toString(), "--out", signed.toString(), "--key",
              "awskms:///" + keyId, "--kms-region", kms.region(), "--kms-endpoint",
              kms.endpoint().toString(), "--allow-sample-keys");
      assertEquals(0, sign.exitCode(), sign.out() + sign.err());
      Fixtures.Result verify =
          Fixtures.kiln("feed", "verify", signed.toString(), "--trust",
              fixtures.publicKey.toString());
      assertEquals(0, verify.exitCode(), verify.out() + verify.err());
    } finally {
      credentials.close();
    }
  }

  @Test
  void editedFeedFailsVerification() throws Exception {
    Path signed = dir.resolve("feed2.json");
    Fixtures.kiln("feed", "sign", body.toString(), "--out", signed.toString(), "--key",
        "file:" + fixtures.privateKey, "--allow-sample-keys");
    Files.writeString(signed, Files.readString(signed).replace("22.40.1000", "22.40.1001"));
    Fixtures.Result verify =
        Fixtures.kiln("feed", "verify", signed.toString(), "--trust",
            fixtures.publicKey.toString());
    assertEquals(1, verify.exitCode());
    assertTrue(verify.err().contains("FEED_BAD_SIGNATURE"), verify.err());
  }
}
