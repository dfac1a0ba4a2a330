package dev.kiln.signer.pkcs11.bench;

import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.signer.DigestAlgorithm;
import dev.kiln.signer.KeyOptions;
import dev.kiln.signer.SigningService;
import dev.kiln.signer.SigningServices;
import dev.kiln.testkit.SoftHsmToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Measures, in one JVM, what signing through SoftHSM2 costs: opening the PKCS#11 service (module
 * load/initialise, token lookup, login, key lookup) and one RSA-4096 signature over a SHA-512
 * digest, next to the same key from a PEM file. A benchmark, not a test: run it with {@code
 * bench/softhsm-sign.sh}; surefire does not pick it up (no Test suffix).
 */
public final class SoftHsmSignBench {
  private SoftHsmSignBench() {}

  public static void main(String[] args) throws Exception {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    SoftHsmToken token = SoftHsmToken.create("kiln-bench", SampleKey.RSA_4096);
    String pkcs11 = token.uri(SampleKey.RSA_4096);
    Path dir = Files.createTempDirectory("kiln-bench");
    String file = "file:" + SampleKeys.writePrivateKey(SampleKey.RSA_4096, dir);
    byte[] digest = DigestAlgorithm.SHA512.digest(new byte[32 << 20]);

    System.out.printf(
        Locale.ROOT, "RSA-4096, SHA-512 digest, %d iterations, medians%n", iterations);
    System.out.printf(Locale.ROOT, "%-44s %10s%n", "operation", "ms");
    for (String reference : new String[] {pkcs11, file}) {
      String backend = reference.startsWith("pkcs11:") ? "pkcs11 (SoftHSM2)" : "file (PEM)";
      // First open in the JVM: class loading, library load for PKCS#11.
      long start = System.nanoTime();
      SigningServices.open(reference, KeyOptions.defaults()).close();
      report(backend + ": first open", new double[] {millis(start)});

      double[] opens = new double[Math.min(iterations, 50)];
      for (int i = 0; i < opens.length; i++) {
        long t = System.nanoTime();
        SigningServices.open(reference, KeyOptions.defaults()).close();
        opens[i] = millis(t);
      }
      report(backend + ": open + close", opens);

      try (SigningService service = SigningServices.open(reference, KeyOptions.defaults())) {
        // Warm-up so the figures are the steady state, not JIT compilation.
        for (int i = 0; i < 20; i++) {
          service.signDigest(DigestAlgorithm.SHA512, digest);
        }
        double[] signs = new double[iterations];
        for (int i = 0; i < iterations; i++) {
          long t = System.nanoTime();
          service.signDigest(DigestAlgorithm.SHA512, digest);
          signs[i] = millis(t);
        }
        report(backend + ": signDigest", signs);
      }
    }
  }

  private static double millis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e6;
  }

  private static void report(String what, double[] samples) {
    double[] sorted = samples.clone();
    Arrays.sort(sorted);
    double median = sorted[sorted.length / 2];
    System.out.printf(Locale.ROOT, "%-44s %10.2f%n", what, median);
  }
}
