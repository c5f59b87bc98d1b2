package io.dustcloud.supervisor;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** One connection of {@link InstanceHttp} and, while it carries one, its exchange. Touched by the selector thread only. */
final class Connection {
  final SocketChannel channel;
  final InetSocketAddress target;
  SelectionKey key;
  Exchange exchange;
  HttpAnswer answer;
  /** What is left to write of the request. */
  ByteBuffer out;
  /** Carried an exchange before: the server may have closed it meanwhile. */
  boolean reused;
  boolean connected;
  long idleSince;

  Connection(SocketChannel channel, InetSocketAddress target) {
    this.channel = channel;
    this.target = target;
  }
}
