package dev.kiln.pipeline.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What reports say about the tool that wrote them: the kiln version and where its home page and
 * documentation are. Maven writes them into {@code kiln-tool.properties} at build time (filtered
 * from {@code pipeline/pom.xml}), so a test run from the classes directory reports the same
 * version as the packaged jar.
 *
 * @param version the project version, e.g. {@code 0.1.0-SNAPSHOT}
 * @param informationUri the tool's home page (SARIF {@code tool.driver.informationUri})
 * @param documentationUri the directory of kiln's docs, ending with '/', against which a rule's
 *     {@code helpUri} is resolved
 */
public record ToolInfo(String version, String informationUri, String documentationUri) {
  private static final String RESOURCE = "kiln-tool.properties";

  /** The values the build recorded. */
  public static ToolInfo current() {
    Properties properties = new Properties();
    try (InputStream in = ToolInfo.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        // The build always writes it; a missing file is a packaging defect, not a user error.
        throw new IllegalStateException(RESOURCE + " missing from the kiln jar");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ToolInfo(
        properties.getProperty("version"),
        properties.getProperty("informationUri"),
        properties.getProperty("documentationUri"));
  }
}
