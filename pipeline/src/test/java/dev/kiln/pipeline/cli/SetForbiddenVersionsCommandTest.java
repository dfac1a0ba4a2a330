package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.signer.fs4.Fs4Fixtures;
import dev.kiln.testkit.Mstflint;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SetForbiddenVersionsCommandTest {
  @TempDir Path dir;

  @Test
  void matchesMstflintOnV1AndV2Images() throws Exception {
    Path file = dir.resolve("fv.bin");
    assertEquals(
        0,
        SignCommandTest.kiln(
                "keys",
                "forbidden",
                "--out",
                file.toString(),
                "22.39.1002",
                "16.35.1000-16.35.4000")
            .exitCode());
    for (Fs4Fixtures.Spec spec :
        new Fs4Fixtures.Spec[] {
          Fs4Fixtures.v1(), Fs4Fixtures.v2().withUntidyEntries(true)
        }) {
      byte[] image = Fs4Fixtures.build(spec);
      Path reference = dir.resolve("ref.bin");
      Path input = dir.resolve("in.bin");
      Path out = dir.resolve("out.bin");
      Files.write(reference, image);
      Files.write(input, image);
      Mstflint.Result vendor =
          Mstflint.require().onImage(reference, "set_forbidden_versions", file.toString());
      assertEquals(0, vendor.exitCode(), vendor.output());
      SignCommandTest.Run run =
          SignCommandTest.kiln(
              "set-forbidden-versions", input.toString(), file.toString(), "--out", out.toString());
      assertEquals(0, run.exitCode(), run.err());
      assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(out));
      assertArrayEquals(image, Files.readAllBytes(input));
      Files.delete(out);
    }
  }

  @Test
  void imageWithoutTheSectionIsRefused() throws Exception {
    Path file = dir.resolve("fv.bin");
    Files.write(file, new byte[0x100]);
    Path image = dir.resolve("in.bin");
    Files.write(image, Fs4Fixtures.build(Fs4Fixtures.v1().without(0xA2)));
    SignCommandTest.Run run =
        SignCommandTest.kiln(
            "set-forbidden-versions",
            image.toString(),
            file.toString(),
            "--out",
            dir.resolve("out.bin").toString());
    assertEquals(ExitCodes.CHECK_FAILED, run.exitCode());
    assertEquals("kiln: the image has no FORBIDDEN_VERSIONS section (ITOC type 0xA2)\n", run.err());
    assertFalse(Files.exists(dir.resolve("out.bin")));
  }
}
