package dev.kiln.burner.replay;

import dev.kiln.burner.RecoveryGateway;
import dev.kiln.registers.AccessRegister;
import dev.kiln.registers.Mgir;
import dev.kiln.registers.Recording;
import dev.kiln.registers.RegisterEnvelope;
import dev.kiln.registers.RegisterFormatException;
import dev.kiln.registers.RegisterMethod;
import dev.kiln.registers.RegisterStatus;
import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code replay:FILE} device: answers register requests from a recorded session ({@link
 * Transcript}) instead of a device, so a whole command runs against what a real adapter once
 * answered.
 *
 * <p>A request is answered by the first not yet used recorded transaction with the same {@link
 * RequestKey} (register id, method, index fields); several matching transactions answer in their
 * recorded order, each once. A request with no such transaction fails with a {@link
 * TransportException} naming the register and its fields: the replay never makes an answer up. It
 * is read-only: a SET is answered only by a recorded SET with the same payload. A transaction whose
 * recorded ICMD status was not 0 answers as the PCI transport does, with a transport error.
 *
 * <p>It is also the session's {@link RecoveryGateway}, as the transports a recording is taken
 * from are (the emulator in-process and over TCP answer "livefish?" without registers, the PCI
 * transport from config space): {@link #identify()} reads the recorded device's first MGIR answer
 * without using it up, so a replayed command asks the registers the recorded one asked. The
 * gateway's writes are refused: a replay is read-only.
 *
 * <p>Not thread-safe; one command's session at a time, as every transport.
 */
public final class ReplayTransport implements RegisterTransport, RecoveryGateway {
  private final String name;
  private final List<Entry> entries;

  private static final class Entry {
    final RequestKey key;
    final byte[] reply;
    final int icmdStatus;
    boolean used;

    Entry(RequestKey key, byte[] reply, int icmdStatus) {
      this.key = key;
      this.reply = reply;
      this.icmdStatus = icmdStatus;
    }
  }

  private ReplayTransport(String name, List<Entry> entries) {
    this.name = name;
    this.entries = entries;
  }

  /**
   * Opens the recording {@code file}.
   *
   * @throws TransportException when it cannot be read or a recorded request is not an envelope
   */
  public static ReplayTransport open(Path file) throws TransportException {
    String name = "replay:" + file;
    List<Transcript.Transaction> transactions;
    try {
      transactions = Transcript.read(file);
    } catch (IOException e) {
      throw new TransportException(name + ": " + e.getMessage(), e);
    }
    return of(name, transactions);
  }

  /** A replay of {@code transactions}; {@code name} describes it in messages. */
  public static ReplayTransport of(String name, List<Transcript.Transaction> transactions)
      throws TransportException {
    List<Entry> entries = new ArrayList<>();
    int index = 0;
    for (Transcript.Transaction transaction : transactions) {
      RegisterEnvelope request;
      try {
        request = decodeRecordedRequest(Recording.withoutSecrets(transaction.request()));
      } catch (RegisterFormatException e) {
        throw new TransportException(
            name + ": recorded transaction " + index + " is not a register request: "
                + e.getMessage(), e);
      }
      entries.add(
          new Entry(RequestKey.of(request), transaction.reply(), transaction.icmdStatus()));
      index++;
    }
    return new ReplayTransport(name, entries);
  }

  /**
   * Decodes a recorded request. A transcript holds the mailbox bytes the host wrote, and a host may
   * write fewer than the register TLV declares (mstflint writes only the 12-byte header of an MNVDA
   * GET into the mailbox); such a request keeps the payload bytes that were written, which hold
   * every field {@link RequestKey} compares.
   */
  private static RegisterEnvelope decodeRecordedRequest(byte[] request)
      throws RegisterFormatException {
    try {
      return RegisterEnvelope.decode(request);
    } catch (RegisterFormatException e) {
      if (request.length < RegisterEnvelope.HEADER_SIZE + 4) {
        throw e;
      }
      byte[] written = java.util.Arrays.copyOf(request, request.length & ~3);
      // Rewrite the register TLV length to what was written, then decode as usual.
      int dwords = (written.length - RegisterEnvelope.HEADER_SIZE) / 4 + 1;
      written[0x10] = (byte) ((written[0x10] & 0xF8) | ((dwords >>> 8) & 0x07));
      written[0x11] = (byte) dwords;
      return RegisterEnvelope.decode(written);
    }
  }

  @Override
  public byte[] exchange(byte[] request) throws TransportException {
    RegisterEnvelope envelope;
    try {
      envelope = RegisterEnvelope.decode(Recording.withoutSecrets(request));
    } catch (RegisterFormatException e) {
      throw new TransportException(name + ": not a register request: " + e.getMessage(), e);
    }
    RequestKey key = RequestKey.of(envelope);
    int recorded = 0;
    for (Entry entry : entries) {
      if (!entry.key.equals(key)) {
        continue;
      }
      recorded++;
      if (entry.used) {
        continue;
      }
      entry.used = true;
      if (entry.icmdStatus != 0) {
        throw new TransportException(
            String.format(
                "%s: ICMD command failed with status %d (as recorded for %s)",
                name, entry.icmdStatus, key.describe()));
      }
      return entry.reply.clone();
    }
    if (envelope.methodCode() != RegisterMethod.GET.code() && recorded == 0) {
      throw new TransportException(
          name + " is read-only: it answers only the writes it recorded, and holds no "
              + key.describe());
    }
    if (recorded > 0) {
      throw new TransportException(
          name + ": no recorded answer left for " + key.describe() + " (the recording answered it "
              + recorded + (recorded == 1 ? " time)" : " times)"));
    }
    throw new TransportException(name + ": the recording holds no answer to " + key.describe());
  }

  /**
   * The recorded device's identity from its first successful MGIR answer (PCI device id, HW id,
   * PSID; livefish when the two ids are equal, protocol doc §6.3).
   *
   * @throws TransportException when the recording holds no MGIR answer to tell
   */
  @Override
  public Identity identify() throws TransportException {
    for (Entry entry : entries) {
      if (entry.key.registerId() != AccessRegister.MGIR.id()
          || entry.key.methodCode() != RegisterMethod.GET.code()
          || entry.icmdStatus != 0) {
        continue;
      }
      try {
        RegisterEnvelope reply = RegisterEnvelope.decode(entry.reply);
        if (reply.registerStatus() != RegisterStatus.OK) {
          continue;
        }
        Mgir mgir = Mgir.decode(reply.payload());
        return new Identity(
            mgir.deviceId() != 0 && mgir.deviceId() == mgir.hwDevId(),
            mgir.deviceId(),
            mgir.hwDevId(),
            mgir.psid());
      } catch (RegisterFormatException e) {
        throw new TransportException(name + ": the recorded MGIR answer is malformed: "
            + e.getMessage(), e);
      }
    }
    throw new TransportException(name + ": the recording holds no MGIR answer to identify the"
        + " device");
  }

  @Override
  public void flashWrite(long address, byte[] data) throws TransportException {
    throw readOnly("a flash write");
  }

  @Override
  public void setBootImage(int slot, int size) throws TransportException {
    throw readOnly("setting the boot image");
  }

  @Override
  public void powerCycle() throws TransportException {
    throw readOnly("a power cycle");
  }

  private TransportException readOnly(String what) {
    return new TransportException(name + " is read-only: it refuses " + what);
  }

  /** Recorded transactions no request has used yet. */
  public int unused() {
    int count = 0;
    for (Entry entry : entries) {
      if (!entry.used) {
        count++;
      }
    }
    return count;
  }

  @Override
  public String describe() {
    return name;
  }

  @Override
  public void close() {}
}
