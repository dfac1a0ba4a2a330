package dev.kiln.pipeline.feed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.inspector.section.FwVersion;
import dev.kiln.keys.SampleKey;
import dev.kiln.pipeline.bundle.DocumentSigner;
import dev.kiln.pipeline.bundle.TestSigners;
import dev.kiln.pipeline.bundle.TrustedKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeedCodecTest {
  static final Instant ISSUED = Instant.parse("2026-11-01T00:00:00Z");
  static final Instant EXPIRES = Instant.parse("2027-02-01T00:00:00Z");
  static final Instant NOW = Instant.parse("2026-11-25T07:00:00Z");

  @TempDir static Path dir;
  static DocumentSigner signer;
  static TrustedKeys trust;
  static TrustedKeys otherTrust;

  @BeforeAll
  static void keys() throws Exception {
    signer = TestSigners.sample(SampleKey.RSA_2048, dir);
    trust = TrustedKeys.load(List.of(TestSigners.samplePublic(SampleKey.RSA_2048, dir)));
    otherTrust = TrustedKeys.load(List.of(TestSigners.samplePublic(SampleKey.RSA_4096, dir)));
  }

  static ForbiddenVersionsFeed feed() {
    return new ForbiddenVersionsFeed(
        ISSUED, EXPIRES, 7,
        List.of(
            new FeedEntry(
                "MT_0000000528", null, List.of(FwVersion.parse("22.39.1002")),
                "CVE-2025-12345"),
            new FeedEntry(
                null, 0x212, List.of(FwVersion.parse("22.40.1000")), "field recall")));
  }

  static byte[] signed() throws Exception {
    return FeedCodec.sign(FeedCodec.toJson(feed()), signer);
  }

  @Test
  void signedFeedVerifiesAndMatchesByPsidOrDevice() throws Exception {
    ForbiddenVersionsFeed read = FeedCodec.verify(signed(), trust, NOW);
    assertEquals(feed(), read);
    assertEquals(
        1, read.matching("MT_0000000528", List.of(0x212), FwVersion.parse("22.39.1002"))
            .size());
    assertEquals(
        0, read.matching("MT_OTHER", List.of(0x20f), FwVersion.parse("22.39.1002")).size());
    assertEquals(
        List.of(FwVersion.parse("22.39.1002"), FwVersion.parse("22.40.1000")),
        read.forbiddenFor("MT_0000000528", 0x212));
  }

  @Test
  void reformattingKeepsTheSignatureValid() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    byte[] compact = mapper.writeValueAsBytes(mapper.readTree(signed()));
    assertEquals(feed(), FeedCodec.verify(compact, trust, NOW));
  }

  @Test
  void changedContentFailsTheSignature() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = (ObjectNode) mapper.readTree(signed());
    ((ObjectNode) root.get("feed").get("entries").get(0)).put("reason", "nothing to see");
    FeedException e =
        assertThrows(
            FeedException.class,
            () -> FeedCodec.verify(mapper.writeValueAsBytes(root), trust, NOW));
    assertEquals(FeedCodec.BAD_SIGNATURE, e.code());
  }

  @Test
  void expiredFeedIsRefused() throws Exception {
    FeedException e =
        assertThrows(
            FeedException.class,
            () -> FeedCodec.verify(signed(), trust, Instant.parse("2027-02-01T00:00:00Z")));
    assertEquals(FeedCodec.EXPIRED, e.code());
    assertEquals("the feed expired at 2027-02-01T00:00:00Z; fetch a current feed", e.getMessage());
  }

  @Test
  void futureFeedIsRefused() throws Exception {
    FeedException e =
        assertThrows(
            FeedException.class,
            () -> FeedCodec.verify(signed(), trust, Instant.parse("2026-10-01T00:00:00Z")));
    assertEquals(FeedCodec.NOT_YET_VALID, e.code());
  }

  @Test
  void unknownKeyIsRefused() throws Exception {
    FeedException e =
        assertThrows(FeedException.class, () -> FeedCodec.verify(signed(), otherTrust, NOW));
    assertEquals(FeedCodec.UNTRUSTED_KEY, e.code());
  }

  @Test
  void unsignedFeedIsRefused() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.set("feed", FeedCodec.toJson(feed()));
    FeedException e =
        assertThrows(
            FeedException.class,
            () -> FeedCodec.verify(mapper.writeValueAsBytes(root), trust, NOW));
    assertEquals(FeedCodec.UNSIGNED, e.code());
  }

  @Test
  void malformedFeedIsRefused() {
    FeedException e =
        assertThrows(
            FeedException.class,
            () -> FeedCodec.verify("{\"feed\": [".getBytes(StandardCharsets.UTF_8), trust, NOW));
    assertEquals(FeedCodec.MALFORMED, e.code());
    FeedException duplicate =
        assertThrows(
            FeedException.class,
            () ->
                FeedCodec.verify(
                    "{\"feed\":{},\"feed\":{}}".getBytes(StandardCharsets.UTF_8), trust, NOW));
    assertEquals(FeedCodec.MALFORMED, duplicate.code());
  }

  @Test
  void canonicalBytesSortMembersAndEscapeControls() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    byte[] canonical =
        CanonicalJson.bytes(
            mapper.readTree("{ \"b\": [1, true, null], \"a\": \"x\\n\\u0001\\\"\" }"));
    assertArrayEquals(
        "{\"a\":\"x\\n\\u0001\\\"\",\"b\":[1,true,null]}".getBytes(StandardCharsets.UTF_8),
        canonical);
    assertThrows(
        IllegalArgumentException.class, () -> CanonicalJson.bytes(mapper.readTree("{\"a\":1.5}")));
  }
}
