package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import dev.kiln.testkit.Mstflint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code kiln sign} and {@code kiln set-forbidden-versions} against mstflint on the seeded random
 * images of {@link RandomDescriptionsMstflintTest} and {@link Fs3RandomDescriptionsMstflintTest}
 * (the same seeds): where mstflint succeeds the two outputs are the
 * same bytes, and where mstflint refuses (a digest is due but there is no IMAGE_SIGNATURE_256, say)
 * kiln refuses too, with exit 1 and no output file. The random flag sets cover the cases where
 * signed_fw alone does not make mstflint treat an image as signed.
 */
class RandomImagesByteIdentityTest {
  private static final Mstflint MSTFLINT = Mstflint.require();
  private static final String UUID_2048 = "0123456789abcdef0123456789abcdef";
  private static final String UUID_4096 = "fedcba9876543210fedcba9876543210";

  @TempDir Path dir;

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dev.kiln.pipeline.cli.RandomDescriptionsMstflintTest#seeds")
  void signAndSetForbiddenVersionsMatchMstflint(long seed) throws Exception {
    campaign(RandomDescriptionsMstflintTest.description(new Random(seed)), seed);
  }

  /** The same campaign on the seeded random FS3 (ConnectX-4 / 4 Lx) images. */
  @ParameterizedTest(name = "fs3 seed {0}")
  @MethodSource("dev.kiln.pipeline.cli.Fs3RandomDescriptionsMstflintTest#seeds")
  void fs3SignAndSetForbiddenVersionsMatchMstflint(long seed) throws Exception {
    campaign(Fs3RandomDescriptionsMstflintTest.description(new Random(seed)), seed);
  }

  private void campaign(ImageDescription description, long seed) throws Exception {
    Path image = dir.resolve("image.bin");
    ImageWriter.write(description, image, true);
    Fs4Image parsed = ImageParser.parse(image);

    Optional<Long> forbiddenSize =
        parsed.section(SectionType.FORBIDDEN_VERSIONS).map(section -> section.size());
    if (forbiddenSize.isPresent()) {
      byte[] file = new byte[(int) (long) forbiddenSize.get()];
      new Random(seed).nextBytes(file);
      Path fileOnDisk = Files.write(dir.resolve("forbidden.bin"), file);
      compare(image, "set-forbidden-versions",
          List.of("set_forbidden_versions", fileOnDisk.toString()),
          List.of("set-forbidden-versions", "IMAGE", fileOnDisk.toString()));
    }

    List<String> mstflintKeys = new ArrayList<>();
    List<String> kilnKeys = new ArrayList<>();
    if (parsed.section(SectionType.IMAGE_SIGNATURE_256).isPresent()) {
      addKey(SampleKey.RSA_2048, UUID_2048, mstflintKeys, kilnKeys);
    }
    if (parsed.section(SectionType.IMAGE_SIGNATURE_512).isPresent()) {
      addKey(SampleKey.RSA_4096, UUID_4096, mstflintKeys, kilnKeys);
    }
    if (!mstflintKeys.isEmpty()) {
      List<String> mstflintArgs = new ArrayList<>(mstflintKeys);
      mstflintArgs.add("sign");
      List<String> kilnArgs = new ArrayList<>(List.of("sign", "IMAGE"));
      kilnArgs.addAll(kilnKeys);
      kilnArgs.add("--allow-sample-keys");
      compare(image, "sign", mstflintArgs, kilnArgs);
    }
  }

  private void addKey(SampleKey key, String uuid, List<String> mstflintArgs, List<String> kilnArgs)
      throws Exception {
    Path pem = SampleKeys.writePrivateKey(key, Files.createTempDirectory(dir, "key"));
    boolean second = !mstflintArgs.isEmpty();
    mstflintArgs.addAll(List.of(second ? "--private_key2" : "--private_key", pem.toString(),
        second ? "--key_uuid2" : "--key_uuid", uuid));
    kilnArgs.addAll(List.of(second ? "--key2" : "--key", "file:" + pem,
        second ? "--key-uuid2" : "--key-uuid", uuid));
  }

  /**
   * Runs mstflint on a copy of {@code image} and kiln from {@code image} to a new file ({@code
   * IMAGE} in {@code kilnArgs} stands for the input), then compares results.
   */
  private void compare(Path image, String what, List<String> mstflintArgs, List<String> kilnArgs)
      throws Exception {
    Path byMstflint = dir.resolve(what + "-mstflint.bin");
    Files.copy(image, byMstflint, StandardCopyOption.REPLACE_EXISTING);
    Mstflint.Result mstflint = MSTFLINT.onImage(byMstflint, mstflintArgs.toArray(String[]::new));

    Path byKiln = dir.resolve(what + "-kiln.bin");
    Files.deleteIfExists(byKiln);
    List<String> args = new ArrayList<>();
    for (String arg : kilnArgs) {
      args.add(arg.equals("IMAGE") ? image.toString() : arg);
    }
    args.addAll(List.of("--out", byKiln.toString(),
        "--audit-log", dir.resolve("audit.jsonl").toString()));
    VerifyCommandTest.Run kiln = VerifyCommandTest.kiln(args.toArray(String[]::new));

    if (mstflint.exitCode() != 0) {
      assertEquals(ExitCodes.CHECK_FAILED, kiln.exitCode(),
          what + ": mstflint refused (" + mstflint.output().strip() + ") but kiln: " + kiln);
      assertTrue(Files.notExists(byKiln), what + ": kiln left an output behind");
      return;
    }
    assertEquals(0, kiln.exitCode(), what + ": mstflint succeeded but kiln: " + kiln);
    assertArrayEquals(Files.readAllBytes(byMstflint), Files.readAllBytes(byKiln),
        what + ": the outputs differ");
  }
}
