package dev.kiln.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.inspector.ImageVerifier;
import dev.kiln.keys.SampleKeys;
import dev.kiln.pipeline.bundle.BundleLayout;
import dev.kiln.pipeline.bundle.DetachedSignature;
import dev.kiln.pipeline.bundle.SigningServiceSigner;
import dev.kiln.pipeline.check.Fixtures;
import dev.kiln.pipeline.demo.SampleFirmware;
import dev.kiln.pipeline.feed.CanonicalJson;
import dev.kiln.testkit.Mstflint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every hostile input of issue 12 ("Parsers an attacker can steer"), each with its exit code and
 * its one {@code kiln:} line, never a stack trace or an OutOfMemoryError. The inputs that would
 * have exhausted the heap run in a child JVM with {@code -Xmx64m}: they must be refused from
 * their sizes, not survive by luck of a large heap. Where {@code unzip} and Python's
 * {@code zipfile} read a bundle differently from a naive reader, the test shows what they see, so
 * kiln's refusal is the only safe answer.
 */
class HostileInputTest {
  private static final List<String> SMALL_HEAP = List.of("-Xmx64m");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NEW_IMAGE = "images/fw-22.41.1000.bin";
  private static final String OLD_IMAGE = "images/fw-22.39.2000.bin";

  @TempDir static Path dir;
  static Fixtures fixtures;
  static Path image;
  static Path oldBundle;
  static Path newBundle;
  static SigningServiceSigner signer;

  @BeforeAll
  static void setUp() throws Exception {
    fixtures = new Fixtures(dir);
    signer = new SigningServiceSigner(fixtures.key);
    Path older = fixtures.signed(SampleFirmware.Spec.secure("22.39.2000"), "fw-22.39.2000");
    image = fixtures.signed(SampleFirmware.Spec.secure("22.41.1000"), "fw-22.41.1000");
    oldBundle = bundle("old.kbundle", older);
    newBundle = bundle("new.kbundle", image);
  }

  @AfterAll
  static void tearDown() {
    fixtures.close();
  }

  private static Path bundle(String name, Path content) {
    Path out = dir.resolve(name);
    Fixtures.Result result =
        Fixtures.kiln("bundle", "create", "--out", out.toString(), "--key",
            "file:" + fixtures.privateKey, "--allow-sample-keys", "--created",
            "2026-11-25T07:00:00Z", content.toString());
    assertEquals(0, result.exitCode(), result.out() + result.err());
    return out;
  }

  // ---- bundles: one archive, read from its central directory, nothing hidden ----

  @Test
  void concatenatedBundlesAreRefusedWhileUnzipAndPythonReadTheSecond() throws Exception {
    Path joined = write("joined.kbundle", concat(bytes(oldBundle), bytes(newBundle)));
    refused(ExitCodes.UNREADABLE_INPUT, "data before the zip archive or inside it",
        "bundle", "verify", joined.toString(), "--trust", fixtures.publicKey.toString());
    // What the other readers make of it: the second (new) release, so a reader walking local
    // headers from the start (the old one) and they would disagree.
    Mstflint.Result unzip = KilnChildProcess.runCommand(List.of("unzip", "-l", joined.toString()));
    assertTrue(unzip.stdout().contains(NEW_IMAGE), unzip.output());
    assertFalse(unzip.stdout().contains(OLD_IMAGE), unzip.output());
    assertEquals(List.of(BundleLayout.MANIFEST, BundleLayout.SIGNATURE, NEW_IMAGE),
        pythonNames(joined));
    // What kiln accepts, the other readers read alike: same entries, same order, same bytes.
    assertEquals(0, kiln("bundle", "verify", newBundle.toString(), "--trust",
        fixtures.publicKey.toString()).exitCode());
    assertEquals(List.of(BundleLayout.MANIFEST, BundleLayout.SIGNATURE, NEW_IMAGE),
        pythonNames(newBundle));
    assertEquals(0,
        KilnChildProcess.runCommand(List.of("unzip", "-tq", newBundle.toString())).exitCode());
  }

  @Test
  void dataAfterTheArchiveIsRefused() throws Exception {
    Path trailing =
        write("trailing.kbundle", concat(bytes(newBundle), "junk".getBytes(StandardCharsets.UTF_8)));
    refused(ExitCodes.UNREADABLE_INPUT, "data after the end of the zip archive",
        "bundle", "verify", trailing.toString(), "--trust", fixtures.publicKey.toString());
  }

  @Test
  void aCentralDirectoryNameThatEscapesIsRefusedThoughUnzipWouldWriteIt() throws Exception {
    byte[] bundle = bytes(newBundle);
    byte[] safe = NEW_IMAGE.getBytes(StandardCharsets.US_ASCII);
    byte[] escaping = ("../../x" + NEW_IMAGE.substring(7)).getBytes(StandardCharsets.US_ASCII);
    int inCentralDirectory = lastIndexOf(bundle, safe);
    System.arraycopy(escaping, 0, bundle, inCentralDirectory, escaping.length);
    Path patched = write("escaping.kbundle", bundle);
    // unzip and zipfile list (and would extract) the central directory's name.
    String escaped = new String(escaping, StandardCharsets.US_ASCII);
    assertTrue(KilnChildProcess.runCommand(List.of("unzip", "-l", patched.toString())).stdout()
        .contains(escaped));
    assertTrue(pythonNames(patched).contains(escaped));
    refused(ExitCodes.UNREADABLE_INPUT, "the central directory and the local headers disagree",
        "bundle", "verify", patched.toString(), "--trust", fixtures.publicKey.toString());
  }

  @Test
  void unsafeNamesInBothHeadersAreFindings() throws Exception {
    // Commons Compress (like most writers) turns a backslash into a slash when it writes a name,
    // so the backslash name is written as "images|evil.bin" and patched in both headers.
    for (String name : List.of("../../etc/evil", "/etc/evil", "images|evil.bin", "nul\0.bin")) {
      Map<String, byte[]> entries = entriesOf(newBundle);
      entries.put(name, new byte[] {1});
      byte[] zip = zip(entries);
      byte[] written = "images|evil.bin".getBytes(StandardCharsets.US_ASCII);
      for (int at = 0; at + written.length <= zip.length; at++) {
        if (Arrays.equals(zip, at, at + written.length, written, 0, written.length)) {
          zip[at + 6] = '\\';
        }
      }
      Path bundle = write("unsafe.kbundle", zip);
      Fixtures.Result result =
          failed(ExitCodes.CHECK_FAILED, "could be extracted outside its directory",
              "bundle", "verify", bundle.toString(), "--trust", fixtures.publicKey.toString());
      assertTrue(result.out().contains("BUNDLE_UNSAFE_ENTRY_NAME"), result.out());
    }
  }

  @Test
  void duplicateNamesAreFindingsAndNeitherCopyIsUsed() throws Exception {
    Map<String, byte[]> entries = entriesOf(newBundle);
    byte[] manifest = entries.get(BundleLayout.MANIFEST);
    byte[] signature = entries.get(BundleLayout.SIGNATURE);
    byte[] real = entries.get(NEW_IMAGE);
    byte[] other = bytes(fixtures.unsigned(SampleFirmware.Spec.secure("22.41.1000"), "dup"));
    Path bundle =
        write("duplicate.kbundle",
            zip(List.of(Map.entry(BundleLayout.MANIFEST, manifest),
                Map.entry(BundleLayout.SIGNATURE, signature), Map.entry(NEW_IMAGE, real),
                Map.entry(NEW_IMAGE, other)), false));
    assertTrue(pythonNames(bundle).stream().filter(NEW_IMAGE::equals).count() == 2);
    Fixtures.Result result =
        failed(ExitCodes.CHECK_FAILED, "two entries named " + NEW_IMAGE,
            "bundle", "verify", bundle.toString(), "--trust", fixtures.publicKey.toString());
    assertTrue(result.out().contains("BUNDLE_DUPLICATE_ENTRY"), result.out());
  }

  @Test
  void zipBombsAreRefusedFromTheirDeclaredSizesInASmallHeap() throws Exception {
    // 30 entries of 250 MiB of zeros, deflated: under 8 MB on disk, 7.3 GiB inflated.
    int size = 250 << 20;
    byte[] deflated = deflatedZeros(size);
    long crc = zerosCrc(size);
    List<RawEntry> bomb = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      bomb.add(new RawEntry("images/bomb-" + i + ".bin", deflated, size, crc));
    }
    Path bombFile = write("bomb.kbundle", rawZip(bomb));
    assertTrue(Files.size(bombFile) < 9_000_000, Files.size(bombFile) + " bytes");
    refusedInSmallHeap(ExitCodes.UNREADABLE_INPUT,
        "inflate to more than the 1 GiB a bundle may hold in all",
        "bundle", "verify", bombFile.toString(), "--trust", fixtures.publicKey.toString());
    Path oneTooLarge =
        write("large-entry.kbundle",
            rawZip(List.of(new RawEntry("images/big.bin", deflated, 300L << 20, crc))));
    refusedInSmallHeap(ExitCodes.UNREADABLE_INPUT, "more than the 256 MiB a bundle entry may hold",
        "bundle", "verify", oneTooLarge.toString(), "--trust", fixtures.publicKey.toString());
    // Headers that lie: 1 KiB declared, 250 MiB inflated. Inflation stops after 1 KiB + 1.
    Path lying =
        write("lying.kbundle",
            rawZip(List.of(new RawEntry("images/lie.bin", deflated, 1024, crc))));
    refusedInSmallHeap(ExitCodes.UNREADABLE_INPUT,
        "inflates to more bytes than the 1024 its headers declare",
        "bundle", "verify", lying.toString(), "--trust", fixtures.publicKey.toString());
    List<RawEntry> many = new ArrayList<>();
    byte[] empty = deflate(new byte[0]);
    for (int i = 0; i < 300; i++) {
      many.add(new RawEntry("images/" + i + ".bin", empty, 0, 0));
    }
    refused(ExitCodes.UNREADABLE_INPUT, "300 entries, more than the 256 a bundle may hold",
        "bundle", "verify", write("many.kbundle", rawZip(many)).toString(), "--trust",
        fixtures.publicKey.toString());
  }

  // ---- manifests: signature over the raw bytes first, then strict, bounded JSON ----

  @Test
  void aHugeManifestIsRefusedFromItsSizeInASmallHeap() throws Exception {
    // Millions of {} deflate to a small entry and would each become a tree node.
    byte[] braces = "{}".repeat(8_000_000).getBytes(StandardCharsets.US_ASCII);
    Map<String, byte[]> entries = entriesOf(newBundle);
    entries.put(BundleLayout.MANIFEST, braces);
    Path bundle = write("braces.kbundle", zip(entries, true));
    assertTrue(Files.size(bundle) < 200_000, Files.size(bundle) + " bytes");
    refusedInSmallHeap(ExitCodes.UNREADABLE_INPUT,
        "entry manifest.json inflates to 16000000 bytes, more than the 1 MiB manifest.json may hold",
        "bundle", "verify", bundle.toString(), "--trust", fixtures.publicKey.toString());
  }

  @Test
  void anUnsignedHostileManifestIsNeverParsed() throws Exception {
    Map<String, byte[]> entries = entriesOf(newBundle);
    entries.put(BundleLayout.MANIFEST, deepJson(150_000));
    Fixtures.Result result =
        failed(ExitCodes.CHECK_FAILED, "the manifest signature does not verify",
            "bundle", "verify", write("deep-unsigned.kbundle", zip(entries)).toString(),
            "--trust", fixtures.publicKey.toString());
    assertFalse(result.out().contains("BUNDLE_MANIFEST_INVALID"), result.out());
  }

  @Test
  void signedManifestsAreReadStrictly() throws Exception {
    String manifest =
        new String(entriesOf(newBundle).get(BundleLayout.MANIFEST), StandardCharsets.UTF_8);
    String hwIds = "(\"hwDeviceIds\"\\s*:\\s*\\[\\s*)530";
    Map<String, String> cases =
        Map.of(
            new String(deepJson(100_000), StandardCharsets.US_ASCII), "nesting depth",
            manifest + " {}", "Trailing token",
            manifest.replaceFirst("\\{", "{\"format\": \"kiln-bundle-v1\","), "Duplicate field",
            manifest.replaceFirst(hwIds, "$1530.7"),
                "'hwDeviceIds' must be an integer from 0 to 4294967295, not 530.7",
            manifest.replaceFirst(hwIds, "$14294967826"),
                "'hwDeviceIds' must be an integer from 0 to 4294967295, not 4294967826");
    for (Map.Entry<String, String> hostile : cases.entrySet()) {
      Path bundle = signedBundle(hostile.getKey().getBytes(StandardCharsets.UTF_8));
      Fixtures.Result result =
          failed(ExitCodes.CHECK_FAILED, hostile.getValue(),
              "bundle", "verify", bundle.toString(), "--trust", fixtures.publicKey.toString());
      assertTrue(result.out().contains("BUNDLE_MANIFEST_INVALID"), result.out());
    }
  }

  // ---- feeds ----

  @Test
  void signedFeedsAreReadStrictly() throws Exception {
    String body =
        """
        {"format": "kiln-forbidden-versions-v1", "issued": "2026-01-01T00:00:00Z",
         "expires": "2099-01-01T00:00:00Z", "sequence": 2,
         "entries": [{"hwDeviceId": HWID, "versions": ["22.40.1000"], "reason": "CVE"}]}
        """;
    // Signed as it stands: 2^32+530 is an integer, and once taken as 0x212.
    failed(ExitCodes.CHECK_FAILED,
        "'hwDeviceId' must be an integer from 0 to 4294967295, not 4294967826",
        "feed", "verify", signedFeed(body.replace("HWID", "4294967826"), "").toString(),
        "--trust", fixtures.publicKey.toString());
    Path good = signedFeed(body.replace("HWID", "530"), "");
    // 530.7 cannot be signed (canonical JSON has integers only); the content is refused before
    // its signature is looked at, as 530 it was taken before.
    Path fraction =
        text("fraction-feed.json",
            Files.readString(good).replace("\"hwDeviceId\":530", "\"hwDeviceId\":530.7"));
    failed(ExitCodes.CHECK_FAILED,
        "'hwDeviceId' must be an integer from 0 to 4294967295, not 530.7",
        "feed", "verify", fraction.toString(), "--trust", fixtures.publicKey.toString());
    assertEquals(0, kiln("feed", "verify", good.toString(), "--trust",
        fixtures.publicKey.toString()).exitCode());
    failed(ExitCodes.CHECK_FAILED, "Trailing token",
        "feed", "verify", signedFeed(body.replace("HWID", "530"), "\n{}").toString(), "--trust",
        fixtures.publicKey.toString());
  }

  @Test
  void hugeFeedsAreRefusedFromTheirSizeInASmallHeap() throws Exception {
    Path huge = sparse("huge-feed.json", 3L << 30);
    refusedInSmallHeap(ExitCodes.UNREADABLE_INPUT,
        "3221225472 bytes is larger than the 1 MiB kiln accepts for a forbidden-versions feed",
        "feed", "verify", huge.toString(), "--trust", fixtures.publicKey.toString());
    Path unsigned = sparse("unsigned-feed.json", 228L * 1000 * 1000);
    refusedInSmallHeap(ExitCodes.UNREADABLE_INPUT, "larger than the 1 MiB",
        "check", image.toString(), "--target", profile().toString(), "--forbidden",
        unsigned.toString(), "--feed-trust", fixtures.publicKey.toString(), "--no-feed-state");
    refused(ExitCodes.UNREADABLE_INPUT, "/dev/zero: not a regular file",
        "feed", "verify", "/dev/zero", "--trust", fixtures.publicKey.toString());
  }

  // ---- trust, key and PIN files ----

  @Test
  void trustFilesAreBounded() throws Exception {
    Path huge = sparse("huge-trust.pem", 3L << 30);
    refusedInSmallHeap(ExitCodes.UNREADABLE_INPUT,
        "larger than the 256 KiB kiln accepts for a trust file",
        "bundle", "verify", newBundle.toString(), "--trust", huge.toString());
    refusedInSmallHeap(ExitCodes.UNREADABLE_INPUT,
        "larger than the 256 KiB kiln accepts for a trust file",
        "verify", image.toString(), "--trust", huge.toString());
    refused(ExitCodes.UNREADABLE_INPUT, "/dev/zero: not a regular file",
        "bundle", "verify", newBundle.toString(), "--trust", "/dev/zero");
    refused(ExitCodes.UNREADABLE_INPUT, "/dev/zero: not a regular file",
        "verify", image.toString(), "--trust", "/dev/zero");
  }

  @Test
  void keyAndPinFilesAreBounded() throws Exception {
    Path huge = sparse("huge-key.pem", 3L << 30);
    String uuid = "6f065e04bb0b43349d90f62cea2b3382";
    Path target = Files.copy(image, dir.resolve("to-sign.bin"));
    refusedInSmallHeap(ExitCodes.KEY_ACCESS, "larger than the 64 KiB kiln accepts for a PEM",
        "sign", target.toString(), "--key", "file:" + huge, "--key-uuid", uuid,
        "--allow-sample-keys");
    refused(ExitCodes.KEY_ACCESS, "/dev/zero: not a regular file",
        "sign", target.toString(), "--key", "file:/dev/zero", "--key-uuid", uuid,
        "--allow-sample-keys");
    Path encrypted = SampleKeys.copyTo(SampleKeys.RSA2048_PKCS1_ENCRYPTED, dir);
    refused(ExitCodes.KEY_ACCESS, "/dev/zero: not a regular file",
        "sign", target.toString(), "--key", "file:" + encrypted, "--key-uuid", uuid,
        "--key-pass", "file:/dev/zero", "--allow-sample-keys");
    refusedInSmallHeap(ExitCodes.KEY_ACCESS, "larger than the 4 KiB kiln accepts for a PIN",
        "sign", target.toString(), "--key", "file:" + encrypted, "--key-uuid", uuid,
        "--key-pass", "file:" + huge, "--allow-sample-keys");
    assertTrue(Arrays.equals(bytes(image), bytes(target)), "the image was left as it was");
  }

  // ---- policies, target profiles, descriptions ----

  @Test
  void policiesProfilesAndDescriptionsAreReadStrictly() throws Exception {
    String policy =
        """
        {"trustedKeys": ["%s"], "requiredSignatures": [], "allowedPsids": [],
         "allowedDeviceIds": [IDS], "minimumSecurityVersion": 0, "requireSecureFw": false}
        """.formatted(fixtures.publicKey);
    refused(ExitCodes.UNREADABLE_INPUT, "'allowedDeviceIds' must be an integer from 0 to 4294967295",
        "gate", "--policy", text("ids.json", policy.replace("IDS", "4294967826")).toString(),
        image.toString());
    refused(ExitCodes.UNREADABLE_INPUT, "Trailing token",
        "gate", "--policy", text("trailing.json", policy.replace("IDS", "530") + "[]").toString(),
        image.toString());
    ObjectNode profile = (ObjectNode) JSON.readTree(bytes(profile()));
    profile.put("hwDeviceId", 530.7);
    refused(ExitCodes.UNREADABLE_INPUT, "'hwDeviceId' must be an integer",
        "check", image.toString(), "--target",
        text("profile-fraction.json", profile.toString()).toString());
    refused(ExitCodes.UNREADABLE_INPUT, "nesting depth",
        "build", write("deep.json", deepJson(10_000)).toString(), "--out",
        dir.resolve("never.bin").toString());
    assertFalse(Files.exists(dir.resolve("never.bin")));
  }

  // ---- images ----

  @Test
  void anImageTruncatedWhileItIsVerifiedIsExitThreeAndOneLine() throws Exception {
    Path victim = Files.copy(image, dir.resolve("shrinking.bin"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode =
        ImageVerification.run(new PrintWriter(out), new PrintWriter(err), List.of(victim), false,
            false,
            parsed -> {
              // Another process truncates the file after kiln mapped it.
              try (RandomAccessFile file = new RandomAccessFile(victim.toFile(), "rw")) {
                file.setLength(4096);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
              return ImageVerifier.verify(parsed);
            });
    assertEquals(ExitCodes.UNREADABLE_INPUT, exitCode, err.toString());
    assertEquals(
        "kiln: " + victim + ": the file shrank while kiln read it (another process truncated or"
            + " rewrote it)\n", err.toString());
    assertEquals("", out.toString());
  }

  // ---- helpers ----

  private static Fixtures.Result kiln(String... args) {
    return Fixtures.kiln(args);
  }

  /** Runs kiln in-process: exit code, one stderr line containing {@code message}. */
  private static Fixtures.Result refused(int exitCode, String message, String... args) {
    Fixtures.Result result = kiln(args);
    assertOneLine(exitCode, message, result.exitCode(), result.out(), result.err());
    return result;
  }

  /** Like {@link #refused}, for commands that print their findings on stdout first. */
  private static Fixtures.Result failed(int exitCode, String message, String... args) {
    Fixtures.Result result = kiln(args);
    assertEquals(exitCode, result.exitCode(), result.out() + result.err());
    assertTrue((result.out() + result.err()).contains(message), result.out() + result.err());
    assertNoTrace(result.out() + result.err());
    return result;
  }

  /** Runs kiln in a child JVM with a 64 MiB heap. */
  private static void refusedInSmallHeap(int exitCode, String message, String... args) {
    Mstflint.Result result = KilnChildProcess.runCommand(KilnChildProcess.command(SMALL_HEAP, args));
    if (exitCode == ExitCodes.CHECK_FAILED) {
      assertEquals(exitCode, result.exitCode(), result.output());
      assertTrue(result.output().contains(message), result.output());
      assertNoTrace(result.output());
      return;
    }
    assertOneLine(exitCode, message, result.exitCode(), result.stdout(), result.stderr());
  }

  private static void assertOneLine(
      int expected, String message, int exitCode, String out, String err) {
    assertEquals(expected, exitCode, out + err);
    List<String> lines = err.lines().toList();
    assertEquals(1, lines.size(), err);
    assertTrue(lines.get(0).startsWith("kiln: "), err);
    assertTrue(lines.get(0).contains(message), err);
    assertNoTrace(out + err);
  }

  private static void assertNoTrace(String output) {
    assertFalse(output.contains("OutOfMemoryError"), output);
    assertFalse(output.contains("InternalError"), output);
    assertFalse(output.contains("\tat "), output);
    assertFalse(output.contains("Exception"), output);
  }

  private static Path profile() throws Exception {
    Path profile = dir.resolve("lab.json");
    if (!Files.exists(profile)) {
      profile = fixtures.profile(fixtures.device("hostile-dev"), "lab");
    }
    return profile;
  }

  private static byte[] bytes(Path file) throws IOException {
    return Files.readAllBytes(file);
  }

  private static Path write(String name, byte[] content) throws IOException {
    return Files.write(dir.resolve(name), content);
  }

  private static Path text(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  /** A file of {@code size} bytes that takes no disk space (a hole). */
  private static Path sparse(String name, long size) throws IOException {
    Path file = dir.resolve(name);
    try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
      out.setLength(size);
    }
    return file;
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] all = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, all, first.length, second.length);
    return all;
  }

  private static int lastIndexOf(byte[] haystack, byte[] needle) {
    for (int at = haystack.length - needle.length; at >= 0; at--) {
      if (Arrays.equals(haystack, at, at + needle.length, needle, 0, needle.length)) {
        return at;
      }
    }
    throw new AssertionError("not found");
  }

  private static byte[] deepJson(int depth) {
    return ("{\"a\":".repeat(depth) + "1" + "}".repeat(depth)).getBytes(StandardCharsets.US_ASCII);
  }

  /** The names Python's zipfile sees, in central-directory order. */
  private static List<String> pythonNames(Path bundle) {
    Mstflint.Result result =
        KilnChildProcess.runCommand(
            List.of("python3", "-c",
                "import sys, zipfile\n"
                    + "for name in zipfile.ZipFile(sys.argv[1]).namelist(): print(name)",
                bundle.toString()));
    assertEquals(0, result.exitCode(), result.output());
    return result.stdout().lines().toList();
  }

  /** The entries of a bundle kiln wrote (read with Commons Compress, in order). */
  private static Map<String, byte[]> entriesOf(Path bundle) throws IOException {
    Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
    try (ZipFile zip = ZipFile.builder().setPath(bundle).get()) {
      for (ZipArchiveEntry entry : java.util.Collections.list(zip.getEntries())) {
        entries.put(entry.getName(), zip.getInputStream(entry).readAllBytes());
      }
    }
    return entries;
  }

  private static byte[] zip(Map<String, byte[]> entries) throws IOException {
    return zip(entries, false);
  }

  private static byte[] zip(Map<String, byte[]> entries, boolean deflate) throws IOException {
    return zip(new ArrayList<>(entries.entrySet()), deflate);
  }

  /** A zip with these entries, duplicates included, written by Commons Compress. */
  private static byte[] zip(List<Map.Entry<String, byte[]>> entries, boolean deflate)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> item : entries) {
        ZipArchiveEntry entry = new ZipArchiveEntry(item.getKey());
        entry.setMethod(deflate ? ZipArchiveEntry.DEFLATED : ZipArchiveEntry.STORED);
        CRC32 crc = new CRC32();
        crc.update(item.getValue());
        entry.setSize(item.getValue().length);
        entry.setCrc(crc.getValue());
        zip.putArchiveEntry(entry);
        zip.write(item.getValue());
        zip.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  /** An entry whose deflated bytes and declared size and CRC are given as they are. */
  private record RawEntry(String name, byte[] deflated, long size, long crc) {}

  private static byte[] rawZip(List<RawEntry> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
      for (RawEntry raw : entries) {
        ZipArchiveEntry entry = new ZipArchiveEntry(raw.name());
        entry.setMethod(ZipArchiveEntry.DEFLATED);
        entry.setSize(raw.size());
        entry.setCompressedSize(raw.deflated().length);
        entry.setCrc(raw.crc());
        zip.addRawArchiveEntry(entry, new java.io.ByteArrayInputStream(raw.deflated()));
      }
    }
    return bytes.toByteArray();
  }

  private static byte[] deflate(byte[] data) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    deflater.setInput(data);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 << 10];
    while (!deflater.finished()) {
      out.write(buffer, 0, deflater.deflate(buffer));
    }
    deflater.end();
    return out.toByteArray();
  }

  private static byte[] deflatedZeros(int size) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    byte[] zeros = new byte[1 << 20];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 << 10];
    for (int fed = 0; fed < size; fed += zeros.length) {
      deflater.setInput(zeros, 0, Math.min(zeros.length, size - fed));
      while (!deflater.needsInput()) {
        out.write(buffer, 0, deflater.deflate(buffer));
      }
    }
    deflater.finish();
    while (!deflater.finished()) {
      out.write(buffer, 0, deflater.deflate(buffer));
    }
    deflater.end();
    return out.toByteArray();
  }

  private static long zerosCrc(int size) {
    CRC32 crc = new CRC32();
    byte[] zeros = new byte[1 << 20];
    for (int fed = 0; fed < size; fed += zeros.length) {
      crc.update(zeros, 0, Math.min(zeros.length, size - fed));
    }
    return crc.getValue();
  }

  /** The new bundle with {@code manifest} in place of its own, signed by the trusted key. */
  private static Path signedBundle(byte[] manifest) throws Exception {
    Map<String, byte[]> entries = entriesOf(newBundle);
    entries.put(BundleLayout.MANIFEST, manifest);
    entries.put(BundleLayout.SIGNATURE,
        JSON.writeValueAsBytes(DetachedSignature.create(signer, manifest).toJson(JSON)));
    return write("signed-hostile.kbundle", zip(entries));
  }

  /**
   * A feed document with {@code body} as its member, signed by the trusted key over the body's
   * canonical bytes exactly as {@code kiln feed sign} would (which itself refuses such a body),
   * followed by {@code trailer}.
   */
  private static Path signedFeed(String body, String trailer) throws Exception {
    com.fasterxml.jackson.databind.JsonNode node = JSON.readTree(body);
    ObjectNode document = JSON.createObjectNode();
    document.set("feed", node);
    document.set("signature",
        DetachedSignature.create(signer, CanonicalJson.bytes(node)).toJson(JSON));
    return text("hostile-feed.json", JSON.writeValueAsString(document) + trailer);
  }
}
