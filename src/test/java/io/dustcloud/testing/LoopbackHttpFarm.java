package io.dustcloud.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many tiny HTTP endpoints on loopback, served by one selector thread: a stand-in for 1,000
 * instances when measuring probes and scrapes. Every request on every port gets {@code body}
 * with status 200, keep-alive.
 */
public final class LoopbackHttpFarm implements AutoCloseable {
  public static final String THREAD_NAME = "loopback-farm";
  private final Selector selector;
  private final List<String> addresses = new ArrayList<>();
  private final List<ServerSocketChannel> servers = new ArrayList<>();
  private final byte[] response;
  private final Thread thread;
  private final AtomicLong requests = new AtomicLong();
  private volatile boolean running = true;

  public LoopbackHttpFarm(int endpoints, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    response = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + b.length + "\r\n\r\n" + body)
        .getBytes(StandardCharsets.UTF_8);
    try {
      selector = Selector.open();
      for (int i = 0; i < endpoints; i++) {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.bind(new InetSocketAddress("127.0.0.1", 0), 128);
        s.configureBlocking(false);
        s.register(selector, SelectionKey.OP_ACCEPT);
        servers.add(s);
        addresses.add("127.0.0.1:" + ((InetSocketAddress) s.getLocalAddress()).getPort());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    thread = new Thread(this::serve, THREAD_NAME);
    thread.setDaemon(true);
    thread.start();
  }

  public List<String> addresses() {
    return addresses;
  }

  public long requests() {
    return requests.get();
  }

  private void serve() {
    ByteBuffer in = ByteBuffer.allocate(8192);
    while (running) {
      try {
        selector.select(200);
        for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
          SelectionKey key = it.next();
          it.remove();
          if (!key.isValid()) {
            continue;
          }
          if (key.isAcceptable()) {
            SocketChannel c = ((ServerSocketChannel) key.channel()).accept();
            if (c != null) {
              c.configureBlocking(false);
              c.register(selector, SelectionKey.OP_READ, new StringBuilder());
            }
          } else if (key.isReadable()) {
            read(key, in);
          }
        }
      } catch (IOException e) {
        // a broken connection is the client's business; keep serving the rest
      }
    }
  }

  private void read(SelectionKey key, ByteBuffer in) throws IOException {
    SocketChannel c = (SocketChannel) key.channel();
    StringBuilder pending = (StringBuilder) key.attachment();
    in.clear();
    int n;
    try {
      n = c.read(in);
    } catch (IOException e) {
      key.cancel();
      c.close();
      return;
    }
    if (n < 0) {
      key.cancel();
      c.close();
      return;
    }
    pending.append(new String(in.array(), 0, n, StandardCharsets.ISO_8859_1));
    int end;
    while ((end = pending.indexOf("\r\n\r\n")) >= 0) {
      pending.delete(0, end + 4);
      requests.incrementAndGet();
      ByteBuffer out = ByteBuffer.wrap(response);
      while (out.hasRemaining()) {
        c.write(out);
      }
    }
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(2000);
      for (ServerSocketChannel s : servers) {
        s.close();
      }
      // the accepted connections too: closing the selector does not close its channels
      for (SelectionKey key : selector.keys()) {
        key.channel().close();
      }
      selector.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
