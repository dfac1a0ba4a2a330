package dev.kiln.burner.transport;

import dev.kiln.registers.RegisterTransport;
import dev.kiln.registers.TransportException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * Access registers over a TCP connection to the emulator daemon ({@code kiln device serve}). Each
 * transaction is one frame each way: a 4-byte big-endian length followed by that many envelope
 * bytes (see docs/emulator.md for the daemon side). One request is outstanding at a time.
 */
public final class TcpTransport implements RegisterTransport {
  /** Largest frame accepted from the daemon: far above any register envelope. */
  static final int MAX_FRAME = 64 * 1024;

  private final String description;
  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;
  private boolean closed;

  private TcpTransport(String description, Socket socket) throws IOException {
    this.description = description;
    this.socket = socket;
    this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
    this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
  }

  /**
   * Connects to {@code host:port}.
   *
   * @param timeoutMillis connect and per-reply timeout
   */
  public static TcpTransport connect(String host, int port, int timeoutMillis)
      throws TransportException {
    String description = "tcp://" + host + ":" + port;
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      return new TcpTransport(description, socket);
    } catch (IOException e) {
      try {
        socket.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new TransportException(
          description + ": cannot connect to the emulator daemon (" + e.getMessage() + ")", e);
    }
  }

  @Override
  public synchronized byte[] exchange(byte[] request) throws TransportException {
    if (closed) {
      throw new TransportException(description + ": connection is closed");
    }
    try {
      out.writeInt(request.length);
      out.write(request);
      out.flush();
      int length = in.readInt();
      if (length < 0 || length > MAX_FRAME) {
        throw new TransportException(
            description + ": malformed reply frame of " + length + " bytes");
      }
      byte[] response = new byte[length];
      in.readFully(response);
      return response;
    } catch (SocketTimeoutException e) {
      throw new TransportException(description + ": timeout: the device did not answer", e);
    } catch (EOFException e) {
      throw new TransportException(description + ": the device closed the connection", e);
    } catch (IOException e) {
      throw new TransportException(
          description + ": connection to the device lost (" + e.getMessage() + ")", e);
    }
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public synchronized void close() throws TransportException {
    if (!closed) {
      closed = true;
      try {
        socket.close();
      } catch (IOException e) {
        throw new TransportException(description + ": closing the connection failed", e);
      }
    }
  }
}
