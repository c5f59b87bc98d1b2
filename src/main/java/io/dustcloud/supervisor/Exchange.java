package io.dustcloud.supervisor;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One {@code GET} that {@link InstanceHttp} carries: where to, the request's bytes, its deadline
 * and where its {@link Answer} goes. Made on the caller's thread, then touched by the selector
 * thread only.
 */
final class Exchange {
  /**
   * One exchange's outcome.
   *
   * @param status the HTTP status, 0 when there was no answer
   * @param body the body (UTF-8), empty unless asked for
   * @param error why there is no answer, or null
   */
  record Answer(int status, String body, String error) {
    boolean ok() {
      return error == null;
    }
  }

  final InetSocketAddress target;
  final byte[] request;
  /** "GET /path", for reasons. */
  final String what;
  final long timeoutMillis;
  /** System.nanoTime() by which the answer must be in, connect included. */
  final long deadline;
  final boolean keepBody;
  final Executor callbacks;
  final CompletableFuture<Answer> result = new CompletableFuture<>();
  /** Already retried once on a new connection (a reused one had been closed by the server). */
  boolean retried;

  private Exchange(InetSocketAddress target, byte[] request, String what, Duration timeout, boolean keepBody,
      Executor callbacks) {
    this.callbacks = callbacks;
    this.target = target;
    this.request = request;
    this.what = what;
    this.timeoutMillis = timeout.toMillis();
    this.deadline = System.nanoTime() + timeout.toNanos();
    this.keepBody = keepBody;
  }

  /**
   * A minimal request: the request line, Host (required by HTTP/1.1) and User-Agent; keep-alive
   * is HTTP/1.1's default.
   *
   * @throws IllegalArgumentException naming what is wrong with the address or the path
   */
  static Exchange get(String address, String path, Duration timeout, boolean keepBody, Executor callbacks) {
    Prepared p = PREPARED.get(new Key(address, path));
    if (p == null) {
      p = prepare(address, path);
    }
    return new Exchange(p.target(), p.request(), p.what(), timeout, keepBody, callbacks);
  }

  private record Key(String address, String path) {}

  private record Prepared(InetSocketAddress target, byte[] request, String what) {}

  /**
   * Each instance is asked the same two or three requests every tick: their parsed address and
   * bytes are kept (issue 20: parsing an address literal was a good part of a scrape's CPU).
   * Only IP literals, which never change; emptied when it grows past {@link #MAX_PREPARED}.
   */
  private static final java.util.concurrent.ConcurrentHashMap<Key, Prepared> PREPARED =
      new java.util.concurrent.ConcurrentHashMap<>();
  static final int MAX_PREPARED = 20_000;

  private static Prepared prepare(String address, String path) {
    InetSocketAddress target = target(address);
    checkPath(path);
    String request = "GET " + path + " HTTP/1.1\r\nHost: " + address + "\r\nUser-Agent: dustcloud\r\n\r\n";
    Prepared p = new Prepared(target, request.getBytes(StandardCharsets.ISO_8859_1), "GET " + path);
    if (target.getAddress() != null && target.getAddress().getHostAddress().equals(target.getHostString())) {
      if (PREPARED.size() >= MAX_PREPARED) {
        PREPARED.clear(); // instances come and go: old entries are not worth tracking one by one
      }
      PREPARED.put(new Key(address, path), p);
    }
    return p;
  }

  static InetSocketAddress target(String address) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new IllegalArgumentException("bad address \"" + HttpAnswer.printable(address) + "\": expected host:port");
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port in address \"" + HttpAnswer.printable(address) + "\"");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range in address \"" + HttpAnswer.printable(address) + "\"");
    }
    return new InetSocketAddress(host, port);
  }

  private static void checkPath(String path) {
    boolean bad = path == null || !path.startsWith("/");
    for (int i = 0; !bad && i < path.length(); i++) {
      bad = path.charAt(i) <= ' ' || path.charAt(i) >= 0x7f;
    }
    if (bad) {
      throw new IllegalArgumentException("bad path \"" + HttpAnswer.printable(String.valueOf(path))
          + "\": expected /..., no spaces or control characters");
    }
  }
}
