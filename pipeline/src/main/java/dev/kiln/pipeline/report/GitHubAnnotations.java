package dev.kiln.pipeline.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * GitHub Actions workflow commands for findings ({@code ::error file=F,line=L,col=C,title=T::M}),
 * which the runner shows as annotations on the run and, for files in the repository, on the pull
 * request's diff. Only printed when {@code GITHUB_ACTIONS=true}, the variable the runner sets.
 *
 * <p>Escaping (the runner's command format, as the actions toolkit writes it): in the message,
 * {@code %}, CR and LF become {@code %25}, {@code %0D}, {@code %0A}; in a property value also
 * {@code :} and {@code ,} ({@code %3A}, {@code %2C}), which would otherwise end the value.
 */
public final class GitHubAnnotations {
  private GitHubAnnotations() {}

  /** Whether the environment is a GitHub Actions runner. */
  public static boolean active(java.util.function.Function<String, String> environment) {
    return "true".equals(environment.apply("GITHUB_ACTIONS"));
  }

  /**
   * One command per finding (errors as {@code ::error}, warnings as {@code ::warning}, notes as
   * {@code ::notice}) and one {@code ::error} per check that could not run, with the file relative
   * to {@code baseDirectory} (the workspace) when it lies under it.
   */
  public static List<String> commands(List<ReportEntry> entries, Path baseDirectory) {
    Path base = baseDirectory.toAbsolutePath().normalize();
    List<String> lines = new ArrayList<>();
    for (ReportEntry entry : entries) {
      String file = file(entry.subject(), base);
      for (CheckFinding finding : entry.findings()) {
        StringBuilder properties = new StringBuilder("file=").append(property(file));
        finding.region().filter(r -> !r.isBinary()).ifPresent(r -> {
          properties.append(",line=").append(r.line());
          if (r.column() > 0) {
            properties.append(",col=").append(r.column());
          }
        });
        properties.append(",title=").append(property("kiln " + finding.code()));
        lines.add("::" + command(finding.severity()) + " " + properties + "::"
            + message(finding.toString()));
      }
      entry.notEvaluated().forEach((check, reason) ->
          lines.add("::error file=" + property(file) + ",title=" + property("kiln " + check)
              + "::" + message(check + " was not evaluated: " + reason)));
    }
    return lines;
  }

  private static String command(Severity severity) {
    return switch (severity) {
      case ERROR -> "error";
      case WARNING -> "warning";
      case NOTE -> "notice";
    };
  }

  private static String file(String subject, Path base) {
    Path path = base.resolve(subject).normalize();
    return path.startsWith(base) ? base.relativize(path).toString() : path.toString();
  }

  static String message(String text) {
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
  }

  static String property(String text) {
    return message(text).replace(":", "%3A").replace(",", "%2C");
  }
}
