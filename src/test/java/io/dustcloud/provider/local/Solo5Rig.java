package io.dustcloud.provider.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * A Solo5 host without Solo5: a stand-in tender, the real {@code socat}, and network namespaces
 * that are real where this host lets the test create one (the same probe {@code doctor} runs) or,
 * elsewhere, a stand-in {@code ip} that runs "inside the namespace" in the host's own network with
 * the guest on loopback (it rewrites 10.0.3.2 to 127.0.0.1 in what it runs) — the guest's 10.0.3.2
 * is only ever used inside a namespace made here.
 *
 * <p>The stand-in tender ({@code solo5-spt} and {@code solo5-hvt} on {@link #bin}) ignores the
 * tender's own arguments and is steered by files in the directory its {@code --ctl=DIR} boot
 * argument names: {@code listen} makes it serve HTTP on its {@code --listen=ADDR:PORT} boot
 * argument, {@code quiet} makes it stop listening, {@code exit} makes it exit with status 3.
 * Like a real tender, its guest (the listening socat) goes when it goes.
 */
final class Solo5Rig {
  /** Where programs the stand-ins need are found on any Debian-like host. */
  static final String SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  final Path bin;
  final boolean realNamespaces;
  final HostCommands host;
  final String guestIp;
  final String socat;

  private Solo5Rig(Path bin, boolean realNamespaces, String socat) {
    this.bin = bin;
    this.realNamespaces = realNamespaces;
    this.socat = socat;
    // only bin: no QEMU on this PATH, so a provider's capability probe runs no trial boot
    this.host = HostCommands.onPath(bin.toString());
    this.guestIp = realNamespaces ? Solo5CommandLines.GUEST_IP : "127.0.0.1";
  }

  /** The real socat, or empty: the instance script needs it (.ci/run installs it). */
  static Optional<Path> socat() {
    return HostCommands.onPath(SYSTEM_PATH).which("socat");
  }

  /** Whether this host lets this user create a namespace with a tap, tried as {@code doctor} tries it. */
  static boolean namespacesWork() {
    return HostCapabilities.netnsTap(HostCommands.onPath(SYSTEM_PATH)).yes();
  }

  /** A rig in {@code dir}, with real namespaces only if {@code real} (the caller has probed them). */
  static Solo5Rig create(Path dir, boolean real) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    HostCommands system = HostCommands.onPath(SYSTEM_PATH);
    String socat = socat().orElseThrow().toString();
    // programs by a one-line script, not a symlink (JUnit warns about links out of a temp dir)
    script(bin.resolve("socat"), "exec '" + socat + "' \"$@\"");
    script(bin.resolve("kill"), "exec '" + system.which("kill").orElseThrow() + "' \"$@\"");
    String ip;
    if (real) {
      ip = system.which("ip").orElseThrow().toString();
      script(bin.resolve("ip"), "exec '" + ip + "' \"$@\"");
    } else {
      // "inside the namespace" is here, where the guest's address is loopback: every argument naming
      // 10.0.3.2 is rewritten, so nothing is ever sent to it from the host's own network
      ip = script(bin.resolve("ip"),
          "# iproute2 for a host without namespaces: netns exec runs the command here; nothing else does anything",
          "if [ \"$1 $2\" = \"netns exec\" ]; then",
          "  shift 3; n=$#",
          "  for a; do set -- \"$@\" \"$(printf '%s' \"$a\" | '" + system.which("sed").orElseThrow() + "' 's/10[.]0[.]3[.]2/127.0.0.1/g')\"; done",
          "  shift $n; exec \"$@\"",
          "fi",
          "exit 0").toString();
    }
    Path tender = script(bin.resolve("solo5-spt"),
        "ctl=; listen=",
        "for a; do case $a in --ctl=*) ctl=${a#--ctl=};; --listen=*) listen=${a#--listen=};; esac; done",
        "addr=${listen%:*}; port=${listen##*:}",
        // the address of the guest, inside the namespace (never in the host's own network)
        "case $addr in 127.*) ;; *) '" + ip + "' addr add \"$addr/32\" dev lo || exit 9;; esac",
        "s=",
        "trap 'kill $s 2>/dev/null; exit 143' TERM INT",
        "while :; do",
        "  if [ -z \"$s\" ] && [ -e \"$ctl/listen\" ] && [ ! -e \"$ctl/quiet\" ]; then",
        "    '" + socat + "' TCP-LISTEN:\"$port\",bind=\"$addr\",reuseaddr,fork"
            + " SYSTEM:'echo HTTP/1.0 200 OK; echo; echo ok' & s=$!",
        "  fi",
        "  if [ -n \"$s\" ] && [ -e \"$ctl/quiet\" ]; then kill $s; s=; fi",
        "  if [ -e \"$ctl/exit\" ]; then kill $s 2>/dev/null; exit 3; fi",
        "  sleep 0.1",
        "done");
    Files.copy(tender, bin.resolve("solo5-hvt"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
    return new Solo5Rig(bin, real, socat);
  }

  /** The boot args that steer the stand-in tender through files in {@code ctl}, serving on {@code guestPort}. */
  List<String> bootArgs(Path ctl, int guestPort) {
    return List.of("--ctl=" + ctl, "--listen=" + guestIp + ":" + guestPort);
  }

  /** Whether the namespace {@code ns} still exists (always false with stand-in namespaces). */
  static boolean namespaceExists(String ns) {
    return Files.exists(Path.of("/run/netns", ns));
  }

  static Path script(Path path, String... lines) throws IOException {
    Files.writeString(path, "#!/bin/sh\n" + String.join("\n", lines) + "\n");
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    return path;
  }
}
