package io.dustcloud.provider.local;

import io.dustcloud.core.Reason;
import io.dustcloud.provider.ProviderException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hands out free loopback ports for instances and fleet endpoints.
 *
 * <p>The default range lies below Linux's default ephemeral range (32768-60999): ports
 * chosen there cannot be taken by the proxy's own outgoing connections in the moment
 * between allocation and the child process binding it. Ports handed out stay reserved
 * until released, because a free-at-check port is not yet bound by the child.
 */
final class PortAllocator {
  static final int DEFAULT_FROM = 20000;
  static final int DEFAULT_TO = 32767;
  static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final int from;
  private final int to;
  private final Set<Integer> reserved = new HashSet<>();
  // A random start keeps two providers on one host (tests, worktrees) off the same sequence.
  private int next;

  PortAllocator(int from, int to) {
    if (from < 1 || to > 65535 || from > to) {
      throw new IllegalArgumentException("bad port range " + from + "-" + to);
    }
    this.from = from;
    this.to = to;
    this.next = ThreadLocalRandom.current().nextInt(to - from + 1);
  }

  PortAllocator() {
    this(DEFAULT_FROM, DEFAULT_TO);
  }

  synchronized int allocate() {
    int span = to - from + 1;
    for (int i = 0; i < span; i++) {
      int port = from + Math.floorMod(next++, span);
      if (!reserved.contains(port) && isFree(port)) {
        reserved.add(port);
        return port;
      }
    }
    throw new ProviderException(
        Reason.NO_FREE_PORT, "no free loopback port in " + from + "-" + to, true);
  }

  /** Marks a port as taken, e.g. by an adopted instance. */
  synchronized void reserve(int port) {
    reserved.add(port);
  }

  synchronized void release(int port) {
    reserved.remove(port);
  }

  private static boolean isFree(int port) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(LOOPBACK, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
