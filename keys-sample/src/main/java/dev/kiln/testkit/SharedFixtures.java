package dev.kiln.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The project's shared fixtures: facts recorded outside Kiln (for example what a real adapter
 * answered), kept in the {@code shared} folder that CI places beside the clone ({@code
 * ../shared/fixtures/NAME} from the project root), not in the repository.
 *
 * <p>A missing fixture fails the test with the path it looked for: a test that compares Kiln with
 * real hardware must never pass silently without its facts.
 */
public final class SharedFixtures {
  private SharedFixtures() {}

  /**
   * The directory of fixture {@code name}.
   *
   * @throws IllegalStateException when the project root or the fixture cannot be found
   */
  public static Path directory(String name) {
    Path root = projectRoot();
    Path fixture = root.resolveSibling("shared").resolve("fixtures").resolve(name);
    if (!Files.isDirectory(fixture)) {
      throw new IllegalStateException(
          "shared fixture '" + name + "' is missing: expected the directory " + fixture
              + " (CI places the shared folder beside the clone, at ../shared)");
    }
    return fixture;
  }

  /** A file of fixture {@code name}; fails like {@link #directory} when it is missing. */
  public static Path file(String name, String file) {
    Path path = directory(name).resolve(file);
    if (!Files.isRegularFile(path)) {
      throw new IllegalStateException("shared fixture file is missing: " + path);
    }
    return path;
  }

  /**
   * The project root: the nearest directory at or above the working directory whose pom.xml is
   * the parent POM ({@code kiln-parent}). Surefire runs each module's tests in the module
   * directory, the launcher-driven tests at the root; both find it.
   */
  public static Path projectRoot() {
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path pom = dir.resolve("pom.xml");
      if (Files.isRegularFile(pom) && isParentPom(pom)) {
        return dir;
      }
    }
    throw new IllegalStateException("no Kiln project root (kiln-parent pom.xml) above " + start);
  }

  private static boolean isParentPom(Path pom) {
    try {
      String text = Files.readString(pom, StandardCharsets.UTF_8);
      int parent = text.indexOf("<parent>");
      int artifact = text.indexOf("<artifactId>kiln-parent</artifactId>");
      // The parent POM names itself; module POMs name it inside their <parent> element.
      return artifact >= 0 && (parent < 0 || artifact < parent);
    } catch (IOException e) {
      return false;
    }
  }
}
