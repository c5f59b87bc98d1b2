/*
 * PID 1 of the example's microVM image (see build-vm-image.sh): loads the virtio network
 * modules, configures the network QEMU's user networking expects, then becomes the app.
 *
 * Linux hands init the kernel command line's words after "--" as argv and unknown
 * "key=value" words as environment, so boot args reach the app unchanged and the provider
 * can pass PORT=… before the "--".
 *
 * Static (musl) and dependency-free: the initramfs holds nothing else but the modules.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Dependency order: each module needs symbols of the ones before it (else ENOENT). */
static const char *MODULES[] = {"virtio_ring", "virtio", "virtio_mmio", "failover", "net_failover",
                                "virtio_net", "virtio_pci_modern_dev", "virtio_pci_legacy_dev",
                                "virtio_pci"};

#define GUEST_IP "10.0.2.15"
#define NETMASK "255.255.255.0"
#define GATEWAY "10.0.2.2"

static void fail(const char *what) {
  fprintf(stderr, "init: %s: %s\n", what, strerror(errno));
  /* PID 1 exiting panics the kernel; with panic=-1 and -no-reboot QEMU then exits, which
     the provider sees as a failed instance. */
  reboot(RB_POWER_OFF);
  _exit(1);
}

static void load_module(const char *name) {
  char path[128];
  snprintf(path, sizeof path, "/modules/%s.ko", name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return; /* built into this kernel, or not needed (pci on microvm) */
    fail(path);
  }
  if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST) {
    /* a PCI helper module on a kernel without PCI support is not fatal: microvm uses mmio */
    fprintf(stderr, "init: loading %s: %s\n", name, strerror(errno));
  }
  close(fd);
}

static void set_addr(int s, const char *ifname, unsigned long req, const char *ip) {
  struct ifreq ifr = {0};
  strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  struct sockaddr_in *sa = (struct sockaddr_in *)&ifr.ifr_addr;
  sa->sin_family = AF_INET;
  inet_pton(AF_INET, ip, &sa->sin_addr);
  if (ioctl(s, req, &ifr) != 0) fail("set address");
}

static void link_up(int s, const char *ifname) {
  struct ifreq ifr = {0};
  strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) fail(ifname);
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) fail(ifname);
}

static void network(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) fail("socket");
  link_up(s, "lo");
  set_addr(s, "eth0", SIOCSIFADDR, GUEST_IP);
  set_addr(s, "eth0", SIOCSIFNETMASK, NETMASK);
  link_up(s, "eth0");
  struct rtentry rt = {0};
  struct sockaddr_in *gw = (struct sockaddr_in *)&rt.rt_gateway;
  gw->sin_family = AF_INET;
  inet_pton(AF_INET, GATEWAY, &gw->sin_addr);
  ((struct sockaddr_in *)&rt.rt_dst)->sin_family = AF_INET;
  ((struct sockaddr_in *)&rt.rt_genmask)->sin_family = AF_INET;
  rt.rt_flags = RTF_UP | RTF_GATEWAY;
  if (ioctl(s, SIOCADDRT, &rt) != 0 && errno != EEXIST) fail("default route");
  close(s);
}

int main(int argc, char **argv) {
  (void)argc;
  /* /proc for the app's own use (e.g. /proc/self); failure is harmless */
  mkdir("/proc", 0555);
  mount("proc", "/proc", "proc", 0, NULL);
  for (size_t i = 0; i < sizeof MODULES / sizeof *MODULES; i++) load_module(MODULES[i]);
  network();
  /* the app binds loopback by default; inside the guest it must take QEMU's forwarded traffic */
  setenv("LISTEN_ADDR", "0.0.0.0", 0);
  fprintf(stderr, "init: network %s/24 via %s up, starting /hello\n", GUEST_IP, GATEWAY);
  argv[0] = "/hello";
  execv("/hello", argv);
  fail("exec /hello");
  return 1;
}
