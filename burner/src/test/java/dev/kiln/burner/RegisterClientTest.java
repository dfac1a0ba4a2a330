package dev.kiln.burner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Mcc;
import dev.kiln.registers.MccInstruction;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterStatus;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * "Resource not available" (0x08) is "not now": the client retries it with 80 ms sleeps (counted,
 * not slept, here), up to its budget; every other status comes back at once with the payload.
 */
class RegisterClientTest {

  /** Answers "resource not available" {@code busyReplies} times, then {@code finalStatus}. */
  static final class BusyDevice implements RegisterTransport {
    int busyReplies;
    final RegisterStatus finalStatus;
    int requests;

    BusyDevice(int busyReplies, RegisterStatus finalStatus) {
      this.busyReplies = busyReplies;
      this.finalStatus = finalStatus;
    }

    @Override
    public byte[] exchange(byte[] request) throws TransportException {
      requests++;
      RegisterEnvelope envelope = RegisterEnvelope.decode(request);
      RegisterStatus status = busyReplies-- > 0 ? RegisterStatus.RES_NOT_AVLBL : finalStatus;
      return envelope.reply(status, envelope.payload()).encode();
    }

    @Override
    public String describe() {
      return "busy-device";
    }

    @Override
    public void close() {}
  }

  private static byte[] mccQuery() {
    return Mcc.command(MccInstruction.QUERY, 0, 0, 0).encode();
  }

  @Test
  void retriesNotNowWithEightyMillisecondSleeps() throws Exception {
    List<Long> sleeps = new ArrayList<>();
    BusyDevice device = new BusyDevice(5, RegisterStatus.OK);
    RegisterClient client = new RegisterClient(device, sleeps::add, 100);
    RegisterClient.Reply reply = client.get(AccessRegister.MCC, mccQuery());
    assertTrue(reply.ok());
    assertEquals(6, device.requests);
    assertEquals(List.of(80L, 80L, 80L, 80L, 80L), sleeps);
    assertEquals(6, client.transactions());
    assertEquals(5, client.retries());
  }

  @Test
  void givesUpAfterTheBudgetAndSaysSo() throws Exception {
    List<Long> sleeps = new ArrayList<>();
    BusyDevice device = new BusyDevice(Integer.MAX_VALUE, RegisterStatus.OK);
    RegisterClient client = new RegisterClient(device, sleeps::add, 7);
    RegisterClient.Reply reply = client.set(AccessRegister.MCC, mccQuery());
    assertEquals(RegisterStatus.RES_NOT_AVLBL, reply.status());
    assertEquals(7, device.requests);
    assertEquals(6, sleeps.size());
  }

  @Test
  void aRealRejectionIsNotRetried() throws Exception {
    BusyDevice device = new BusyDevice(0, RegisterStatus.BAD_PARAM);
    RegisterClient client = new RegisterClient(device, millis -> {}, 100);
    RegisterClient.Reply reply = client.set(AccessRegister.MCC, mccQuery());
    assertEquals(RegisterStatus.BAD_PARAM, reply.status());
    assertEquals(1, device.requests);
  }

  @Test
  void aReplyForAnotherRegisterIsATransportError() {
    RegisterTransport confused =
        new RegisterTransport() {
          @Override
          public byte[] exchange(byte[] request) {
            return RegisterEnvelope.request(AccessRegister.MGIR.id(),
                    dev.kiln.registers.RegisterMethod.GET, new byte[160])
                .reply(RegisterStatus.OK, new byte[160])
                .encode();
          }

          @Override
          public String describe() {
            return "confused";
          }

          @Override
          public void close() {}
        };
    RegisterClient client = new RegisterClient(confused, millis -> {}, 3);
    assertThrows(TransportException.class, () -> client.get(AccessRegister.MCC, mccQuery()));
  }

  @Test
  void accessAllRetriesANotNowReplyAndSendsTheRestAgainInOrder() throws Exception {
    List<Long> sleeps = new ArrayList<>();
    BusyDevice device = new BusyDevice(1, RegisterStatus.OK);
    RegisterClient client = new RegisterClient(device, sleeps::add, 100);
    List<byte[]> payloads = List.of(mccQuery(), mccQuery(), mccQuery(), mccQuery());
    List<RegisterClient.Reply> replies =
        client.accessAll(AccessRegister.MCC, dev.kiln.registers.RegisterMethod.SET, payloads);
    assertEquals(4, replies.size());
    assertTrue(replies.stream().allMatch(RegisterClient.Reply::ok));
    // The batch of 4 (the first answered "not now"), the retry, then the 3 others again.
    assertEquals(8, device.requests);
    assertEquals(List.of(80L), sleeps);
    assertEquals(8, client.transactions());
  }

  @Test
  void accessAllStopsAtTheFirstFailedReply() throws Exception {
    BusyDevice device = new BusyDevice(0, RegisterStatus.BAD_PARAM);
    RegisterClient client = new RegisterClient(device, ms -> {}, 100);
    List<RegisterClient.Reply> replies =
        client.accessAll(AccessRegister.MCC, dev.kiln.registers.RegisterMethod.SET,
            List.of(mccQuery(), mccQuery(), mccQuery()));
    assertEquals(1, replies.size());
    assertEquals(RegisterStatus.BAD_PARAM, replies.get(0).status());
  }
}
