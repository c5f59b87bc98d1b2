package io.dustcloud.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.testing.EndToEnd;
import io.dustcloud.testing.ExampleUnikernel;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unikernel's network stack frame by frame: its NIC is wired to a UDP socket of this test
 * (QEMU's {@code dgram} netdev carries one Ethernet frame per datagram), so the test plays the
 * peer and sees every frame: ARP, ICMP echo, RST for a closed port, and TCP retransmission of a
 * SYN-ACK and of response data that the peer does not acknowledge.
 */
@EndToEnd
class UnikernelWireTest {
  private static final byte[] PEER_MAC = {0x02, 0, 0, 0, 0, 0x01};
  private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
  private static final int PEER_IP = 0x0A000001;  // 10.0.0.1
  private static final int GUEST_IP = 0x0A000002; // 10.0.0.2
  private static final long WAIT_MS = 60_000;

  @TempDir static Path dir;
  private static DatagramSocket wire;
  private static Process qemu;
  private static InetSocketAddress guestSide;

  @BeforeAll
  static void boot() throws IOException {
    ExampleUnikernel.Built built = ExampleUnikernel.shared();
    wire = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    wire.setSoTimeout(200);
    int guestPort;
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      guestPort = probe.getLocalPort();
    }
    guestSide = new InetSocketAddress(InetAddress.getLoopbackAddress(), guestPort);
    Path console = dir.resolve("console.log");
    qemu = new ProcessBuilder("qemu-system-x86_64", "-M", "pc,acpi=off", "-accel", "tcg", "-cpu", "max", "-m", "64m",
        "-nodefaults", "-no-user-config", "-display", "none", "-kernel", built.kernel().toString(),
        "-append", "--ipv4=10.0.0.2/24 --ipv4-gateway=10.0.0.1", "-serial", "file:" + console,
        "-netdev", "dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=" + guestPort
            + ",remote.type=inet,remote.host=127.0.0.1,remote.port=" + wire.getLocalPort(),
        "-device", "virtio-net-pci,netdev=n0", "-no-reboot")
        .redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile()).start();
  }

  @AfterAll
  static void stop() {
    if (qemu != null) {
      qemu.destroyForcibly();
      qemu.onExit().join();
    }
    if (wire != null) {
      wire.close();
    }
  }

  @Test
  void arpAndPing() throws IOException {
    byte[] reply = untilAnswered(arpRequest(), f -> type(f) == 0x0806 && u16(f, 20) == 2);
    byte[] guestMac = Arrays.copyOfRange(reply, 22, 28);
    assertThat(u32(reply, 28)).isEqualTo(GUEST_IP);
    assertThat(Arrays.copyOfRange(reply, 32, 38)).isEqualTo(PEER_MAC);

    byte[] payload = "dustcloud ping".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer icmp = ByteBuffer.allocate(8 + payload.length);
    icmp.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) 0x1234).putShort((short) 7).put(payload);
    icmp.putShort(2, checksum(icmp.array(), 0, icmp.capacity(), 0));
    byte[] echo = untilAnswered(ip(guestMac, 1, icmp.array()), f -> type(f) == 0x0800 && f[23] == 1);
    int ihl = (echo[14] & 15) * 4;
    int at = 14 + ihl;
    assertThat(echo[at]).as("echo reply").isEqualTo((byte) 0);
    assertThat(u16(echo, at + 4)).isEqualTo(0x1234);
    assertThat(u16(echo, at + 6)).isEqualTo(7);
    assertThat(Arrays.copyOfRange(echo, at + 8, at + 8 + payload.length)).isEqualTo(payload);
    assertThat(checksum(echo, at, u16(echo, 16) - ihl, 0)).as("ICMP checksum").isZero();
    assertThat(checksum(echo, 14, ihl, 0)).as("IP header checksum").isZero();
  }

  @Test
  void tcpRefusesClosedPortsAndRetransmitsWhatIsNotAcknowledged() throws IOException {
    byte[] guestMac = Arrays.copyOfRange(untilAnswered(arpRequest(), f -> type(f) == 0x0806 && u16(f, 20) == 2), 22, 28);

    byte[] rst = untilAnswered(tcp(guestMac, 40000, 9, 1000, 0, 0x02, new byte[0]), f -> isTcp(f, 40000));
    assertThat(flags(rst) & 0x14).as("RST|ACK").isEqualTo(0x14);
    assertThat(ack(rst)).isEqualTo(1001);

    // a SYN; its SYN-ACK is never acknowledged, so it comes again with the same sequence number
    send(tcp(guestMac, 40001, 8080, 5000, 0, 0x02, new byte[0]));
    byte[] synAck = receive(f -> isTcp(f, 40001));
    assertThat(flags(synAck) & 0x12).isEqualTo(0x12);
    assertThat(ack(synAck)).isEqualTo(5001);
    assertThat(u16(synAck, 34 + 14)).as("the window is the receive buffer").isEqualTo(4096);
    byte[] again = receive(f -> isTcp(f, 40001));
    assertThat(flags(again) & 0x12).isEqualTo(0x12);
    assertThat(seq(again)).isEqualTo(seq(synAck));

    // the request; the response is not acknowledged either, so it is sent again, unchanged
    long server = seq(synAck) + 1;
    byte[] request = "GET /health HTTP/1.1\r\nHost: wire\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    send(tcp(guestMac, 40001, 8080, 5001, server, 0x18, request));
    byte[] response = receive(f -> isTcp(f, 40001) && payload(f).length > 0);
    assertThat(ack(response)).isEqualTo(5001 + request.length);
    assertThat(new String(payload(response), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200 OK\r\n").endsWith("ok\n");
    byte[] resent = receive(f -> isTcp(f, 40001) && payload(f).length > 0);
    assertThat(seq(resent)).isEqualTo(seq(response));
    assertThat(payload(resent)).isEqualTo(payload(response));

    // acknowledged and closed by the client: the guest acknowledges the FIN and closes too
    long end = seq(response) + payload(response).length;
    send(tcp(guestMac, 40001, 8080, 5001 + request.length, end, 0x11, new byte[0]));
    byte[] fin = receive(f -> isTcp(f, 40001) && (flags(f) & 0x01) != 0);
    assertThat(ack(fin)).isEqualTo(5001 + request.length + 1);
    assertThat(seq(fin)).isEqualTo(end);
  }

  // ---- frames ----

  private static byte[] arpRequest() {
    ByteBuffer b = ByteBuffer.allocate(42);
    b.put(BROADCAST).put(PEER_MAC).putShort((short) 0x0806);
    b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
    b.put(PEER_MAC).putInt(PEER_IP).put(new byte[6]).putInt(GUEST_IP);
    return b.array();
  }

  private static byte[] ip(byte[] dstMac, int proto, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(34 + payload.length);
    b.put(dstMac).put(PEER_MAC).putShort((short) 0x0800);
    b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length)).putShort((short) 1).putShort((short) 0)
        .put((byte) 64).put((byte) proto).putShort((short) 0).putInt(PEER_IP).putInt(GUEST_IP);
    b.putShort(24, checksum(b.array(), 14, 20, 0));
    b.position(34);
    b.put(payload);
    return b.array();
  }

  private static byte[] tcp(byte[] dstMac, int srcPort, int dstPort, long seq, long ack, int flags, byte[] data) {
    ByteBuffer t = ByteBuffer.allocate(20 + data.length);
    t.putShort((short) srcPort).putShort((short) dstPort).putInt((int) seq).putInt((int) ack)
        .put((byte) 0x50).put((byte) flags).putShort((short) 8192).putShort((short) 0).putShort((short) 0).put(data);
    ByteBuffer pseudo = ByteBuffer.allocate(12).putInt(PEER_IP).putInt(GUEST_IP).putShort((short) 6)
        .putShort((short) t.capacity());
    int sum = sum(pseudo.array(), 0, 12);
    t.putShort(16, checksum(t.array(), 0, t.capacity(), sum));
    return ip(dstMac, 6, t.array());
  }

  private static boolean isTcp(byte[] f, int peerPort) {
    return type(f) == 0x0800 && f[23] == 6 && u16(f, 36) == peerPort;
  }

  private static int tcpAt(byte[] f) {
    return 14 + (f[14] & 15) * 4;
  }

  private static int flags(byte[] f) {
    return f[tcpAt(f) + 13] & 0xFF;
  }

  private static long seq(byte[] f) {
    return u32(f, tcpAt(f) + 4) & 0xFFFFFFFFL;
  }

  private static long ack(byte[] f) {
    return u32(f, tcpAt(f) + 8) & 0xFFFFFFFFL;
  }

  private static byte[] payload(byte[] f) {
    int at = tcpAt(f) + ((f[tcpAt(f) + 12] & 0xFF) >> 4) * 4;
    return Arrays.copyOfRange(f, at, 14 + u16(f, 16));
  }

  private static int type(byte[] f) {
    return f.length >= 14 ? u16(f, 12) : -1;
  }

  private static int u16(byte[] b, int at) {
    return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
  }

  private static int u32(byte[] b, int at) {
    return u16(b, at) << 16 | u16(b, at + 2);
  }

  private static int sum(byte[] b, int from, int len) {
    int s = 0;
    for (int i = 0; i + 1 < len; i += 2) {
      s += u16(b, from + i);
    }
    if (len % 2 == 1) {
      s += (b[from + len - 1] & 0xFF) << 8;
    }
    return s;
  }

  private static short checksum(byte[] b, int from, int len, int initial) {
    int s = initial + sum(b, from, len);
    while (s >>> 16 != 0) {
      s = (s & 0xFFFF) + (s >>> 16);
    }
    return (short) ~s;
  }

  // ---- the wire ----

  private static void send(byte[] frame) throws IOException {
    wire.send(new DatagramPacket(frame, frame.length, guestSide));
  }

  /** The next frame from the guest that {@code wanted} accepts; others (its own chatter) are skipped. */
  private static synchronized byte[] receive(Predicate<byte[]> wanted) throws IOException {
    long end = System.currentTimeMillis() + WAIT_MS;
    byte[] buf = new byte[2048];
    while (System.currentTimeMillis() < end) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        wire.receive(p);
      } catch (SocketTimeoutException e) {
        assertThat(qemu.isAlive()).as("QEMU runs; console: %s", console()).isTrue();
        continue;
      }
      byte[] f = Arrays.copyOf(p.getData(), p.getLength());
      if (wanted.test(f)) {
        return f;
      }
    }
    throw new AssertionError("no such frame within " + WAIT_MS + " ms; console:\n" + console());
  }

  /** Sends {@code frame} until the guest answers (it may still be booting), once every 200 ms. */
  private static synchronized byte[] untilAnswered(byte[] frame, Predicate<byte[]> wanted) throws IOException {
    long end = System.currentTimeMillis() + WAIT_MS;
    byte[] buf = new byte[2048];
    List<String> seen = new ArrayList<>();
    while (System.currentTimeMillis() < end) {
      send(frame);
      long until = System.currentTimeMillis() + 200;
      while (System.currentTimeMillis() < until) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          wire.receive(p);
        } catch (SocketTimeoutException e) {
          break;
        }
        byte[] f = Arrays.copyOf(p.getData(), p.getLength());
        if (wanted.test(f)) {
          return f;
        }
        seen.add("type " + Integer.toHexString(type(f)));
      }
    }
    throw new AssertionError("no answer within " + WAIT_MS + " ms (saw " + seen + "); console:\n" + console());
  }

  private static String console() {
    try {
      Path c = dir.resolve("console.log");
      return Files.exists(c) ? Files.readString(c, StandardCharsets.ISO_8859_1) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }
}
