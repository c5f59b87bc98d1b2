package io.dustcloud.provider.local;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Tells whether a guest behind a forwarded loopback port answers. A TCP accept proves
 * nothing there: QEMU's user networking (and a socat forward) accepts before the guest
 * listens, so the guest must send an HTTP status line. Checks run in the background and
 * {@link #answers} never blocks, because it is called under the fleet lock on every observe.
 */
final class GuestProbe {
  private static final int TIMEOUT_MS = 300;
  private static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "dustcloud-guest-probe");
    t.setDaemon(true);
    return t;
  });

  private final Map<Integer, CompletableFuture<Boolean>> inFlight = new ConcurrentHashMap<>();

  /** True once a check on {@code port} has passed; otherwise starts one (if none is running) and says false. */
  boolean answers(int port) {
    CompletableFuture<Boolean> f = inFlight.get(port);
    if (f != null && f.isDone()) {
      inFlight.remove(port, f);
      if (Boolean.TRUE.equals(f.getNow(false))) {
        return true;
      }
      f = null;
    }
    if (f == null) {
      inFlight.putIfAbsent(port, CompletableFuture.supplyAsync(() -> httpAnswers(port), EXECUTOR));
    }
    return false;
  }

  /** One request; any HTTP status (even 404) means the guest's server is up. */
  static boolean httpAnswers(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(PortAllocator.LOOPBACK, port), TIMEOUT_MS);
      s.setSoTimeout(TIMEOUT_MS);
      s.getOutputStream().write("GET / HTTP/1.0\r\nHost: guest\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      return new String(in.readNBytes(5), StandardCharsets.US_ASCII).equals("HTTP/");
    } catch (IOException e) {
      return false;
    }
  }
}
