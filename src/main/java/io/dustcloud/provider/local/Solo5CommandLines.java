package io.dustcloud.provider.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands the solo5 runtime runs, as pure values so they are tested on hosts without
 * Solo5. Each instance gets its own network namespace holding one tap device: the guest is
 * never on the host's network. The host reaches it through a loopback port forwarded (socat)
 * to a unix socket, which a second socat inside the namespace forwards to the guest: unix
 * sockets live in the file system, so they cross the namespace boundary.
 */
final class Solo5CommandLines {
  static final String TAP = "tap0";
  static final String TAP_ADDRESS = "10.0.3.1/24";
  static final String GUEST_IP = "10.0.3.2";

  private Solo5CommandLines() {}

  /** Namespace names are limited in length and charset: derived from the instance id. */
  static String namespace(String instanceId) {
    String clean = instanceId.replaceAll("[^A-Za-z0-9-]", "-");
    return "dc-" + (clean.length() > 40 ? clean.substring(clean.length() - 40) : clean);
  }

  static List<String> netnsAdd(String ns) {
    return List.of("ip", "netns", "add", ns);
  }

  /** Lists the pids of every process in the namespace, one a line. */
  static List<String> netnsPids(String ns) {
    return List.of("ip", "netns", "pids", ns);
  }

  static List<String> netnsDelete(String ns) {
    return List.of("ip", "netns", "delete", ns);
  }

  static List<String> inNamespace(String ns, List<String> command) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    c.addAll(command);
    return c;
  }

  static List<String> tapAdd() {
    return List.of("ip", "tuntap", "add", "dev", TAP, "mode", "tap");
  }

  /** Run inside the namespace after {@link #tapAdd()}: address the tap, bring it and lo up. */
  static List<List<String>> tapConfigure() {
    return List.of(
        List.of("ip", "addr", "add", TAP_ADDRESS, "dev", TAP),
        List.of("ip", "link", "set", TAP, "up"),
        List.of("ip", "link", "set", "lo", "up"));
  }

  /** The tender's own arguments: memory, the tap as the unikernel's "service" network, the image, then boot args. */
  static List<String> tender(String tender, int memoryMiB, Path kernel, List<String> bootArgs) {
    List<String> c = new ArrayList<>(List.of(tender, "--mem=" + memoryMiB, "--net:service=" + TAP, kernel.toString()));
    // MirageOS's conventional network flags; the guest must be told its address
    c.add("--ipv4=" + GUEST_IP + "/24");
    c.add("--ipv4-gateway=" + TAP_ADDRESS.substring(0, TAP_ADDRESS.indexOf('/')));
    c.addAll(bootArgs);
    return c;
  }

  /**
   * One host process per instance, so the provider records one pid: it starts both forwards,
   * runs the tender in the namespace, and when the tender exits stops the forwards and exits
   * with the tender's status (the provider then sees a failed instance). The forwards are
   * stopped by the pids {@code $!} recorded: {@code /bin/sh} is often dash, where
   * {@code $(jobs -p)} runs in a subshell that knows no jobs, so it left both socats running.
   * What runs inside the namespace is also killed by {@link #netnsPids}, whatever stopped.
   */
  static List<String> instance(String ns, int hostPort, Path socket, int guestPort, List<String> tender) {
    String script = String.join("\n",
        "ns=$1; port=$2; sock=$3; guest=$4; shift 4; tender=",
        "socat TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:$sock & fwd=$!",
        "ip netns exec \"$ns\" socat UNIX-LISTEN:$sock,fork,unlink-early TCP:$guest & inner=$!",
        "trap 'kill $fwd $inner $tender 2>/dev/null; exit 143' TERM INT",
        "ip netns exec \"$ns\" \"$@\" & tender=$!",
        "wait $tender",
        "status=$?",
        "kill $fwd $inner 2>/dev/null",
        "exit $status");
    List<String> c = new ArrayList<>(List.of("sh", "-c", script, "dustcloud-solo5", ns,
        Integer.toString(hostPort), socket.toString(), GUEST_IP + ":" + guestPort));
    c.addAll(tender);
    return c;
  }
}
