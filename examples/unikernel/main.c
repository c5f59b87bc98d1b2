/*
 * Boot: console, clock, the command line (multiboot's, i.e. QEMU's -append or the
 * bootloader's APPEND), the NIC, an address (given or by DHCP), then the main loop: drain
 * the NIC, run timers, halt until the next interrupt (the NIC's or the 100 Hz tick). An idle
 * guest thus costs its host almost nothing, which matters for fleets of TCG guests.
 */
#include "uk.h"

extern const char *opt_name, *opt_version;
extern int opt_broken;
extern uint64_t opt_cpu_ms, opt_max_connection_age_ms;

struct multiboot_info {
  uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};

static char cmdline[1024];

static void usage_and_stop(const char *arg) {
  klog("unikernel: invalid argument '%s'", arg);
  klog("usage: [--port=N] [--name=NAME] [--version=V] [--broken] [--cpu-ms=N] [--start-delay-ms=N]");
  klog("       [--max-connection-age-ms=N]   (keep-alive connections closed after N ms; 0: never; default 2000)");
  klog("       [--ipv4=A.B.C.D/PREFIX [--ipv4-gateway=A.B.C.D]]   (no --ipv4: DHCP)");
  panic("unikernel: bad boot arguments");
}

static int flag(const char *a, const char *name, const char **value) {
  size_t n = strlen(name);
  if (strncmp(a, name, n) != 0 || a[n] != '=') return 0;
  *value = a + n + 1;
  return 1;
}

void kmain(uint32_t magic, uint32_t info) {
  arch_init();
  if (magic == 0x2BADB002 && (((struct multiboot_info *)(uint64_t)info)->flags & 4)) {
    const char *c = (const char *)(uint64_t)((struct multiboot_info *)(uint64_t)info)->cmdline;
    size_t n = strlen(c);
    if (n >= sizeof cmdline) panic("unikernel: command line longer than %zu bytes", sizeof cmdline - 1);
    memcpy(cmdline, c, n + 1);
  }
  uint64_t port = 8080, delay_ms = 0, prefix = 0;
  uint32_t ip = 0, gw = 0;
  char *p = cmdline;
  for (int first = 1; *p; first = 0) {
    while (*p == ' ') p++;
    if (!*p) break;
    char *a = p;
    while (*p && *p != ' ') p++;
    if (*p) *p++ = '\0';
    const char *v;
    int bad = 0;
    /* QEMU and the bootloaders pass the kernel's file name first */
    if (first && a[0] != '-') continue;
    if (flag(a, "--port", &v)) bad = parse_u64(v, strlen(v), 65535, &port) || port == 0;
    else if (flag(a, "--name", &v)) bad = !*v, opt_name = v;
    else if (flag(a, "--version", &v)) bad = !*v, opt_version = v;
    else if (strcmp(a, "--broken") == 0) opt_broken = 1;
    else if (flag(a, "--cpu-ms", &v)) bad = parse_u64(v, strlen(v), 600000, &opt_cpu_ms);
    else if (flag(a, "--start-delay-ms", &v)) bad = parse_u64(v, strlen(v), 3600000, &delay_ms);
    else if (flag(a, "--max-connection-age-ms", &v)) bad = parse_u64(v, strlen(v), 86400000, &opt_max_connection_age_ms);
    else if (flag(a, "--ipv4", &v)) {
      size_t slash = 0;
      while (v[slash] && v[slash] != '/') slash++;
      bad = !v[slash] || parse_ipv4(v, slash, &ip) || parse_u64(v + slash + 1, strlen(v + slash + 1), 32, &prefix) ||
            prefix == 0 || ip == 0;
    } else if (flag(a, "--ipv4-gateway", &v)) bad = parse_ipv4(v, strlen(v), &gw);
    else bad = 1;
    if (bad) usage_and_stop(a);
  }
  if (gw && !ip) usage_and_stop("--ipv4-gateway without --ipv4");
  klog("%s %s: starting (start delay %lums)", opt_name, opt_version, delay_ms);

  if (vnet_init(net.mac) != 0) panic("unikernel: no virtio-net device (legacy or transitional, PCI 1af4:1000)");
  if (ip) {
    net.ip = ip;
    net.mask = (uint32_t)(0xFFFFFFFFull << (32 - prefix));
    net.gw = gw;
    klog("net: %u.%u.%u.%u/%lu gateway %u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, prefix,
         gw >> 24, (gw >> 16) & 255, (gw >> 8) & 255, gw & 255);
  } else {
    dhcp_start();
  }

  uint64_t listen_at = now_ms() + delay_ms;
  int listening = 0;
  for (;;) {
    while (vnet_poll()) {}
    uint64_t now = now_ms();
    net_timers(now);
    tcp_timers(now);
    if (!listening && now >= listen_at) {
      tcp_listen((uint16_t)port);
      listening = 1;
      klog("%s %s: listening on port %lu", opt_name, opt_version, port);
    }
    while (vnet_poll()) {}
    idle_wait();
  }
}
