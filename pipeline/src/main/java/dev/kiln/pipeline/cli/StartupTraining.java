package dev.kiln.pipeline.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The workload the {@code ./kiln} launcher records its class-data-sharing archive from (run with
 * {@code -XX:ArchiveClassesAtExit}): {@code kiln demo}, which runs nearly every command, then the
 * plain {@code verify} and {@code inspect} of a 16 MiB image. The demo's images are small, so
 * without the second part the archive would miss what large images use (the parallel CRC path)
 * and the quick commands' own classes, and a one-shot {@code kiln verify} of a real image would
 * load them from the jars. Output is discarded.
 */
public final class StartupTraining {
  private StartupTraining() {}

  /** A 16 MiB ConnectX-6 Dx image with a 6 MiB code section (a slot is 8 MiB) (docs/image-description.md). */
  private static final String LARGE_IMAGE =
      """
      {
        "device": "cx6dx", "fwVersion": "22.41.1000", "releaseDate": "2024-03-15",
        "psid": "MT_0000000528", "partNumber": "MCX623106AN-CDA_Ax",
        "description": "kiln start-up training image", "securityVersion": 1,
        "flags": ["mcc_en", "secure_fw", "long_keys"],
        "guids": {"base": "0c42a10300aa5500", "count": 8},
        "macs": {"base": "0c42a1aa5500", "count": 8},
        "imageSize": "16MiB",
        "sections": [{"type": "MAIN_CODE", "size": "6MiB", "seed": 1}],
        "reserve": ["IMAGE_SIGNATURE_256", "IMAGE_SIGNATURE_512", "PUBLIC_KEYS_2048"]
      }
      """;

  public static void main(String[] args) throws IOException {
    System.exit(run(new PrintWriter(System.err, true, StandardCharsets.UTF_8)));
  }

  /**
   * Runs the workload with every command's output discarded. Returns 0 when every step exited 0;
   * otherwise names the failed steps on {@code report} and returns 1 (the archive is then still
   * usable, only less complete).
   */
  static int run(PrintWriter report) throws IOException {
    Path dir = Files.createTempDirectory("kiln-training");
    try {
      Path description = dir.resolve("large.json");
      Path image = dir.resolve("large.bin");
      Files.writeString(description, LARGE_IMAGE, StandardCharsets.UTF_8);
      List<List<String>> steps =
          List.of(
              List.of("demo"),
              List.of("build", description.toString(), "--out", image.toString()),
              List.of("verify", image.toString()),
              List.of("verify", "--json", image.toString()),
              List.of("inspect", image.toString()),
              List.of("inspect", "--json", "--toc", "--boot", image.toString()));
      int failed = 0;
      for (List<String> step : steps) {
        PrintWriter discard = new PrintWriter(Writer.nullWriter());
        int exitCode = Kiln.run(discard, discard, step.toArray(String[]::new));
        if (exitCode != ExitCodes.OK) {
          report.println("kiln start-up training: 'kiln " + String.join(" ", step)
              + "' exited " + exitCode);
          failed++;
        }
      }
      return failed == 0 ? 0 : 1;
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(file);
        }
      }
    }
  }
}
