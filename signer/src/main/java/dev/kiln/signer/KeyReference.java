package dev.kiln.signer;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where a signing key is: a parsed KEYREF URI. Three forms (docs/key-references.md has examples):
 *
 * <ul>
 *   <li>{@code file:PATH}: a PKCS#1 or PKCS#8 PEM private key, optionally encrypted;
 *   <li>{@code pkcs11:token=...;object=...;id=...?module-path=...&pin-source=file:...}: a key on a
 *       PKCS#11 token (RFC 7512);
 *   <li>{@code awskms:///KEY}: an AWS KMS key by key id, key ARN, {@code alias/NAME} or alias ARN.
 * </ul>
 *
 * <p>A PIN can never be part of a reference ({@code pin-value} is refused): references are printed
 * in logs and error messages, so {@link #toString()} must be safe to show.
 */
public sealed interface KeyReference
    permits KeyReference.FileKey, KeyReference.Pkcs11Key, KeyReference.KmsKey {

  /** The backend name reported by {@link SigningService#backend()}. */
  String backend();

  /**
   * Parses a KEYREF.
   *
   * @throws IllegalArgumentException if the text is not a valid reference (a usage error); the
   *     message explains what is wrong
   */
  static KeyReference parse(String text) {
    Objects.requireNonNull(text, "text");
    if (text.startsWith("file:")) {
      String path = text.substring("file:".length());
      if (path.isEmpty()) {
        throw new IllegalArgumentException("key reference file: needs a path");
      }
      return new FileKey(Path.of(path));
    }
    if (text.startsWith("pkcs11:")) {
      return Pkcs11Key.parse(text);
    }
    if (text.startsWith("awskms:")) {
      return KmsKey.parse(text);
    }
    throw new IllegalArgumentException(
        "unknown key reference '" + text + "': use file:PATH, pkcs11:... or awskms:///KEY");
  }

  /**
   * A PEM private key file.
   *
   * @param path the file
   */
  record FileKey(Path path) implements KeyReference {
    public FileKey {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public String backend() {
      return "file";
    }

    @Override
    public String toString() {
      return "file:" + path;
    }
  }

  /**
   * A private key on a PKCS#11 token (RFC 7512). Token and object attributes match exactly; a
   * missing attribute matches anything. Nullable components are absent from the URI.
   *
   * @param tokenLabel {@code token=}: the token label (CK_TOKEN_INFO.label without its padding)
   * @param tokenManufacturer {@code manufacturer=}
   * @param tokenModel {@code model=}
   * @param tokenSerial {@code serial=}
   * @param slotId {@code slot-id=}: a decimal slot id
   * @param objectLabel {@code object=}: the key's CKA_LABEL
   * @param idHex {@code id=}: the key's CKA_ID in lower-case hex (the URI carries raw bytes)
   * @param modulePath {@code module-path=}: the Cryptoki library; defaults to SoftHSM2
   * @param pinSource {@code pin-source=}: {@code file:PATH} or {@code env:VAR}
   * @param text the URI as given, which never contains a PIN
   */
  record Pkcs11Key(
      String tokenLabel,
      String tokenManufacturer,
      String tokenModel,
      String tokenSerial,
      Long slotId,
      String objectLabel,
      String idHex,
      Path modulePath,
      SecretSource pinSource,
      String text)
      implements KeyReference {

    /** Debian's softhsm2 package installs its Cryptoki module here. */
    public static final Path DEFAULT_MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");

    public Pkcs11Key {
      Objects.requireNonNull(modulePath, "modulePath");
      Objects.requireNonNull(text, "text");
      if (tokenLabel == null && tokenSerial == null && slotId == null) {
        throw new IllegalArgumentException(
            "pkcs11 key reference needs token=, serial= or slot-id= to pick the token");
      }
      if (objectLabel == null && idHex == null) {
        throw new IllegalArgumentException(
            "pkcs11 key reference needs object= or id= to pick the key");
      }
    }

    /** The CKA_ID to match, or {@code null} when the URI has no {@code id=}. */
    public byte[] id() {
      return idHex == null ? null : HexFormat.of().parseHex(idHex);
    }

    @Override
    public String backend() {
      return "pkcs11";
    }

    @Override
    public String toString() {
      return text;
    }

    static Pkcs11Key parse(String text) {
      String body = text.substring("pkcs11:".length());
      int question = body.indexOf('?');
      String pathPart = question < 0 ? body : body.substring(0, question);
      String queryPart = question < 0 ? "" : body.substring(question + 1);
      Map<String, byte[]> path = attributes(pathPart, ';', text);
      Map<String, byte[]> query = attributes(queryPart, '&', text);

      String tokenLabel = null;
      String manufacturer = null;
      String model = null;
      String serial = null;
      Long slotId = null;
      String object = null;
      String idHex = null;
      for (Map.Entry<String, byte[]> entry : path.entrySet()) {
        byte[] value = entry.getValue();
        switch (entry.getKey()) {
          case "token" -> tokenLabel = utf8(value, "token", text);
          case "manufacturer" -> manufacturer = utf8(value, "manufacturer", text);
          case "model" -> model = utf8(value, "model", text);
          case "serial" -> serial = utf8(value, "serial", text);
          case "slot-id" -> slotId = slotId(utf8(value, "slot-id", text), text);
          case "object" -> object = utf8(value, "object", text);
          case "id" -> idHex = HexFormat.of().formatHex(value);
          case "type" -> {
            if (!"private".equals(utf8(value, "type", text))) {
              throw new IllegalArgumentException(
                  "pkcs11 key reference: type= must be 'private' (signing needs the private key)");
            }
          }
          case "pin-value" -> throw pinValueRefused();
          default ->
              throw new IllegalArgumentException(
                  "pkcs11 key reference: unsupported attribute '" + entry.getKey() + "'");
        }
      }
      Path modulePath = DEFAULT_MODULE;
      SecretSource pinSource = null;
      for (Map.Entry<String, byte[]> entry : query.entrySet()) {
        byte[] value = entry.getValue();
        switch (entry.getKey()) {
          case "module-path" -> modulePath = Path.of(utf8(value, "module-path", text));
          case "pin-source" -> pinSource = SecretSource.parse(utf8(value, "pin-source", text));
          case "pin-value" -> throw pinValueRefused();
          default ->
              throw new IllegalArgumentException(
                  "pkcs11 key reference: unsupported query attribute '"
                      + entry.getKey()
                      + "' (supported: module-path, pin-source)");
        }
      }
      return new Pkcs11Key(
          tokenLabel,
          manufacturer,
          model,
          serial,
          slotId,
          object,
          idHex,
          modulePath,
          pinSource,
          text);
    }

    private static IllegalArgumentException pinValueRefused() {
      // Deliberately no echo of the URI: it contains the PIN.
      return new IllegalArgumentException(
          "pkcs11 key reference: pin-value is not accepted (a PIN in a URI leaks into logs);"
              + " use pin-source=file:PATH or pin-source=env:VAR");
    }

    private static Long slotId(String value, String text) {
      try {
        return Long.parseUnsignedLong(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "pkcs11 key reference " + text + ": slot-id must be a decimal number");
      }
    }

    /** Splits RFC 7512 attributes and percent-decodes each value to raw bytes. */
    private static Map<String, byte[]> attributes(String part, char separator, String text) {
      Map<String, byte[]> result = new LinkedHashMap<>();
      if (part.isEmpty()) {
        return result;
      }
      // The pin-value check happens before anything echoes the text back.
      for (String item : part.split(java.util.regex.Pattern.quote(String.valueOf(separator)), -1)) {
        int equals = item.indexOf('=');
        String name = equals < 0 ? item : item.substring(0, equals);
        if (name.equals("pin-value")) {
          throw pinValueRefused();
        }
      }
      for (String item : part.split(java.util.regex.Pattern.quote(String.valueOf(separator)), -1)) {
        int equals = item.indexOf('=');
        if (equals <= 0) {
          throw new IllegalArgumentException(
              "pkcs11 key reference " + text + ": '" + item + "' is not name=value");
        }
        String name = item.substring(0, equals);
        if (result.put(name, percentDecode(item.substring(equals + 1), text)) != null) {
          throw new IllegalArgumentException(
              "pkcs11 key reference " + text + ": attribute '" + name + "' appears twice");
        }
      }
      return result;
    }
  }

  /**
   * A key in AWS KMS.
   *
   * @param keyId a key id, key ARN, {@code alias/NAME} or alias ARN, as KMS accepts in {@code
   *     KeyId}
   * @param endpoint an endpoint from the URI authority ({@code awskms://HOST:PORT/KEY}, always
   *     https), or {@code null} for the default ({@code awskms:///KEY})
   */
  record KmsKey(String keyId, URI endpoint) implements KeyReference {
    public KmsKey {
      Objects.requireNonNull(keyId, "keyId");
      if (keyId.isEmpty()) {
        throw new IllegalArgumentException("awskms key reference needs a key: awskms:///KEY");
      }
    }

    /** The region named by an ARN key id, or {@code null} for key ids and aliases. */
    public String arnRegion() {
      if (!keyId.startsWith("arn:")) {
        return null;
      }
      String[] parts = keyId.split(":", 6);
      return parts.length == 6 && !parts[3].isEmpty() ? parts[3] : null;
    }

    @Override
    public String backend() {
      return "awskms";
    }

    @Override
    public String toString() {
      return "awskms://" + (endpoint == null ? "" : endpoint.getRawAuthority()) + "/" + keyId;
    }

    static KmsKey parse(String text) {
      if (!text.startsWith("awskms://")) {
        throw new IllegalArgumentException(
            "awskms key reference must look like awskms:///KEY (or awskms://HOST/KEY)");
      }
      String rest = text.substring("awskms://".length());
      int slash = rest.indexOf('/');
      if (slash < 0) {
        throw new IllegalArgumentException(
            "awskms key reference must look like awskms:///KEY (or awskms://HOST/KEY)");
      }
      String authority = rest.substring(0, slash);
      String key =
          new String(percentDecode(rest.substring(slash + 1), text), StandardCharsets.UTF_8);
      URI endpoint = authority.isEmpty() ? null : URI.create("https://" + authority);
      return new KmsKey(key, endpoint);
    }
  }

  private static byte[] percentDecode(String value, String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
    for (int i = 0; i < value.length(); i++) {
      int c = value.codePointAt(i);
      if (c == '%') {
        if (i + 2 >= value.length()) {
          throw new IllegalArgumentException("key reference " + text + ": truncated %-escape");
        }
        int high = Character.digit(value.charAt(i + 1), 16);
        int low = Character.digit(value.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          throw new IllegalArgumentException("key reference " + text + ": bad %-escape");
        }
        out.write(high << 4 | low);
        i += 2;
      } else {
        byte[] utf8 = Character.toString(c).getBytes(StandardCharsets.UTF_8);
        out.write(utf8, 0, utf8.length);
        i += Character.charCount(c) - 1;
      }
    }
    return out.toByteArray();
  }

  private static String utf8(byte[] value, String name, String text) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          "key reference " + text + ": " + name + " is not UTF-8 after %-decoding");
    }
  }
}
