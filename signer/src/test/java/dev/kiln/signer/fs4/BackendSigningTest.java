package dev.kiln.signer.fs4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.SigningServices;
import dev.kiln.signer.fs4.Fs4ImageSigner.PreparedImage;
import dev.kiln.signer.fs4.Fs4ImageSigner.SigningKey;
import dev.kiln.testkit.SoftHsmToken;
import dev.kiln.testkit.kms.LocalKms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same key gives the same image whichever backend holds it: a PKCS#11 token (SoftHSM2) and the
 * local KMS endpoint both produce files byte-identical to the PEM file key's.
 */
class BackendSigningTest {
  private static final KeyUuid UUID = KeyUuid.parse("5ca1ab1e-0000-4000-8000-00000000c0de");

  @TempDir Path dir;

  private Path sign(String name, Fs4Fixtures.Spec spec, String keyReference, KeyOptions options)
      throws Exception {
    Path input = dir.resolve(name + ".in.bin");
    Files.write(input, Fs4Fixtures.build(spec));
    Path output = dir.resolve(name + ".out.bin");
    try (SigningService service = SigningServices.open(keyReference, options);
        PreparedImage prepared =
            Fs4ImageSigner.sign(input, output, List.of(new SigningKey(service, UUID)))) {
      prepared.commit();
      if (keyReference.startsWith("awskms:")) {
        assertTrue(prepared.signatures().get(0).kmsRequestId().isPresent());
        assertEquals("awskms", prepared.signatures().get(0).backend());
      }
    }
    return output;
  }

  @Test
  void softHsmSignatureIsByteIdenticalToTheFileKey() throws Exception {
    SoftHsmToken token =
        SoftHsmToken.create("kiln-sign-test", SampleKey.RSA_2048, SampleKey.RSA_4096);
    for (SampleKey key : SampleKey.values()) {
      for (Fs4Fixtures.Spec spec : List.of(Fs4Fixtures.v1(), Fs4Fixtures.v2())) {
        String name = "hsm" + key.bits() + spec.hashesTable();
        Path file =
            sign(
                name + "-file",
                spec,
                "file:" + SampleKeys.writePrivateKey(key, dir),
                KeyOptions.defaults());
        Path hsm = sign(name + "-hsm", spec, token.uri(key), KeyOptions.defaults());
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(hsm), name);
      }
    }
  }

  @Test
  void localKmsSignatureIsByteIdenticalToTheFileKey() throws Exception {
    String previousId = System.getProperty("aws.accessKeyId");
    String previousSecret = System.getProperty("aws.secretAccessKey");
    System.setProperty("aws.accessKeyId", LocalKms.ACCESS_KEY_ID);
    System.setProperty("aws.secretAccessKey", LocalKms.SECRET_ACCESS_KEY);
    try (LocalKms kms = LocalKms.start()) {
      for (SampleKey key : SampleKey.values()) {
        String keyId = kms.importKey(key.privateKeyPem(), "SIGN_VERIFY");
        KeyOptions options =
            KeyOptions.defaults().withKmsRegion(kms.region()).withKmsEndpoint(kms.endpoint());
        Path viaKms = sign("kms" + key.bits(), Fs4Fixtures.v1(), "awskms:///" + keyId, options);
        Path file =
            sign(
                "file" + key.bits(),
                Fs4Fixtures.v1(),
                "file:" + SampleKeys.writePrivateKey(key, dir),
                KeyOptions.defaults());
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(viaKms));
      }
    } finally {
      restore("aws.accessKeyId", previousId);
      restore("aws.secretAccessKey", previousSecret);
    }
  }

  private static void restore(String name, String value) {
    if (value == null) {
      System.clearProperty(name);
    } else {
      System.setProperty(name, value);
    }
  }
}
