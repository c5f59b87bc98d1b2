package io.dustcloud.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link InstanceHttp} against a real server on loopback whose every answer is scripted byte for byte. */
class InstanceHttpTest {
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  private final InstanceHttp client = new InstanceHttp("instance-http-test");
  private Scripted server;

  @AfterEach
  void close() throws IOException {
    client.close();
    if (server != null) {
      server.close();
    }
  }

  /** What the server does with the n-th request (0-based, over all connections). */
  record Reply(String bytes, boolean closeAfter, CountDownLatch hold) {
    static Reply of(String bytes) {
      return new Reply(bytes, false, null);
    }
  }

  /** Accepts connections, reads request heads and answers each with the script's reply. */
  static final class Scripted implements AutoCloseable {
    final ServerSocket socket;
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final List<Socket> open = new ArrayList<>();
    final IntFunction<Reply> script;

    Scripted(IntFunction<Reply> script) throws IOException {
      this.script = script;
      this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t = new Thread(this::accept, "scripted-server");
      t.setDaemon(true);
      t.start();
    }

    String address() {
      return "127.0.0.1:" + socket.getLocalPort();
    }

    private void accept() {
      while (!socket.isClosed()) {
        try {
          Socket s = socket.accept();
          accepted.incrementAndGet();
          synchronized (open) {
            open.add(s);
          }
          Thread t = new Thread(() -> serve(s), "scripted-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException closed) {
          return;
        }
      }
    }

    private void serve(Socket s) {
      try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
        while (readHead(in)) {
          Reply r = script.apply(requests.getAndIncrement());
          if (r.hold() != null) {
            r.hold().await(30, TimeUnit.SECONDS);
          }
          out.write(r.bytes().getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          if (r.closeAfter()) {
            return;
          }
        }
      } catch (IOException | InterruptedException ignored) {
        // the client went away
      }
    }

    private static boolean readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        head.write(b);
        if (head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
          return true;
        }
      }
      return false;
    }

    @Override
    public void close() throws IOException {
      socket.close();
      synchronized (open) {
        for (Socket s : open) {
          s.close();
        }
      }
    }
  }

  private Exchange.Answer get(String path, Duration timeout) throws Exception {
    return client.get(server.address(), path, timeout, true, null).get(30, TimeUnit.SECONDS);
  }

  @Test
  void oneKeepAliveConnectionCarriesEveryExchange() throws Exception {
    server = new Scripted(n -> Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"));
    for (int i = 0; i < 5; i++) {
      Exchange.Answer a = get("/metrics", TIMEOUT);
      assertThat(a.error()).isNull();
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.body()).isEqualTo("hello");
    }
    assertThat(server.accepted.get()).as("connections accepted for 5 exchanges").isEqualTo(1);
    assertThat(client.opened()).isEqualTo(1);
  }

  @Test
  void aConnectionTheServerClosesIsNotReusedAndTheNextExchangeStillAnswers() throws Exception {
    // the first answer says it closes; the second connection's answer closes without saying so
    server = new Scripted(n -> n == 0
        ? new Reply("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", true, null)
        : new Reply("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true, null));
    for (int i = 0; i < 4; i++) {
      Exchange.Answer a = get("/health", TIMEOUT);
      assertThat(a.error()).as("exchange " + i).isNull();
      assertThat(a.body()).isEqualTo("ok");
    }
    assertThat(server.accepted.get()).isEqualTo(4);
  }

  @Test
  void aSlowAnswerTimesOutAndItsConnectionIsClosed() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    server = new Scripted(n -> n == 0
        ? new Reply("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false, release)
        : Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate"));
    Exchange.Answer a = get("/health", Duration.ofMillis(200));
    release.countDown();
    assertThat(a.error()).isEqualTo("timed out after 200ms waiting for the answer to GET /health");
    Exchange.Answer next = get("/health", TIMEOUT);
    assertThat(next.body()).as("a new connection, not the late answer of the old one").isEqualTo("late");
    assertThat(server.accepted.get()).isEqualTo(2);
  }

  @Test
  void aChunkedBodyIsReassembledAndTheConnectionReused() throws Exception {
    server = new Scripted(n -> Reply.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"));
    assertThat(get("/metrics", TIMEOUT).body()).isEqualTo("hello, world");
    assertThat(get("/metrics", TIMEOUT).body()).isEqualTo("hello, world");
    assertThat(server.accepted.get()).isEqualTo(1);
  }

  @Test
  void garbageIsAFailureWithItsReasonAndClosesTheConnection() throws Exception {
    server = new Scripted(n -> n == 0 ? Reply.of("SSH-2.0-OpenSSH_9.6\r\n\r\n")
        : Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    Exchange.Answer a = get("/health", TIMEOUT);
    assertThat(a.error()).isEqualTo("malformed answer to GET /health: not an HTTP/1.x status line: \"SSH-2.0-OpenSSH_9.6\"");
    assertThat(get("/health", TIMEOUT).body()).isEqualTo("ok");
    assertThat(server.accepted.get()).isEqualTo(2);
  }

  @Test
  void aBodyCutShortByTheServerIsAFailure() throws Exception {
    server = new Scripted(n -> new Reply("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", true, null));
    assertThat(get("/metrics", TIMEOUT).error())
        .isEqualTo("malformed answer to GET /metrics: connection closed in the middle of the answer");
  }

  @Test
  void aRefusedConnectionAndABadAddressAreFailuresNotExceptions() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Exchange.Answer refused = client.get("127.0.0.1:" + port, "/health", TIMEOUT, false, null).get(30, TimeUnit.SECONDS);
    assertThat(refused.error()).startsWith("ConnectException");
    assertThat(client.get("10.0.0.1", "/health", TIMEOUT, false, null).join().error())
        .isEqualTo("bad address \"10.0.0.1\": expected host:port");
    assertThat(client.get("127.0.0.1:80", "/a b", TIMEOUT, false, null).join().error())
        .startsWith("bad path \"/a b\"");
  }

  @Test
  void aRedirectIsAnAnswerNotAHopAndTheProbeJudgesItsStatus() throws Exception {
    server = new Scripted(n -> Reply.of("HTTP/1.1 302 Found\r\nLocation: http://10.255.255.1/elsewhere\r\n"
        + "Content-Length: 0\r\n\r\n"));
    HttpProber prober = new HttpProber(client, null);
    assertThat(prober.http(server.address(), "/health", 200, 399, TIMEOUT).get(30, TimeUnit.SECONDS).passed()).isTrue();
    assertThat(prober.http(server.address(), "/health", 200, 299, TIMEOUT).get(30, TimeUnit.SECONDS).detail())
        .isEqualTo("HTTP 302 from GET /health");
    assertThat(server.requests.get()).as("the Location was not followed").isEqualTo(2);
  }

  @Test
  void overlappingExchangesOpenTheirOwnConnectionsAndKeptOnesAreReused() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    server = new Scripted(n -> new Reply("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false,
        n < 4 ? release : null));
    List<java.util.concurrent.CompletableFuture<Exchange.Answer>> out = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      out.add(client.get(server.address(), "/metrics", TIMEOUT, true, null));
    }
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> server.requests.get() == 4);
    release.countDown();
    for (var f : out) {
      assertThat(f.get(30, TimeUnit.SECONDS).body()).isEqualTo("ok");
    }
    assertThat(server.accepted.get()).isEqualTo(4);
    // two of the four are kept idle (MAX_IDLE_PER_ADDRESS): the next two exchanges open nothing
    var a = client.get(server.address(), "/metrics", TIMEOUT, true, null);
    var b = client.get(server.address(), "/metrics", TIMEOUT, true, null);
    assertThat(a.get(30, TimeUnit.SECONDS).ok()).isTrue();
    assertThat(b.get(30, TimeUnit.SECONDS).ok()).isTrue();
    assertThat(client.opened()).isEqualTo(4);
  }
}
