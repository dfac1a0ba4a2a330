package dev.kiln.registers;

import dev.kiln.registers.internal.Prm;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Register transactions recorded to a file and read back, so a test can assert the exact sequence
 * a host sent and replay it against another device.
 *
 * <pre>
 * File layout (all integers big-endian):
 * 0x00  8 bytes  "KILNREC1"
 * then one record per transaction:
 *   u8   tag, 1 = register transaction
 *   u32  client id (the daemon connection or in-process client that sent it)
 *   u32  request length, then the request envelope bytes
 *   u32  response length, then the response envelope bytes
 * </pre>
 *
 * <p>A record is flushed to the OS after every transaction (no fsync), so a recording survives
 * {@code kill -9} of the process writing it up to the last complete transaction; a torn last
 * record is ignored when reading.
 *
 * <p>Both sides write this one format: the emulator records what its device was asked
 * ({@code kiln device serve --record}), the host what it sent over any transport ({@code --record}
 * on every device command, {@link #recording}); the {@code replay:} device URI reads it back.
 * Recordings hold no secrets: the key of every MLOCK envelope (the HW access key, payload bytes
 * 0x08..0x0F) is written as zeros ({@link #withoutSecrets}).
 */
public final class Recording {
  /** File magic. */
  public static final byte[] MAGIC = "KILNREC1".getBytes(StandardCharsets.US_ASCII);

  private static final int TAG_TRANSACTION = 1;

  private Recording() {}

  /**
   * One transaction.
   *
   * @param client the client id that sent it
   * @param request the request envelope bytes
   * @param response the response envelope bytes
   */
  public record Transaction(int client, byte[] request, byte[] response) {
    public Transaction {
      request = request.clone();
      response = response.clone();
    }

    @Override
    public byte[] request() {
      return request.clone();
    }

    @Override
    public byte[] response() {
      return response.clone();
    }

    /** The decoded request. */
    public RegisterEnvelope requestEnvelope() throws RegisterFormatException {
      return RegisterEnvelope.decode(request);
    }

    /** The decoded response. */
    public RegisterEnvelope responseEnvelope() throws RegisterFormatException {
      return RegisterEnvelope.decode(response);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Transaction that
          && client == that.client
          && Arrays.equals(request, that.request)
          && Arrays.equals(response, that.response);
    }

    @Override
    public int hashCode() {
      return client * 31 + Arrays.hashCode(request);
    }

    @Override
    public String toString() {
      try {
        return "client " + client + ": " + requestEnvelope() + " -> " + responseEnvelope();
      } catch (RegisterFormatException e) {
        return "client " + client + ": undecodable transaction";
      }
    }
  }

  /** Appends transactions to a recording file. Thread-safe. */
  public static final class Recorder implements AutoCloseable {
    private final DataOutputStream out;

    private Recorder(OutputStream stream) throws IOException {
      this.out = new DataOutputStream(new BufferedOutputStream(stream, 1 << 16));
      out.write(MAGIC);
      out.flush();
    }

    /**
     * Creates (or truncates) {@code file} and writes the header. A symbolic link at {@code file}
     * is refused rather than followed, so a recording never lands where the link points.
     */
    public static Recorder create(Path file) throws IOException {
      return new Recorder(
          Files.newOutputStream(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE,
              LinkOption.NOFOLLOW_LINKS));
    }

    /** Appends one transaction and flushes it to the OS. */
    public synchronized void record(int client, byte[] request, byte[] response)
        throws IOException {
      request = withoutSecrets(request);
      response = withoutSecrets(response);
      out.writeByte(TAG_TRANSACTION);
      out.writeInt(client);
      out.writeInt(request.length);
      out.write(request);
      out.writeInt(response.length);
      out.write(response);
      out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
      out.close();
    }
  }

  /** Reads every complete transaction of a recording file. */
  public static List<Transaction> read(Path file) throws IOException {
    try (InputStream stream = Files.newInputStream(file)) {
      return read(stream, file.toString());
    }
  }

  /**
   * Reads every complete transaction of a recording from {@code stream}; a torn last record (the
   * writer died mid-record) is ignored.
   *
   * @param name the recording's name for messages
   */
  public static List<Transaction> read(InputStream stream, String name) throws IOException {
    DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(stream));
    byte[] magic = new byte[MAGIC.length];
    try {
      in.readFully(magic);
    } catch (EOFException e) {
      throw new IOException(name + ": not a Kiln register recording (too short)", e);
    }
    if (!Arrays.equals(magic, MAGIC)) {
      throw new IOException(name + ": not a Kiln register recording");
    }
    List<Transaction> transactions = new ArrayList<>();
    while (true) {
      int tag = in.read();
      if (tag < 0) {
        return transactions;
      }
      if (tag != TAG_TRANSACTION) {
        throw new IOException(name + ": unknown record tag " + tag);
      }
      try {
        int client = in.readInt();
        byte[] request = readBlock(in, name);
        byte[] response = readBlock(in, name);
        transactions.add(new Transaction(client, request, response));
      } catch (EOFException torn) {
        // The writer died mid-record: everything before it is complete and kept.
        return transactions;
      }
    }
  }

  private static byte[] readBlock(DataInputStream in, String name) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > 1 << 20) {
      throw new IOException(name + ": record length " + length + " out of range");
    }
    byte[] block = new byte[length];
    in.readFully(block);
    return block;
  }

  /**
   * Sends every recorded request to {@code target} in order and compares the responses.
   *
   * @return one line per transaction whose response differs (empty when the replay matches)
   */
  public static List<String> replay(List<Transaction> transactions, RegisterTransport target)
      throws TransportException {
    List<String> mismatches = new ArrayList<>();
    int index = 0;
    for (Transaction transaction : transactions) {
      byte[] response = target.exchange(transaction.request());
      if (!Arrays.equals(response, transaction.response)) {
        mismatches.add("transaction " + index + " (" + transaction + ") answered differently");
      }
      index++;
    }
    return mismatches;
  }

  /** Envelope offset of the MLOCK key: header, then payload bytes 0x08..0x0F (see {@link Mlock}). */
  private static final int MLOCK_KEY_OFFSET = RegisterEnvelope.HEADER_SIZE + 0x08;

  private static final int MLOCK_KEY_LENGTH = 8;

  /**
   * {@code envelope} with its secrets zeroed: the key of an MLOCK envelope. Anything else, and a
   * buffer too short to be an envelope, is returned unchanged (as a copy).
   */
  public static byte[] withoutSecrets(byte[] envelope) {
    byte[] copy = envelope.clone();
    if (copy.length >= RegisterEnvelope.HEADER_SIZE
        && Prm.get(copy, 0x04, 16, 16) == AccessRegister.MLOCK.id()) {
      int end = Math.min(copy.length, MLOCK_KEY_OFFSET + MLOCK_KEY_LENGTH);
      for (int i = MLOCK_KEY_OFFSET; i < end; i++) {
        copy[i] = 0;
      }
    }
    return copy;
  }

  /** Whether {@code head} (the first bytes of a file) starts with the recording magic. */
  public static boolean hasMagic(byte[] head) {
    return head.length >= MAGIC.length
        && Arrays.equals(Arrays.copyOf(head, MAGIC.length), MAGIC);
  }

  /**
   * A transport that records every exchange of {@code inner} as it happens (host-side recording):
   * the request and the reply are written and flushed before the reply is handed to the caller.
   * Closing it closes {@code inner} and the recorder. A request the transport failed to deliver
   * is not recorded (there is no reply to replay).
   */
  public static RegisterTransport recording(RegisterTransport inner, Recorder recorder) {
    return new RegisterTransport() {
      @Override
      public byte[] exchange(byte[] request) throws TransportException {
        byte[] response = inner.exchange(request);
        try {
          recorder.record(0, request, response);
        } catch (IOException e) {
          throw new TransportException("cannot write the register recording: " + e.getMessage(), e);
        }
        return response;
      }

      @Override
      public List<byte[]> exchangeAll(List<byte[]> requests)
          throws TransportException {
        List<byte[]> responses = inner.exchangeAll(requests);
        try {
          for (int i = 0; i < responses.size(); i++) {
            recorder.record(0, requests.get(i), responses.get(i));
          }
        } catch (IOException e) {
          throw new TransportException("cannot write the register recording: " + e.getMessage(), e);
        }
        return responses;
      }

      @Override
      public String describe() {
        return inner.describe();
      }

      @Override
      public RegisterTransport underlying() {
        return inner.underlying();
      }

      @Override
      public void close() throws TransportException {
        try {
          inner.close();
        } finally {
          try {
            recorder.close();
          } catch (IOException e) {
            throw new TransportException(
                "cannot close the register recording: " + e.getMessage(), e);
          }
        }
      }
    };
  }
}
