package io.dustcloud.supervisor;

import io.dustcloud.supervisor.Exchange.Answer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 client for what probes and scrapes ask of instances on loopback or a VPC:
 * {@code GET} with a minimal request, one selector thread, keep-alive connections reused per
 * address. Issue 20: the JDK client spent about 100 µs of CPU per scrape on its exchange
 * set-up, response timers and future hand-offs — most of what 1,000 settled fleets cost at rest.
 *
 * <p>Every exchange is bounded by its timeout (connect included) and never completes
 * exceptionally: a refused connection, a timeout or an answer {@link HttpAnswer} cannot read
 * exactly is an {@link Answer} with the reason, and the connection is closed on any error. A
 * reused connection found closed before any byte of the answer is retried once on a new one
 * (the server may close an idle connection at any time; clients retry that case). Redirects
 * are not followed: a 3xx is an answer.
 *
 * <p>Concurrency: {@link #get} may be called from any thread; it queues the exchange and wakes
 * the selector thread, which alone touches connections. Results are delivered on each call's
 * {@code callbacks} (or on the selector thread when null), never under a lock.
 */
final class InstanceHttp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InstanceHttp.class);
  /** Idle connections kept per address: a probe and a scrape may overlap. */
  static final int MAX_IDLE_PER_ADDRESS = 2;
  /** An idle connection unused this long is closed (its instance may be gone). */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
  /** The largest body kept (scrapes) or read past (probes). */
  static final int MAX_BODY = 8 * 1024 * 1024;

  private static InstanceHttp shared;
  private final Selector selector;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Exchange> submitted = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean wakeupPending = new AtomicBoolean();
  private volatile boolean closed;
  private final AtomicLong opened = new AtomicLong();
  // selector thread only
  private final Map<InetSocketAddress, ArrayDeque<Connection>> idle = new HashMap<>();
  private final List<Connection> busy = new ArrayList<>();
  private final ByteBuffer in = ByteBuffer.allocate(16 * 1024);
  private long lastIdleSweep = System.nanoTime();

  /** @param name the selector thread's name */
  InstanceHttp(String name) {
    try {
      this.selector = Selector.open();
    } catch (IOException e) {
      throw new IllegalStateException("cannot open a selector for " + name, e);
    }
    this.thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * {@code GET path} from {@code address} ({@code host:port}, the host an IP address or a name
   * resolved here, on the caller's thread).
   *
   * @param path the path and query, starting with {@code /}
   * @param keepBody whether the answer's body is wanted
   * @param callbacks where the result is delivered (off the selector thread, so what callers
   *     chain on it cannot hold up I/O); null: on the selector thread
   */
  CompletableFuture<Exchange.Answer> get(String address, String path, Duration timeout, boolean keepBody,
      Executor callbacks) {
    Exchange ex;
    try {
      ex = Exchange.get(address, path, timeout, keepBody, callbacks);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(new Answer(0, "", e.getMessage()));
    }
    if (closed) {
      return CompletableFuture.completedFuture(new Answer(0, "", "client closed"));
    }
    submitted.add(ex);
    // one wake-up for however many exchanges queue before the selector thread drains them
    if (wakeupPending.compareAndSet(false, true)) {
      selector.wakeup();
    }
    return ex.result;
  }

  /** One client for probers and scrapers made without one (tests, tools); never closed. */
  static synchronized InstanceHttp shared() {
    if (shared == null) {
      shared = new InstanceHttp("dustcloud-instance-http-shared");
    }
    return shared;
  }

  private void loop() {
    try {
      while (!closed) {
        // the select with an action spares the selected-key set's iterator and its garbage
        selector.select(key -> ready((Connection) key.attachment(), key), waitMillis());
        wakeupPending.set(false);
        for (Exchange ex; (ex = submitted.poll()) != null; ) {
          start(ex);
        }
        expire();
      }
    } catch (IOException | ClosedSelectorException e) {
      if (!closed) {
        log.error("{}: selector failed; probes and scrapes will time out", thread.getName(), e);
      }
    } catch (RuntimeException | Error e) {
      log.error("{}: selector thread died", thread.getName(), e);
      throw e;
    } finally {
      shutDown();
    }
  }

  /** Until the nearest deadline of an exchange out, or an idle sweep; 0 (forever) when nothing is out or idle. */
  private long waitMillis() {
    long now = System.nanoTime();
    long nearest = idle.isEmpty() ? Long.MAX_VALUE : lastIdleSweep + IDLE_TIMEOUT.toNanos();
    for (Connection c : busy) {
      nearest = Math.min(nearest, c.exchange.deadline);
    }
    if (nearest == Long.MAX_VALUE) {
      return 0;
    }
    return Math.max(1, (nearest - now) / 1_000_000 + 1);
  }

  private void start(Exchange ex) {
    Connection c = null;
    ArrayDeque<Connection> pool = ex.retried ? null : idle.get(ex.target);
    while (pool != null && !pool.isEmpty() && c == null) {
      Connection candidate = pool.pollLast();
      if (candidate.channel.isOpen()) {
        c = candidate;
      }
    }
    if (pool != null && pool.isEmpty()) {
      idle.remove(ex.target);
    }
    try {
      if (c == null) {
        SocketChannel ch = SocketChannel.open();
        opened.incrementAndGet();
        c = new Connection(ch, ex.target);
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        c.connected = ch.connect(ex.target);
        c.key = ch.register(selector, c.connected ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT, c);
      } else {
        c.reused = true;
        c.key.interestOps(SelectionKey.OP_WRITE);
      }
      c.exchange = ex;
      c.answer = new HttpAnswer(ex.keepBody, MAX_BODY);
      c.out = ByteBuffer.wrap(ex.request);
      busy.add(c);
      if (c.connected) {
        write(c);
      }
    } catch (IOException | RuntimeException e) {
      fail(c, ex, e);
    }
  }

  private void ready(Connection c, SelectionKey key) {
    Exchange ex = c.exchange;
    try {
      if (!key.isValid()) {
        return;
      }
      if (ex == null) {
        // an idle connection became readable: the server closed it or sent what nobody asked for
        closeIdle(c);
        return;
      }
      if (key.isConnectable()) {
        if (!c.channel.finishConnect()) {
          return; // not yet: the selector says again when it is
        }
        c.connected = true;
        key.interestOps(SelectionKey.OP_WRITE);
      }
      if (key.isWritable()) {
        write(c);
      }
      if (key.isReadable()) {
        read(c);
      }
    } catch (IOException | RuntimeException e) {
      fail(c, ex, e);
    } catch (HttpAnswer.Malformed e) {
      finish(c, new Answer(0, "", "malformed answer to " + ex.what + ": " + e.getMessage()), false);
    }
  }

  private void write(Connection c) throws IOException {
    c.channel.write(c.out);
    c.key.interestOps(c.out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
  }

  private void read(Connection c) throws IOException, HttpAnswer.Malformed {
    while (true) {
      in.clear();
      int n = c.channel.read(in);
      if (n < 0) {
        if (c.reused && !c.answer.started() && !c.exchange.retried) {
          retry(c, c.exchange);
          return;
        }
        c.answer.closed();
        break;
      }
      if (n == 0) {
        return;
      }
      in.flip();
      c.answer.feed(in);
      if (c.answer.done()) {
        // bytes beyond the answer belong to no request: the connection cannot be trusted again
        boolean reusable = c.answer.keepAlive() && !in.hasRemaining();
        finish(c, new Answer(c.answer.status(), c.answer.body(), null), reusable);
        return;
      }
    }
    finish(c, new Answer(c.answer.status(), c.answer.body(), null), false);
  }

  /** A reused connection the server had closed: once more on a new one. */
  private void retry(Connection c, Exchange ex) {
    busy.remove(c);
    c.exchange = null;
    closeQuietly(c);
    ex.retried = true;
    start(ex);
  }

  private void fail(Connection c, Exchange ex, Exception e) {
    if (c != null && c.reused && (c.answer == null || !c.answer.started()) && !ex.retried) {
      retry(c, ex);
      return;
    }
    String why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    Answer failed = new Answer(0, "", why);
    if (c == null) {
      deliver(ex, failed);
    } else {
      finish(c, failed, false);
    }
  }

  private void finish(Connection c, Answer answer, boolean reusable) {
    Exchange ex = c.exchange;
    busy.remove(c);
    c.exchange = null;
    c.answer = null;
    c.out = null;
    if (reusable && !closed) {
      ArrayDeque<Connection> pool = idle.computeIfAbsent(c.target, t -> new ArrayDeque<>());
      if (pool.size() < MAX_IDLE_PER_ADDRESS) {
        c.idleSince = System.nanoTime();
        c.key.interestOps(SelectionKey.OP_READ);
        pool.addLast(c);
      } else {
        closeQuietly(c);
      }
    } else {
      closeQuietly(c);
    }
    deliver(ex, answer);
  }

  private static void deliver(Exchange ex, Answer answer) {
    if (ex.callbacks == null) {
      ex.result.complete(answer);
      return;
    }
    try {
      ex.callbacks.execute(() -> ex.result.complete(answer));
    } catch (RuntimeException rejected) {
      ex.result.complete(answer); // the executor is shut down: deliver here rather than never
    }
  }

  /** Fails the exchanges past their deadline; every {@link #IDLE_TIMEOUT} closes connections idle that long. */
  private void expire() {
    long now = System.nanoTime();
    for (int i = busy.size() - 1; i >= 0; i--) {
      if (i >= busy.size()) {
        continue;
      }
      Connection c = busy.get(i);
      Exchange ex = c.exchange;
      if (now - ex.deadline >= 0) {
        String phase = c.connected ? "the answer to " + ex.what : "a connection";
        finish(c, new Answer(0, "", "timed out after " + ex.timeoutMillis + "ms waiting for " + phase), false);
      }
    }
    if (now - lastIdleSweep >= IDLE_TIMEOUT.toNanos()) {
      lastIdleSweep = now;
      for (Iterator<ArrayDeque<Connection>> pools = idle.values().iterator(); pools.hasNext(); ) {
        ArrayDeque<Connection> pool = pools.next();
        pool.removeIf(c -> {
          boolean stale = now - c.idleSince >= IDLE_TIMEOUT.toNanos() || !c.channel.isOpen();
          if (stale) {
            closeQuietly(c);
          }
          return stale;
        });
        if (pool.isEmpty()) {
          pools.remove();
        }
      }
    }
  }

  private void closeIdle(Connection c) {
    ArrayDeque<Connection> pool = idle.get(c.target);
    if (pool != null) {
      pool.remove(c);
      if (pool.isEmpty()) {
        idle.remove(c.target);
      }
    }
    closeQuietly(c);
  }

  private static void closeQuietly(Connection c) {
    if (c.key != null) {
      c.key.cancel();
    }
    try {
      c.channel.close();
    } catch (IOException ignored) {
      // closing: nothing more to learn from this connection
    }
  }

  private void shutDown() {
    closed = true;
    for (Connection c : List.copyOf(busy)) {
      finish(c, new Answer(0, "", "client closed"), false);
    }
    idle.values().forEach(pool -> pool.forEach(InstanceHttp::closeQuietly));
    idle.clear();
    for (Exchange ex; (ex = submitted.poll()) != null; ) {
      deliver(ex, new Answer(0, "", "client closed"));
    }
    try {
      selector.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() {
    closed = true;
    selector.wakeup();
  }

  /** Connections opened so far (tests: keep-alive reuse opens one). */
  long opened() {
    return opened.get();
  }
}
