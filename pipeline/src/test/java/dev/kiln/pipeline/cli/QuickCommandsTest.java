package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.Section;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.format.TocEntry;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The picocli-free path of {@code kiln verify} and {@code kiln inspect}: for every command line it
 * accepts it must behave exactly like the picocli command (output, errors, exit code), it must
 * decline everything else, and it must not load picocli at all (the reason it exists).
 */
class QuickCommandsTest {
  @TempDir Path dir;
  Path good;
  Path corrupt;
  Path warningsOnly;
  Path missing;
  Path notAnImage;

  record Run(int exitCode, String out, String err) {}

  @BeforeEach
  void images() throws Exception {
    good = VerifyCommandTest.writeGoodImage(dir.resolve("good.bin"));
    corrupt = VerifyCommandTest.writeWithBadBoot2Crc(good, dir.resolve("corrupt.bin"));
    warningsOnly = withUndefinedCrcMode(good, dir.resolve("warnings.bin"));
    missing = dir.resolve("missing.bin");
    notAnImage = Files.write(dir.resolve("noise.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
  }

  /** A copy whose PUBLIC_KEYS_2048 entry has CRC mode 5: a warning (SECTION_CRC_MODE) only. */
  private static Path withUndefinedCrcMode(Path source, Path target) throws Exception {
    byte[] bytes = Files.readAllBytes(source);
    Fs4Image image = ImageParser.parse(bytes, source.toString());
    Section keys =
        image.sections().stream()
            .filter(s -> s.is(SectionType.PUBLIC_KEYS_2048))
            .findFirst()
            .orElseThrow();
    TocEntry.of(keys.type(), keys.address(), keys.size(), 5, 0)
        .writeTo(ByteBuffer.wrap(bytes), (int) keys.entryOffset());
    return Files.write(target, bytes);
  }

  private static Run both(boolean quick, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter outWriter = new PrintWriter(out, true);
    PrintWriter errWriter = new PrintWriter(err, true);
    int code;
    if (quick) {
      OptionalInt quickCode = QuickCommands.run(outWriter, errWriter, args);
      assertTrue(quickCode.isPresent(), "the quick path declined " + List.of(args));
      code = quickCode.getAsInt();
    } else {
      code = KilnCli.runWithPicocli(outWriter, errWriter, args);
    }
    return new Run(code, out.toString(), err.toString());
  }

  private List<String[]> acceptedCommandLines() {
    String g = good.toString();
    String c = corrupt.toString();
    String w = warningsOnly.toString();
    String m = missing.toString();
    String n = notAnImage.toString();
    List<String[]> lines = new ArrayList<>();
    lines.add(new String[] {"verify", g});
    lines.add(new String[] {"verify", c});
    lines.add(new String[] {"verify", w});
    lines.add(new String[] {"verify", "--warnings-as-errors", w});
    lines.add(new String[] {"verify", w, "--warnings-as-errors", g});
    lines.add(new String[] {"verify", g, c, w, m, n});
    lines.add(new String[] {"verify", "--json", g, c, w, m, n});
    lines.add(new String[] {"verify", g, "--json", "--warnings-as-errors", w});
    lines.add(new String[] {"verify", m});
    lines.add(new String[] {"verify", "--json", dir.toString()});
    lines.add(new String[] {"inspect", g});
    lines.add(new String[] {"inspect", c});
    lines.add(new String[] {"inspect", w, "--toc"});
    lines.add(new String[] {"inspect", "--boot", "--toc", g});
    lines.add(new String[] {"inspect", "--json", c});
    lines.add(new String[] {"inspect", "--json", "--toc", "--boot", g});
    lines.add(new String[] {"inspect", m});
    lines.add(new String[] {"inspect", "--json", n});
    lines.add(new String[] {"inspect", dir.toString()});
    return lines;
  }

  @Test
  void everyAcceptedCommandLineBehavesExactlyLikePicocli() {
    for (String[] args : acceptedCommandLines()) {
      Run picocli = both(false, args);
      Run quick = both(true, args);
      assertEquals(picocli, quick, "kiln " + String.join(" ", args));
    }
  }

  @Test
  void theComparisonCoversEveryExitCodeTheCommandsHave() {
    List<Integer> codes =
        acceptedCommandLines().stream().map(args -> both(true, args).exitCode()).toList();
    assertTrue(codes.contains(ExitCodes.OK), codes.toString());
    assertTrue(codes.contains(ExitCodes.CHECK_FAILED), codes.toString());
    assertTrue(codes.contains(ExitCodes.UNREADABLE_INPUT), codes.toString());
    // The warnings-only image passes unless warnings count as errors.
    assertEquals(ExitCodes.OK, both(true, "verify", warningsOnly.toString()).exitCode());
    assertEquals(ExitCodes.CHECK_FAILED,
        both(true, "verify", "--warnings-as-errors", warningsOnly.toString()).exitCode());
  }

  @Test
  void anythingElseIsLeftToPicocli() {
    String g = good.toString();
    String[][] declined = {
      {},
      {"verify"},
      {"inspect"},
      {"verify", "--help"},
      {"verify", "-h"},
      {"inspect", "--version"},
      {"verify", "--json", "--json", g},
      {"inspect", "--toc", "--toc", g},
      {"verify", "--json"},
      {"verify", "--trust-image-keys", g},
      {"verify", "--trust", g, g},
      {"verify", "--require-signed", g},
      {"verify", "--device", "emu:x"},
      {"verify", "--", g},
      {"verify", "-", g},
      {"verify", "@" + g},
      {"verify", ""},
      {"verify", "--toc", g},
      {"inspect", "--warnings-as-errors", g},
      {"inspect", g, g},
      {"inspect", "--json"},
      {"sign", g},
      {"demo"},
      {"Verify", g},
    };
    for (String[] args : declined) {
      StringWriter sink = new StringWriter();
      OptionalInt code =
          QuickCommands.run(new PrintWriter(sink), new PrintWriter(sink), args);
      assertFalse(code.isPresent(), "accepted kiln " + String.join(" ", args));
      assertEquals("", sink.toString(), "wrote output before declining " + List.of(args));
    }
  }

  @Test
  void declinedCommandLinesStillGetPicocliUsageErrors() {
    // VerifyCommandTest.kiln runs the program's own entry (quick path first, then picocli).
    VerifyCommandTest.Run repeated = VerifyCommandTest.kiln("verify", "--json", "--json",
        good.toString());
    assertEquals(ExitCodes.USAGE, repeated.exitCode());
    assertTrue(repeated.err().contains("--json"), repeated.err());
    VerifyCommandTest.Run twoImages =
        VerifyCommandTest.kiln("inspect", good.toString(), good.toString());
    assertEquals(ExitCodes.USAGE, twoImages.exitCode());
  }

  /**
   * The point of the quick path: a plain verify and inspect in a fresh JVM, started the way the
   * jar's manifest starts it ({@link Kiln}), load no picocli class at all; a command that needs
   * picocli still works from the same entry point.
   */
  @Test
  void aPlainVerifyOrInspectLoadsNoPicocliClass() throws Exception {
    for (List<String> command :
        List.of(
            List.of("verify", good.toString()),
            List.of("verify", "--json", good.toString(), corrupt.toString()),
            List.of("inspect", "--toc", good.toString()))) {
      String classLoading = runJvmLoggingClassLoads(command);
      assertTrue(classLoading.contains("dev.kiln.pipeline.cli.ImageVerification")
              || classLoading.contains("dev.kiln.pipeline.cli.ImageInspection"),
          "the class-load log did not capture the command's own classes");
      assertFalse(classLoading.contains("picocli."), command + " loaded picocli");
    }
    assertTrue(runJvmLoggingClassLoads(List.of("verify", "--help")).contains("picocli."),
        "--help should go through picocli, so the check above can fail");
  }

  private String runJvmLoggingClassLoads(List<String> kilnArgs) throws Exception {
    Path log = Files.createTempFile(dir, "classes", ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xshare:off");
    command.add("-Xlog:class+load=info:file=" + log);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Kiln.class.getName());
    command.addAll(kilnArgs);
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(dir.resolve("jvm.err").toFile())
            .start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "kiln " + kilnArgs + " hung");
    int exitCode = process.exitValue();
    assertTrue(exitCode == ExitCodes.OK || exitCode == ExitCodes.CHECK_FAILED,
        "kiln " + kilnArgs + " exited " + exitCode + ": "
            + Files.readString(dir.resolve("jvm.err"), StandardCharsets.UTF_8));
    return Files.readString(log, StandardCharsets.UTF_8).replace(File.separatorChar, '/');
  }
}
