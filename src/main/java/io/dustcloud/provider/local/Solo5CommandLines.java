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
    c.addAll(addressArgs(GUEST_IP));
    c.addAll(bootArgs);
    return c;
  }

  /** The first boot arguments: the guest's address in the tap's /24 and the tap as its gateway. */
  static List<String> addressArgs(String guestIp) {
    return List.of("--ipv4=" + guestIp + "/24", "--ipv4-gateway=" + TAP_ADDRESS.substring(0, TAP_ADDRESS.indexOf('/')));
  }

  /**
   * One host process per instance, so the provider records one pid. Run by {@code /bin/sh},
   * which is dash on Debian: nothing here may need bash ({@code $(jobs -p)} runs in a subshell
   * under dash and knows no jobs, which once left both socats running), so every child is
   * stopped by the pid {@code $!} recorded when it started.
   *
   * <p>It starts the forward inside the namespace (unix socket to the guest) and the tender,
   * then opens the host-side forward (loopback port to the unix socket) only while the guest
   * accepts TCP: every half second it connects to the guest from inside the namespace, starts
   * the host listener when that works and stops it when it does not. A TCP health check on the
   * loopback port therefore reaches the guest: a socat that listened all along accepted every
   * connection, and a guest listening on nothing was Ready. Connections already forwarded are
   * left to finish (socat's connection children outlive their listener).
   *
   * <p>When the tender exits, or the script is sent SIGTERM/SIGINT, it stops the forwards, kills
   * whatever still runs in the namespace and deletes the namespace (the tap goes with it), then
   * exits with the tender's status (143 for a signal). What SIGKILL leaves behind the provider
   * removes ({@link Solo5Runtime#cleanUp}: every process carrying the instance's mark, the
   * namespace's pids, the namespace).
   *
   * @param guest the guest's {@code address:port} as seen inside the namespace
   * @param ip the {@code ip} (iproute2) program, and {@code socat} the socat program, by absolute path
   */
  static List<String> instance(String ns, int hostPort, Path socket, String guest, String ip, String socat,
      List<String> tender) {
    List<String> c = new ArrayList<>(List.of(SHELL, "-c", SCRIPT, "dustcloud-solo5", ns,
        Integer.toString(hostPort), socket.toString(), guest, ip, socat));
    c.addAll(tender);
    return c;
  }

  /** The POSIX shell the instance script runs under (dash on Debian, whatever {@code sh} is elsewhere). */
  static final String SHELL = "/bin/sh";

  /** How often the script checks that the guest accepts, in seconds (a {@code sleep} argument). */
  static final String GATE_INTERVAL = "0.5";

  static final String SCRIPT = String.join("\n",
      "ns=$1; port=$2; sock=$3; guest=$4; ip=$5; socat=$6; shift 6",
      "fwd=; inner=; tender=; nap=",
      "stop() {",
      "  kill $fwd $inner $tender $nap 2>/dev/null",
      "  for p in $(\"$ip\" netns pids \"$ns\" 2>/dev/null); do kill -KILL \"$p\" 2>/dev/null; done",
      "  \"$ip\" netns delete \"$ns\" 2>/dev/null",
      "}",
      "trap 'stop; exit 143' TERM INT",
      "\"$ip\" netns exec \"$ns\" \"$socat\" UNIX-LISTEN:\"$sock\",fork,unlink-early TCP:\"$guest\" & inner=$!",
      "\"$ip\" netns exec \"$ns\" \"$@\" & tender=$!",
      "while kill -0 \"$tender\" 2>/dev/null; do",
      "  if \"$ip\" netns exec \"$ns\" \"$socat\" -u OPEN:/dev/null TCP:\"$guest\",connect-timeout=1 2>/dev/null; then",
      // (re)started also when it died: a listener that could not bind, or was killed, is no gate
      "    if [ -z \"$fwd\" ] || ! kill -0 \"$fwd\" 2>/dev/null; then",
      "      \"$socat\" TCP-LISTEN:\"$port\",bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:\"$sock\" & fwd=$!",
      "    fi",
      "  elif [ -n \"$fwd\" ]; then",
      "    kill \"$fwd\" 2>/dev/null; fwd=",
      "  fi",
      // in the background, so a signal interrupts the wait at once instead of after the sleep
      "  sleep " + GATE_INTERVAL + " & nap=$!; wait $nap; nap=",
      "done",
      "wait \"$tender\"; status=$?",
      "stop",
      "exit $status");
}
