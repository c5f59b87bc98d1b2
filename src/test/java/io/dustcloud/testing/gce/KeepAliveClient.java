package io.dustcloud.testing.gce;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An HTTP/1.1 client holding one keep-alive connection, as a browser or a connection pool of
 * size one does: requests go one after another on the same connection until the server answers
 * {@code Connection: close} or closes it; the next request then opens a new one. Tests use it to
 * see exactly which connection a request travelled on (the fake load balancer balances
 * connections, not requests). It retries a request once on a fresh connection when a reused one
 * turns out closed before any answer, as HTTP clients do for idempotent requests.
 */
public final class KeepAliveClient implements AutoCloseable {
  /** One answer; {@code connection} counts the connections this client opened (1 for the first). */
  public record Response(int status, String body, long connection, boolean closedAfter) {}

  private final String host;
  private final int port;
  private final int timeoutMillis;
  private Socket socket;
  private InputStream in;
  private long connections;
  private int requestsOnConnection;

  public KeepAliveClient(String host, int port, int timeoutMillis) {
    this.host = host;
    this.port = port;
    this.timeoutMillis = timeoutMillis;
  }

  /** {@code address:port}, as a status.endpoint reads. */
  public static KeepAliveClient of(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    return new KeepAliveClient(endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1)), 5000);
  }

  public synchronized Response get(String path) throws IOException {
    boolean reused = socket != null;
    try {
      return once(path);
    } catch (IOException e) {
      drop();
      if (reused && requestsOnConnection > 0 && e instanceof ClosedBeforeAnswer) {
        retries++;
        return once(path);
      }
      throw e;
    }
  }

  private static final class ClosedBeforeAnswer extends IOException {
    ClosedBeforeAnswer() {
      super("connection closed before an answer");
    }
  }

  private Response once(String path) throws IOException {
    if (socket == null) {
      Socket s = new Socket();
      s.connect(new InetSocketAddress(host, port), timeoutMillis);
      s.setSoTimeout(timeoutMillis);
      s.setTcpNoDelay(true);
      socket = s;
      in = new BufferedInputStream(s.getInputStream());
      connections++;
      requestsOnConnection = 0;
    }
    String status;
    try {
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      status = InstanceServer.line(in);
    } catch (java.net.SocketException e) {
      throw new ClosedBeforeAnswer(); // reset or broken pipe: the peer closed the connection
    }
    if (status == null) {
      throw new ClosedBeforeAnswer();
    }
    int length = 0;
    boolean close = false;
    String header;
    while ((header = InstanceServer.line(in)) != null && !header.isEmpty()) {
      String h = header.toLowerCase(Locale.ROOT);
      if (h.startsWith("content-length:")) {
        length = Integer.parseInt(h.substring(15).trim());
      } else if (h.startsWith("connection:") && h.contains("close")) {
        close = true;
      }
    }
    byte[] body = in.readNBytes(length);
    requestsOnConnection++;
    long connection = connections;
    if (close) {
      drop();
    }
    return new Response(Integer.parseInt(status.split(" ")[1]), new String(body, StandardCharsets.UTF_8), connection,
        close);
  }

  /** Requests sent again on a new connection because a reused one was closed before answering. */
  public synchronized long retries() {
    return retries;
  }

  private long retries;

  /** Connections opened so far. */
  public synchronized long connections() {
    return connections;
  }

  private void drop() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing
      }
    }
    socket = null;
    in = null;
  }

  @Override
  public synchronized void close() {
    drop();
  }
}
