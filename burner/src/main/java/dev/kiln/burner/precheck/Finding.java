package dev.kiln.burner.precheck;

import java.util.Objects;

/**
 * One reason the device would refuse the image (ERROR) or something the operator should know
 * (WARNING).
 *
 * @param code stable code, see {@link PrecheckCode}
 * @param severity ERROR or WARNING
 * @param message one line, naming both sides (what the image has, what the device wants)
 */
public record Finding(PrecheckCode code, PrecheckCode.Severity severity, String message) {
  public Finding {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(message, "message");
  }

  static Finding of(PrecheckCode code, String message) {
    return new Finding(code, code.defaultSeverity(), message);
  }

  public boolean isError() {
    return severity == PrecheckCode.Severity.ERROR;
  }

  @Override
  public String toString() {
    return severity + " " + code + ": " + message;
  }
}
