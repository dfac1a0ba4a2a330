package dev.kiln.signer.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.signer.KeyAccessException;
import dev.kiln.signer.SecretSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretSourceTest {
  @TempDir Path dir;

  @Test
  void fileSecretLosesOneTrailingLineBreakOnly() throws Exception {
    Path file = dir.resolve("pin");
    Files.writeString(file, "12 34\r\n", StandardCharsets.UTF_8);
    assertArrayEquals("12 34".toCharArray(), SecretSource.file(file).readChars());
    Files.writeString(file, "pässword\n\n", StandardCharsets.UTF_8);
    assertArrayEquals(
        "pässword\n".getBytes(StandardCharsets.UTF_8), SecretSource.file(file).readBytes());
  }

  @Test
  void environmentSecretIsRead() throws Exception {
    // PATH is set in every environment the tests run in; its value is a fine stand-in secret.
    Map.Entry<String, String> any =
        System.getenv().entrySet().stream()
            .filter(e -> !e.getValue().isEmpty() && !e.getValue().endsWith("\n"))
            .findFirst()
            .orElseThrow();
    assertArrayEquals(
        any.getValue().toCharArray(), SecretSource.environment(any.getKey()).readChars());
  }

  @Test
  void emptyOrMissingSecretsAreKeyAccessErrors() throws Exception {
    Path empty = dir.resolve("empty");
    Files.writeString(empty, "\n");
    assertEquals(
        "secret source file:" + empty + ": the secret is empty",
        assertThrows(KeyAccessException.class, () -> SecretSource.file(empty).readBytes())
            .getMessage());
    Path missing = dir.resolve("missing");
    assertTrue(
        assertThrows(KeyAccessException.class, () -> SecretSource.file(missing).readBytes())
            .getMessage()
            .startsWith("secret source file:" + missing + ": cannot read the file"));
  }
}
