package dev.kiln.inspector.bench;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.ImageSummary;
import dev.kiln.inspector.ImageVerifier;
import dev.kiln.inspector.VerificationResult;
import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.build.ReservedSection;
import dev.kiln.inspector.build.SectionSpec;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.FwVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Benchmark, not a test (no {@code @Test}; surefire never runs it): parse + full structural
 * verification (+ summary) of a 32 MiB image inside one JVM. Target: under 30 ms per image.
 *
 * <p>Usage: {@code ParseVerifyBench [IMAGE] [ROUNDS]}. Without an image it writes a 32 MiB
 * ConnectX-7 image (hashes table, every security section, 24 MiB of code sections) to a temporary
 * file. Each round parses the file afresh (new mapping), so page-cache-to-process costs are
 * included; the first rounds are warm-up. Prints min / median / p90 wall time in milliseconds.
 */
public final class ParseVerifyBench {
  private ParseVerifyBench() {}

  public static void main(String[] args) throws Exception {
    Path image;
    if (args.length > 0) {
      image = Path.of(args[0]);
    } else {
      image = Files.createTempFile("kiln-bench", ".bin");
      image.toFile().deleteOnExit();
      ImageWriter.write(
          ImageDescription.builder(DeviceType.CX7, FwVersion.parse("28.41.1000"))
              .imageSize(32 << 20)
              .log2SlotSize(25)
              .hashesTable(true)
              .reserve(ReservedSection.values())
              .section(SectionSpec.random(SectionType.MAIN_CODE, 12 << 20, 1))
              .section(SectionSpec.random(SectionType.PCIE_LINK_CODE, 6 << 20, 2))
              .section(SectionSpec.random(SectionType.DBG_FW_INI, 6 << 20, 3))
              .build(),
          image,
          true);
    }
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int warmup = Math.min(50, rounds / 2);
    double[] millis = new double[rounds - warmup];
    boolean passed = true;
    for (int round = 0; round < rounds; round++) {
      long start = System.nanoTime();
      Fs4Image parsed = ImageParser.parse(image);
      VerificationResult result = ImageVerifier.verify(parsed);
      ImageSummary.of(parsed);
      long end = System.nanoTime();
      passed &= result.passed();
      if (round >= warmup) {
        millis[round - warmup] = (end - start) / 1e6;
      }
    }
    Arrays.sort(millis);
    System.out.printf(
        "parse+verify+summary of %s (%d bytes), %d rounds: min %.2f ms, median %.2f ms, "
            + "p90 %.2f ms, image %s%n",
        image.getFileName(), Files.size(image), millis.length, millis[0],
        millis[millis.length / 2], millis[(int) (millis.length * 0.9)],
        passed ? "passes" : "FAILS");
  }
}
