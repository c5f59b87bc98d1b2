package io.dustcloud.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The QEMU and Solo5 command lines as values: what would run, without QEMU or Solo5. */
class VmCommandLinesTest {
  private static final Path LOG = Path.of("/state/instances/r1-abc.log");

  @Test
  void linuxImagesBootOnMicrovmWithPortForwardAndBootArgsAfterTheSeparator() {
    VmImage linux = new VmImage(VmImage.Kind.LINUX, Path.of("/img/kernel"), Path.of("/img/initrd"));
    QemuCommandLine c = new QemuCommandLine("/usr/bin/qemu-system-x86_64", "r1-abc", linux, "tcg", 192, 2,
        2445432, 24001, 8080, List.of("--version=v2", "--name=x"), LOG);

    String line = String.join(" ", c.toList());
    assertThat(c.toList()).startsWith("/usr/bin/qemu-system-x86_64", "-name", "r1-abc", "-M", "microvm",
        "-accel", "tcg", "-cpu", "max", "-m", "192m", "-smp", "2");
    assertThat(line)
        .contains("-kernel /img/kernel -initrd /img/initrd")
        .contains("-netdev user,id=n0,hostfwd=tcp:127.0.0.1:24001-:8080 -device virtio-net-device,netdev=n0")
        .contains("-chardev file,id=console,path=" + LOG + ",append=on -serial chardev:console")
        .contains("-nodefaults -no-user-config -display none")
        .endsWith("-no-reboot")
        .doesNotContain("-daemonize");
    assertThat(c.kernelCommandLine()).isEqualTo(
        "console=ttyS0 quiet panic=-1 tsc_early_khz=2445432 tsc=reliable PORT=8080 -- --version=v2 --name=x");
  }

  @Test
  void multibootImagesBootOnPcWithTheirArgsVerbatimAndKvmUsesTheHostCpu() {
    VmImage mb = new VmImage(VmImage.Kind.MULTIBOOT, Path.of("/img/hello.virtio"), null);
    QemuCommandLine c = new QemuCommandLine("qemu", "i", mb, "kvm", 64, 1, 0, 24002, 80,
        List.of("--ipv4=10.0.2.15/24"), LOG);

    assertThat(c.toList()).containsSequence("-M", "pc,acpi=off").containsSequence("-accel", "kvm", "-cpu", "host")
        .contains("virtio-net-pci,netdev=n0").doesNotContain("-initrd");
    assertThat(c.kernelCommandLine()).isEqualTo("--ipv4=10.0.2.15/24");
  }

  @Test
  void shapeComesFromSettingsWithDefaults() {
    assertThat(VmShape.of(LocalSettings.DEFAULT)).isEqualTo(new VmShape(128, 1));
    assertThat(VmShape.of(new LocalSettings(null, 256, 2))).isEqualTo(new VmShape(256, 2));
    assertThat(VmShape.of(new LocalSettings(null, -1, 0))).isEqualTo(new VmShape(128, 1));
  }

  @Test
  void solo5InstancesGetANamespaceWithATapAndForwardsThroughAUnixSocket() {
    String ns = Solo5CommandLines.namespace("hello-5d8f7c-1a2b3c4d");
    assertThat(ns).isEqualTo("dc-hello-5d8f7c-1a2b3c4d");
    assertThat(Solo5Runtime.setup(ns)).containsExactly(
        List.of("ip", "netns", "add", ns),
        List.of("ip", "netns", "exec", ns, "ip", "tuntap", "add", "dev", "tap0", "mode", "tap"),
        List.of("ip", "netns", "exec", ns, "ip", "addr", "add", "10.0.3.1/24", "dev", "tap0"),
        List.of("ip", "netns", "exec", ns, "ip", "link", "set", "tap0", "up"),
        List.of("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"));
    assertThat(Solo5CommandLines.netnsDelete(ns)).containsExactly("ip", "netns", "delete", ns);

    List<String> tender = Solo5CommandLines.tender("solo5-hvt", 64, Path.of("/a/hello.hvt"), List.of("--port=8080"));
    assertThat(tender).containsExactly("solo5-hvt", "--mem=64", "--net:service=tap0", "/a/hello.hvt",
        "--ipv4=10.0.3.2/24", "--ipv4-gateway=10.0.3.1", "--port=8080");

    List<String> instance = Solo5CommandLines.instance(ns, 24003, Path.of("/s/i.sock"), "10.0.3.2:8080",
        "/sbin/ip", "/usr/bin/socat", tender);
    assertThat(instance.subList(0, 2)).as("a POSIX shell by path, not whatever sh the PATH finds")
        .containsExactly("/bin/sh", "-c");
    assertThat(instance.subList(3, 10)).containsExactly("dustcloud-solo5", ns, "24003", "/s/i.sock", "10.0.3.2:8080",
        "/sbin/ip", "/usr/bin/socat");
    assertThat(instance.subList(10, instance.size())).isEqualTo(tender);
    assertThat(instance.get(2))
        .contains("\"$socat\" TCP-LISTEN:\"$port\",bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:\"$sock\"")
        .contains("\"$ip\" netns exec \"$ns\" \"$socat\" UNIX-LISTEN:\"$sock\",fork,unlink-early TCP:\"$guest\"")
        .contains("\"$ip\" netns exec \"$ns\" \"$@\"")
        .as("the host listener opens only after a connect to the guest, from inside the namespace, worked")
        .contains("\"$ip\" netns exec \"$ns\" \"$socat\" -u OPEN:/dev/null TCP:\"$guest\"")
        .as("no bash-only construct: /bin/sh is dash on Debian")
        .doesNotContain("jobs").doesNotContain("[[").doesNotContain("function ")
        .contains("trap");
  }

  @Test
  void namespaceNamesStayShortAndClean() {
    assertThat(Solo5CommandLines.namespace("a.very_long/instance-" + "x".repeat(60)))
        .startsWith("dc-").hasSizeLessThanOrEqualTo(43).matches("[A-Za-z0-9-]+");
  }
}
