/*
 * Ethernet, ARP, IPv4, ICMP echo, UDP only for DHCP. Replies go to the MAC the request came
 * from, so the stack needs no ARP cache of its own: on QEMU's user network and on GCE every
 * peer is behind the one gateway anyway. Fragments and IP options are dropped.
 */
#include "uk.h"

#define ETH_IP 0x0800
#define ETH_ARP 0x0806
#define P_ICMP 1
#define P_TCP 6
#define P_UDP 17

struct netcfg net = {.mtu = 1500};
static const uint8_t broadcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
static uint16_t ip_id;

uint32_t csum_add(uint32_t sum, const void *data, size_t len) {
  const uint8_t *p = data;
  for (; len > 1; len -= 2, p += 2) sum += (uint32_t)(p[0] << 8 | p[1]);
  if (len) sum += (uint32_t)(p[0] << 8);
  return sum;
}

uint16_t csum_fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return (uint16_t)~sum;
}

static void eth_send(const uint8_t dst[6], uint16_t type, const void *payload, size_t len) {
  uint8_t f[1514];
  if (len > sizeof f - 14) return;
  memcpy(f, dst, 6);
  memcpy(f + 6, net.mac, 6);
  put16(f + 12, type);
  memcpy(f + 14, payload, len);
  size_t total = 14 + len < 60 ? 60 : 14 + len;
  if (total > 14 + len) memset(f + 14 + len, 0, total - 14 - len);
  vnet_send(f, total);
}

void ip_send(const uint8_t dst_mac[6], uint32_t dst, uint8_t proto, const void *payload, size_t len) {
  uint8_t p[1500];
  if (len > (size_t)net.mtu - 20) return;
  memset(p, 0, 20);
  p[0] = 0x45;
  put16(p + 2, (uint16_t)(20 + len));
  put16(p + 4, ip_id++);
  put16(p + 6, 0x4000); /* don't fragment */
  p[8] = 64;
  p[9] = proto;
  put32(p + 12, net.ip);
  put32(p + 16, dst);
  put16(p + 10, csum_fold(csum_add(0, p, 20)));
  memcpy(p + 20, payload, len);
  eth_send(dst_mac, ETH_IP, p, 20 + len);
}

static void arp_input(const uint8_t *a, size_t len) {
  if (len < 28 || be16(a) != 1 || be16(a + 2) != ETH_IP || a[4] != 6 || a[5] != 4) return;
  if (be16(a + 6) != 1 || net.ip == 0 || be32(a + 24) != net.ip) return;
  uint8_t r[28];
  memcpy(r, a, 6);
  put16(r + 6, 2);
  memcpy(r + 8, net.mac, 6);
  put32(r + 14, net.ip);
  memcpy(r + 18, a + 8, 10); /* their MAC and IP */
  eth_send(a + 8, ETH_ARP, r, 28);
}

static void icmp_input(const uint8_t *src_mac, uint32_t src, const uint8_t *m, size_t len) {
  if (len < 8 || m[0] != 8 || csum_fold(csum_add(0, m, len)) != 0) return;
  uint8_t r[1480];
  if (len > sizeof r) return;
  memcpy(r, m, len);
  r[0] = 0;
  put16(r + 2, 0);
  put16(r + 2, csum_fold(csum_add(0, r, len)));
  ip_send(src_mac, src, P_ICMP, r, len);
}

/* ---- DHCP: DISCOVER, OFFER, REQUEST, ACK; renewed at half the lease by a new REQUEST ---- */

enum { DHCP_OFF, DHCP_DISCOVER, DHCP_REQUEST, DHCP_BOUND };
static int dhcp_state;
static uint32_t dhcp_xid, dhcp_offer, dhcp_server;
static uint64_t dhcp_next, dhcp_renew_at, dhcp_backoff;

static void dhcp_send(int type) {
  uint8_t p[8 + 300];
  uint8_t *b = p + 8;
  memset(p, 0, sizeof p);
  b[0] = 1; /* BOOTREQUEST */
  b[1] = 1;
  b[2] = 6;
  put32(b + 4, dhcp_xid);
  put16(b + 10, 0x8000); /* answer by broadcast: we have no address yet */
  memcpy(b + 28, net.mac, 6);
  put32(b + 236, 0x63825363);
  uint8_t *o = b + 240;
  *o++ = 53, *o++ = 1, *o++ = (uint8_t)type;
  if (type == 3) {
    *o++ = 50, *o++ = 4, put32(o, dhcp_offer), o += 4;
    *o++ = 54, *o++ = 4, put32(o, dhcp_server), o += 4;
  }
  *o++ = 55, *o++ = 4, *o++ = 1, *o++ = 3, *o++ = 26, *o++ = 51; /* mask, router, MTU, lease */
  *o++ = 255;
  size_t ulen = 8 + 300;
  put16(p, 68);
  put16(p + 2, 67);
  put16(p + 4, (uint16_t)ulen);
  put16(p + 6, 0); /* UDP checksum is optional over IPv4 */
  uint32_t saved = net.ip;
  net.ip = 0; /* from 0.0.0.0 until bound */
  ip_send(broadcast, 0xFFFFFFFF, P_UDP, p, ulen);
  net.ip = saved;
}

void dhcp_start(void) {
  dhcp_state = DHCP_DISCOVER;
  dhcp_xid = (uint32_t)rdtsc() ^ be32(net.mac + 2);
  dhcp_backoff = 1000;
  dhcp_next = 0;
  klog("dhcp: no --ipv4 given, asking for an address");
}

static void dhcp_input(const uint8_t *b, size_t len) {
  if (len < 240 || b[0] != 2 || be32(b + 4) != dhcp_xid || be32(b + 236) != 0x63825363) return;
  if (memcmp(b + 28, net.mac, 6) != 0) return;
  int type = 0;
  uint32_t mask = 0, router = 0, server = 0, lease = 86400;
  uint16_t mtu = 0;
  for (size_t i = 240; i < len && b[i] != 255;) {
    if (b[i] == 0) {
      i++;
      continue;
    }
    if (i + 2 > len || i + 2 + b[i + 1] > len) break;
    const uint8_t *v = b + i + 2;
    uint8_t l = b[i + 1];
    if (b[i] == 53 && l >= 1) type = v[0];
    if (b[i] == 1 && l >= 4) mask = be32(v);
    if (b[i] == 3 && l >= 4) router = be32(v);
    if (b[i] == 54 && l >= 4) server = be32(v);
    if (b[i] == 51 && l >= 4) lease = be32(v);
    if (b[i] == 26 && l >= 2) mtu = be16(v);
    i += 2u + l;
  }
  uint32_t yiaddr = be32(b + 16);
  if (type == 2 && dhcp_state == DHCP_DISCOVER) {
    dhcp_offer = yiaddr;
    dhcp_server = server;
    dhcp_state = DHCP_REQUEST;
    dhcp_send(3);
    dhcp_next = now_ms() + dhcp_backoff;
  } else if (type == 5 && dhcp_state == DHCP_REQUEST) {
    int first = net.ip == 0;
    net.ip = yiaddr;
    net.mask = mask ? mask : 0xFFFFFF00;
    net.gw = router;
    if (mtu >= 576 && mtu <= 1500) net.mtu = mtu;
    if (lease < 60) lease = 60;
    dhcp_state = DHCP_BOUND;
    dhcp_renew_at = now_ms() + (uint64_t)lease * 500;
    if (first)
      klog("dhcp: bound to %u.%u.%u.%u/%u.%u.%u.%u gateway %u.%u.%u.%u mtu %u lease %us", yiaddr >> 24,
           (yiaddr >> 16) & 255, (yiaddr >> 8) & 255, yiaddr & 255, net.mask >> 24, (net.mask >> 16) & 255,
           (net.mask >> 8) & 255, net.mask & 255, router >> 24, (router >> 16) & 255, (router >> 8) & 255,
           router & 255, net.mtu, lease);
  } else if (type == 6) {
    klog("dhcp: NAK, starting over");
    net.ip = 0;
    dhcp_start();
  }
}

void net_timers(uint64_t now) {
  if (dhcp_state == DHCP_BOUND && now >= dhcp_renew_at) {
    /* renew: keep the address while asking again */
    dhcp_offer = net.ip;
    dhcp_state = DHCP_REQUEST;
    dhcp_backoff = 1000;
    dhcp_next = 0;
  }
  if ((dhcp_state == DHCP_DISCOVER || dhcp_state == DHCP_REQUEST) && now >= dhcp_next) {
    dhcp_send(dhcp_state == DHCP_DISCOVER ? 1 : 3);
    dhcp_next = now + dhcp_backoff;
    if (dhcp_backoff < 8000) dhcp_backoff *= 2;
  }
}

static void ip_input(const uint8_t *src_mac, const uint8_t *p, size_t len) {
  if (len < 20 || (p[0] >> 4) != 4) return;
  size_t ihl = (size_t)(p[0] & 15) * 4, total = be16(p + 2);
  if (ihl < 20 || total < ihl || total > len) return;
  if (csum_fold(csum_add(0, p, ihl)) != 0) return;
  if (be16(p + 6) & 0x3FFF) return; /* a fragment */
  uint32_t src = be32(p + 12), dst = be32(p + 16);
  const uint8_t *payload = p + ihl;
  size_t plen = total - ihl;
  if (p[9] == P_UDP && plen >= 8 && be16(payload + 2) == 68 && dhcp_state != DHCP_OFF) {
    dhcp_input(payload + 8, plen - 8);
    return;
  }
  if (net.ip == 0 || dst != net.ip) return;
  if (p[9] == P_ICMP) icmp_input(src_mac, src, payload, plen);
  else if (p[9] == P_TCP) tcp_input(src_mac, src, payload, plen);
}

void eth_input(uint8_t *f, size_t len) {
  if (len < 14) return;
  if (memcmp(f, net.mac, 6) != 0 && memcmp(f, broadcast, 6) != 0) return;
  uint16_t type = be16(f + 12);
  if (type == ETH_ARP) arp_input(f + 14, len - 14);
  else if (type == ETH_IP) ip_input(f + 6, f + 14, len - 14);
}
