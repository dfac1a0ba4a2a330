package dev.kiln.pipeline.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * What a fresh clone of this repository holds: every file git tracks or would add (tracked plus
 * untracked, minus what .gitignore excludes), copied from the working tree, so that a test sees
 * the examples as a new user's clone does and never the build output or a previous run's lab.
 */
final class FreshClone {
  /** The repository's top directory (surefire runs in the module directory). */
  static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

  /** Copies the repository's files into {@code target} and returns it. */
  static Path into(Path target) throws Exception {
    Path list = Files.createTempFile("kiln-files", ".txt");
    try {
      ProcessBuilder git =
          new ProcessBuilder("git", "-C", REPOSITORY.toString(), "ls-files", "-z", "--cached",
              "--others", "--exclude-standard");
      git.redirectOutput(list.toFile());
      git.redirectError(ProcessBuilder.Redirect.INHERIT);
      git.environment().putAll(Map.of("GIT_CONFIG_NOSYSTEM", "1"));
      assertEquals(0, git.start().waitFor(), "git ls-files in " + REPOSITORY);
      String names = Files.readString(list, StandardCharsets.UTF_8);
      for (String name : List.of(names.split("\0"))) {
        Path source = REPOSITORY.resolve(name);
        if (name.isEmpty() || !Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
          continue; // deleted in the working tree, or a symbolic link: not in a clone of it
        }
        Path copy = target.resolve(name);
        Files.createDirectories(copy.getParent());
        Files.copy(source, copy, StandardCopyOption.COPY_ATTRIBUTES);
      }
    } finally {
      Files.delete(list);
    }
    return target;
  }

  private FreshClone() {}
}
