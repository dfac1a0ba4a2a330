package dev.kiln.testkit;

import dev.kiln.keys.SampleKey;
import dev.kiln.keys.SampleKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SoftHSM2 token for tests, holding sample keys (NOT FOR PRODUCTION), created with the real
 * {@code softhsm2-util}.
 *
 * <p>SoftHSM2 finds its tokens through the {@code SOFTHSM2_CONF} environment variable, read by the
 * library inside the JVM, which cannot change its own environment. So the tests' JVM must be
 * started with {@code SOFTHSM2_CONF} naming a file this class may (re)write, e.g. in the module's
 * pom:
 *
 * <pre>{@code
 * <plugin>
 *   <artifactId>maven-surefire-plugin</artifactId>
 *   <configuration>
 *     <environmentVariables>
 *       <SOFTHSM2_CONF>${project.build.directory}/softhsm/softhsm2.conf</SOFTHSM2_CONF>
 *     </environmentVariables>
 *   </configuration>
 * </plugin>
 * }</pre>
 *
 * On first use in a JVM this class points that file at a fresh token directory beside it, so tokens
 * of earlier runs are not visible. SoftHSM gives each token its own serial and slot id; labels are
 * the caller's, so two tokens may share one (to test ambiguity).
 *
 * <p>Sample keys are imported with labels {@code sample-rsa2048} / {@code sample-rsa4096} and ids
 * {@code 0800} / {@code 1000} (the key size in hex), like {@code
 * keys-sample/softhsm/create-token.sh}.
 */
public final class SoftHsmToken {
  /** The Debian softhsm2 package's Cryptoki module. */
  public static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");

  /** The user PIN of every test token. */
  public static final String USER_PIN = "1234-NOT-FOR-PRODUCTION";

  private static final String SO_PIN = "5678-NOT-FOR-PRODUCTION";
  private static final Pattern REASSIGNED = Pattern.compile("reassigned to slot (\\d+)");
  private static Path tokenDirectory;

  /** Beside the token directory: PIN files and keys being imported (never inside it). */
  private static Path workDirectory;

  private final Path conf;
  private final String label;
  private final long slotId;
  private final Path pinFile;

  private SoftHsmToken(Path conf, String label, long slotId, Path pinFile) {
    this.conf = conf;
    this.label = label;
    this.slotId = slotId;
    this.pinFile = pinFile;
  }

  /**
   * The configuration file the in-JVM library reads ({@code $SOFTHSM2_CONF}), set up on first use.
   *
   * @throws IllegalStateException if the JVM was started without {@code SOFTHSM2_CONF}
   */
  public static synchronized Path configuration() {
    String value = System.getenv("SOFTHSM2_CONF");
    if (value == null || value.isEmpty()) {
      throw new IllegalStateException(
          "SOFTHSM2_CONF is not set for this JVM; set it in surefire's environmentVariables"
              + " (see dev.kiln.testkit.SoftHsmToken)");
    }
    Path conf = Path.of(value).toAbsolutePath();
    if (tokenDirectory == null) {
      try {
        Path parent = conf.getParent();
        Files.createDirectories(parent);
        Path run = parent.resolve("run-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID());
        Path tokens = Files.createDirectories(run.resolve("tokens"));
        workDirectory = Files.createDirectories(run.resolve("work"));
        Files.writeString(
            conf,
            "# Written by dev.kiln.testkit.SoftHsmToken for one test JVM.\n"
                + "directories.tokendir = "
                + tokens
                + "\n"
                + "objectstore.backend = file\n"
                + "log.level = ERROR\n"
                + "slots.removable = false\n",
            StandardCharsets.UTF_8);
        tokenDirectory = tokens;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return conf;
  }

  /** Whether softhsm2 (library and {@code softhsm2-util}) is installed. */
  public static boolean installed() {
    return Files.isRegularFile(MODULE) && Files.isExecutable(Path.of("/usr/bin/softhsm2-util"));
  }

  /**
   * Creates a token labelled {@code label} and imports {@code keys} into it.
   *
   * @throws IOException if softhsm2-util fails (its output is in the message)
   */
  public static SoftHsmToken create(String label, SampleKey... keys) throws IOException {
    Path conf = configuration();
    String output =
        run(
            conf,
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            USER_PIN,
            "--so-pin",
            SO_PIN);
    Matcher matcher = REASSIGNED.matcher(output);
    if (!matcher.find()) {
      throw new IOException("softhsm2-util did not report the new token's slot: " + output);
    }
    long slotId = Long.parseLong(matcher.group(1));
    Path pinFile = workDirectory.resolve("pin-" + slotId + ".txt");
    Files.writeString(pinFile, USER_PIN + "\n", StandardCharsets.UTF_8);
    SoftHsmToken token = new SoftHsmToken(conf, label, slotId, pinFile);
    for (SampleKey key : keys) {
      token.importKey(key, keyLabel(key), keyIdHex(key));
    }
    return token;
  }

  /** The label sample keys get on a token, e.g. {@code sample-rsa4096}. */
  public static String keyLabel(SampleKey key) {
    return "sample-rsa" + key.bits();
  }

  /** The CKA_ID sample keys get on a token, in hex: the key size, e.g. {@code 1000} for 4096. */
  public static String keyIdHex(SampleKey key) {
    return String.format(Locale.ROOT, "%04x", key.bits());
  }

  /** Imports {@code key} (private and public objects) under another label and id. */
  public void importKey(SampleKey key, String objectLabel, String idHex) throws IOException {
    Path pem =
        SampleKeys.writePrivateKey(key, workDirectory.resolve("import-" + UUID.randomUUID()));
    try {
      run(
          conf,
          "softhsm2-util",
          "--import",
          pem.toString(),
          "--slot",
          Long.toString(slotId),
          "--label",
          objectLabel,
          "--id",
          idHex,
          "--pin",
          USER_PIN);
    } finally {
      Files.deleteIfExists(pem);
      Files.deleteIfExists(pem.getParent());
    }
  }

  /**
   * Runs OpenSC's {@code pkcs11-tool} against this token (module, slot and PIN filled in), e.g. to
   * generate a key with {@code --keypairgen --always-auth}.
   */
  public String pkcs11Tool(String... arguments) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "pkcs11-tool",
                "--module",
                MODULE.toString(),
                "--slot",
                Long.toString(slotId),
                "--login",
                "--pin",
                USER_PIN));
    command.addAll(List.of(arguments));
    return run(conf, command.toArray(new String[0]));
  }

  public String label() {
    return label;
  }

  public long slotId() {
    return slotId;
  }

  /** A file holding the user PIN, for {@code pin-source=file:...}. */
  public Path pinFile() {
    return pinFile;
  }

  /** The reference of a sample key on this token: exact token label, key label, PIN file. */
  public String uri(SampleKey key) {
    return uri("object=" + encode(keyLabel(key)));
  }

  /**
   * A reference to this token with the given path attributes after {@code token=}, e.g. {@code
   * id=%10%00}, plus module path and PIN file.
   */
  public String uri(String pathAttributes) {
    return "pkcs11:token="
        + encode(label)
        + (pathAttributes.isEmpty() ? "" : ";" + pathAttributes)
        + "?module-path="
        + MODULE
        + "&pin-source=file:"
        + pinFile;
  }

  /** Percent-encodes an attribute value (RFC 7512 allows unreserved characters unencoded). */
  public static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String run(Path conf, String... command) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("SOFTHSM2_CONF", conf.toString());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(command[0] + " timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(command[0] + " interrupted", e);
    }
    if (process.exitValue() != 0) {
      throw new IOException(
          command[0] + " " + command[1] + " failed (exit " + process.exitValue() + "): " + output);
    }
    return output;
  }
}
