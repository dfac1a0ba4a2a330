package dev.kiln.signer.audit;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One signing event as the audit log keeps it. Holds no secret: key references are stored as the
 * user wrote them minus any query part that could name a PIN source, plus public facts about the
 * key.
 *
 * @param time when the signed output was produced
 * @param operation the command, e.g. {@code sign}, {@code set-public-keys}
 * @param input the input image path
 * @param output the output image path
 * @param sha512Before SHA-512 of the input image, hex
 * @param sha512After SHA-512 of the output image, hex
 * @param signatures one entry per signature written (empty for unkeyed updates)
 * @param user the OS user running the command
 * @param host the host name
 */
public record AuditRecord(
    Instant time,
    String operation,
    String input,
    String output,
    String sha512Before,
    String sha512After,
    List<Signature> signatures,
    String user,
    String host) {

  public AuditRecord {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(operation, "operation");
    signatures = List.copyOf(signatures);
  }

  /**
   * One signature written into the image.
   *
   * @param section the section written, e.g. {@code IMAGE_SIGNATURE_512}
   * @param keyReference the key reference without secrets
   * @param publicKeyFingerprint SHA-256 of the public key's SubjectPublicKeyInfo, hex
   * @param keyUuid the key UUID stored in the section
   * @param backend the key backend ({@code file}, {@code pkcs11}, {@code awskms})
   * @param kmsRequestId the KMS request id of the signing call, where the backend has one
   */
  public record Signature(
      String section,
      String keyReference,
      String publicKeyFingerprint,
      String keyUuid,
      String backend,
      Optional<String> kmsRequestId) {

    public Signature {
      Objects.requireNonNull(kmsRequestId, "kmsRequestId");
    }
  }

  /** The record as one line of JSON, without the line feed. */
  public String toJson() {
    StringBuilder json = new StringBuilder(512);
    json.append('{');
    field(json, "time", time.toString()).append(',');
    field(json, "operation", operation).append(',');
    field(json, "input", input).append(',');
    field(json, "output", output).append(',');
    field(json, "sha512Before", sha512Before).append(',');
    field(json, "sha512After", sha512After).append(',');
    json.append("\"signatures\":[");
    for (int i = 0; i < signatures.size(); i++) {
      Signature signature = signatures.get(i);
      json.append(i == 0 ? "{" : ",{");
      field(json, "section", signature.section()).append(',');
      field(json, "keyReference", signature.keyReference()).append(',');
      field(json, "publicKeyFingerprint", signature.publicKeyFingerprint()).append(',');
      field(json, "keyUuid", signature.keyUuid()).append(',');
      field(json, "backend", signature.backend()).append(',');
      field(json, "kmsRequestId", signature.kmsRequestId().orElse(null));
      json.append('}');
    }
    json.append("],");
    field(json, "user", user).append(',');
    field(json, "host", host);
    return json.append('}').toString();
  }

  private static StringBuilder field(StringBuilder json, String name, String value) {
    json.append('"').append(name).append("\":");
    if (value == null) {
      return json.append("null");
    }
    json.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    return json.append('"');
  }
}
