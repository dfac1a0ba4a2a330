package dev.kiln.registers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RegisterEnvelopeTest {

  @Test
  void requestHeaderHasTheBitsOfSection12() {
    byte[] payload = new byte[Mcc.SIZE];
    byte[] wire =
        RegisterEnvelope.request(AccessRegister.MCC, RegisterMethod.SET, payload).encode();
    assertEquals(20 + 32, wire.length);
    // type 1 << 27 | length 4 << 16 = 0x08040000
    assertEquals("08040000", HexFormat.of().formatHex(wire, 0, 4));
    // id 0x9062 << 16 | method 2 << 8 | class 1
    assertEquals("90620201", HexFormat.of().formatHex(wire, 4, 8));
    assertEquals("0000000000000000", HexFormat.of().formatHex(wire, 8, 16));
    // type 3 << 27 | (32 + 4) / 4 = 9 dwords << 16
    assertEquals("18090000", HexFormat.of().formatHex(wire, 16, 20));
  }

  @Test
  void replyCarriesStatusAndResponseBit() throws Exception {
    RegisterEnvelope request =
        RegisterEnvelope.request(AccessRegister.MCQS, RegisterMethod.GET, new byte[16]);
    byte[] reply = request.reply(RegisterStatus.BAD_PARAM, new byte[16]).encode();
    assertEquals("08040700", HexFormat.of().formatHex(reply, 0, 4));
    assertEquals("90608101", HexFormat.of().formatHex(reply, 4, 8));
    RegisterEnvelope decoded = RegisterEnvelope.decode(reply);
    assertTrue(decoded.response());
    assertEquals(RegisterStatus.BAD_PARAM, decoded.registerStatus());
    assertEquals(RegisterMethod.GET, decoded.method());
    assertEquals(AccessRegister.MCQS, decoded.register());
  }

  @Test
  void roundTripsEveryField() throws Exception {
    byte[] payload = new byte[8];
    payload[3] = 7;
    RegisterEnvelope envelope =
        new RegisterEnvelope(0x9162, 2, 0x24, true, true, 1, 0x1122334455667788L, payload);
    RegisterEnvelope decoded = RegisterEnvelope.decode(envelope.encode());
    assertEquals(envelope, decoded);
    assertArrayEquals(payload, decoded.payload());
  }

  @Test
  void ignoresMailboxBytesBeyondTheRegisterTlv() throws Exception {
    byte[] wire = RegisterEnvelope.request(0x9162, RegisterMethod.GET, new byte[8]).encode();
    byte[] mailbox = java.util.Arrays.copyOf(wire, 0x340);
    assertEquals(8, RegisterEnvelope.decode(mailbox).payloadSize());
  }

  @Test
  void rejectsMalformedBuffersWithTheStatusToAnswer() {
    RegisterFormatException shortOne =
        assertThrows(RegisterFormatException.class, () -> RegisterEnvelope.decode(new byte[10]));
    assertEquals(RegisterStatus.LEN_TOO_SMALL, shortOne.suggestedStatus());
    assertEquals(
        "register envelope is 10 bytes, shorter than its 20-byte header", shortOne.getMessage());

    byte[] wire = RegisterEnvelope.request(0x9162, RegisterMethod.GET, new byte[8]).encode();
    wire[16] = 0x20; // second TLV type 4 (USER_DATA)
    RegisterFormatException badTlv =
        assertThrows(RegisterFormatException.class, () -> RegisterEnvelope.decode(wire));
    assertEquals(RegisterStatus.UNKNOWN_TLV, badTlv.suggestedStatus());

    byte[] truncated =
        java.util.Arrays.copyOf(
            RegisterEnvelope.request(0x9062, RegisterMethod.GET, new byte[32]).encode(), 40);
    assertEquals(
        RegisterStatus.LEN_TOO_SMALL,
        assertThrows(RegisterFormatException.class, () -> RegisterEnvelope.decode(truncated))
            .suggestedStatus());
  }

  @Test
  void rejectRawSetsStatusAndResponseBit() throws Exception {
    byte[] wire = RegisterEnvelope.request(0x1234, RegisterMethod.GET, new byte[8]).encode();
    RegisterEnvelope reply =
        RegisterEnvelope.decode(RegisterEnvelope.rejectRaw(wire, RegisterStatus.REG_NOT_SUPP));
    assertTrue(reply.response());
    assertEquals(RegisterStatus.REG_NOT_SUPP, reply.registerStatus());
  }

  @Test
  void exchangeChecksTheReplyAnswersTheRequest() throws Exception {
    RegisterEnvelope request =
        RegisterEnvelope.request(AccessRegister.MIRC, RegisterMethod.GET, new byte[8]);
    RegisterTransport echo =
        new RegisterTransport() {
          @Override
          public byte[] exchange(byte[] bytes) throws TransportException {
            try {
              return RegisterEnvelope.decode(bytes).reply(RegisterStatus.OK, new byte[8]).encode();
            } catch (RegisterFormatException e) {
              throw new TransportException("bad", e);
            }
          }

          @Override
          public String describe() {
            return "echo";
          }

          @Override
          public void close() {}
        };
    assertEquals(RegisterStatus.OK, request.exchange(echo).registerStatus());
    RegisterTransport wrong =
        new RegisterTransport() {
          @Override
          public byte[] exchange(byte[] bytes) {
            return RegisterEnvelope.request(AccessRegister.MGIR, RegisterMethod.GET, new byte[8])
                .reply(RegisterStatus.OK, new byte[8])
                .encode();
          }

          @Override
          public String describe() {
            return "wrong";
          }

          @Override
          public void close() {}
        };
    RegisterFormatException e =
        assertThrows(RegisterFormatException.class, () -> request.exchange(wrong));
    assertEquals("wrong answered register 0x9020 to a request for 0x9162", e.getMessage());
  }

  @Test
  void mlockKeyNeverRendered() {
    byte[] payload = new Mlock(1, 0x1122334455667788L).encode();
    String text =
        RegisterEnvelope.request(AccessRegister.MLOCK, RegisterMethod.SET, payload).toString();
    assertFalse(text.contains("1122334455667788"), text);
    assertFalse(new Mlock(1, 0x1122334455667788L).toString().contains("1122"));
  }

  @Test
  void statusTableMatchesSection13() {
    assertEquals("Resource unavailable", RegisterStatus.fromCode(8).text());
    assertEquals(0x10A, RegisterStatus.RES_NOT_AVLBL.hostError());
    assertEquals(
        "The given Register length is too small for the Tlv", RegisterStatus.fromCode(0x24).text());
    assertEquals(RegisterStatus.UNKNOWN_ERR, RegisterStatus.fromCode(0x33));
    assertEquals("Unknown register error", RegisterStatus.fromCode(0x33).text());
  }
}
