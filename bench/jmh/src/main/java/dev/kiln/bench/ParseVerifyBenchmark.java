package dev.kiln.bench;

import dev.kiln.inspector.Fs4Image;
import dev.kiln.inspector.ImageParser;
import dev.kiln.inspector.ImageVerifier;
import dev.kiln.inspector.VerificationResult;
import dev.kiln.inspector.build.ImageDescription;
import dev.kiln.inspector.build.ImageWriter;
import dev.kiln.inspector.build.ReservedSection;
import dev.kiln.inspector.build.SectionSpec;
import dev.kiln.inspector.format.SectionType;
import dev.kiln.inspector.section.DeviceType;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.inspector.section.ImageInfoFlag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parse + full structural verification of a writer-built image inside the JVM (the target of
 * issue 2: under 30 ms for 32 MiB). The image's code sections fill most of the 2^L slot, so the
 * section CRCs run over megabytes, as they would on real firmware.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
public class ParseVerifyBenchmark {
  @Param({"32"})
  public int sizeMib;

  private Path directory;
  private Path image;

  @Setup(Level.Trial)
  public void build() throws Exception {
    directory = Files.createTempDirectory("kiln-jmh");
    image = directory.resolve("image.bin");
    long size = (long) sizeMib << 20;
    // Code sections fill most of the first 2^L slot (half the file), where ITOC sections must
    // end; each section is at most 16 MiB - 4, so they come in 8 MiB pieces.
    long code = size * 3 / 8;
    ImageDescription.Builder builder = ImageDescription.builder(DeviceType.CX6DX,
            FwVersion.parse("22.41.1000"))
        .imageSize(size)
        .psid("MT_0000000528")
        .flag(ImageInfoFlag.SECURE_FW, true)
        .reserve(ReservedSection.IMAGE_SIGNATURE_256, ReservedSection.IMAGE_SIGNATURE_512,
            ReservedSection.PUBLIC_KEYS_2048, ReservedSection.FORBIDDEN_VERSIONS);
    long chunk = 8L << 20;
    int seed = 1;
    for (long done = 0; done < code; done += chunk) {
      builder.section(SectionSpec.random(SectionType.MAIN_CODE, Math.min(chunk, code - done),
          seed++));
    }
    ImageWriter.write(builder.build(), image, true);
  }

  @TearDown(Level.Trial)
  public void clean() throws Exception {
    Files.deleteIfExists(image);
    Files.deleteIfExists(directory);
  }

  /** Map + parse + verify, as {@code kiln verify} does per file. */
  @Benchmark
  public VerificationResult parseAndVerify() throws Exception {
    Fs4Image parsed = ImageParser.parse(image);
    VerificationResult result = ImageVerifier.verify(parsed);
    if (!result.errors().isEmpty()) {
      throw new IllegalStateException("benchmark image does not verify: " + result.errors());
    }
    return result;
  }

  /** Map + parse only (structures, no section CRCs). */
  @Benchmark
  public Fs4Image parseOnly() throws Exception {
    return ImageParser.parse(image);
  }
}
