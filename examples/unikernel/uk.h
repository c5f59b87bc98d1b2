/*
 * The unikernel's one header: freestanding C (only the compiler's own stdint/stddef/stdarg),
 * one CPU, no threads, no heap. Everything runs from the main loop in main.c; the only
 * interrupt handlers acknowledge the timer and the NIC so that hlt wakes up.
 */
#ifndef UK_H
#define UK_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define NORETURN __attribute__((noreturn))

/* lib.c */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
int strncasecmp(const char *a, const char *b, size_t n);
int vfmt(char *buf, size_t n, const char *f, va_list ap);
int fmt(char *buf, size_t n, const char *f, ...) __attribute__((format(printf, 3, 4)));
int parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out);
int parse_ipv4(const char *s, size_t len, uint32_t *out);

/* arch.c: port I/O, serial console, interrupts, clock */
static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0,%1" ::"a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { __asm__ volatile("outw %0,%1" ::"a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0,%1" ::"a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1,%0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint16_t inw(uint16_t p) { uint16_t v; __asm__ volatile("inw %1,%0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1,%0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint64_t rdtsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }
#define barrier() __asm__ volatile("" ::: "memory")

void arch_init(void);
void console_write(const char *s, size_t n);
void klog(const char *f, ...) __attribute__((format(printf, 1, 2)));
NORETURN void panic(const char *f, ...) __attribute__((format(printf, 1, 2)));
void irq_enable_line(int line, void (*handler)(void));
uint64_t now_ms(void);          /* since boot, from the TSC */
uint64_t busy_us(void);         /* TSC cycles not spent in hlt, as microseconds */
void idle_wait(void);           /* sti; hlt — until the next interrupt */
void cpu_burn_ms(uint64_t ms);
uint32_t pci_read32(int bus, int dev, int fn, int off);
void pci_write32(int bus, int dev, int fn, int off, uint32_t v);

/* virtio_net.c */
int vnet_init(uint8_t mac[6]);
int vnet_poll(void);             /* delivers received frames to eth_input; returns how many */
void vnet_send(const void *frame, size_t len);

/* net.c: Ethernet, ARP, IPv4, ICMP, UDP, DHCP */
struct netcfg {
  uint8_t mac[6];
  uint32_t ip, mask, gw;   /* host byte order; ip 0 until configured */
  uint16_t mtu;
};
extern struct netcfg net;
void eth_input(uint8_t *frame, size_t len);
void ip_send(const uint8_t dst_mac[6], uint32_t dst, uint8_t proto, const void *payload, size_t len);
uint16_t csum_fold(uint32_t sum);
uint32_t csum_add(uint32_t sum, const void *data, size_t len);
void dhcp_start(void);
void net_timers(uint64_t now);

/* tcp.c */
#define TCP_RBUF 4096
#define TCP_SBUF 8192
struct tcb;
void tcp_input(const uint8_t src_mac[6], uint32_t src, const uint8_t *seg, size_t len);
void tcp_timers(uint64_t now);
void tcp_listen(uint16_t port);
int tcp_count(void);
/* the application's view of a connection */
size_t tcp_rx(struct tcb *t, const uint8_t **data);   /* bytes received and not consumed */
void tcp_consume(struct tcb *t, size_t n);
size_t tcp_tx_room(struct tcb *t);
void tcp_write(struct tcb *t, const void *data, size_t n);
void tcp_close(struct tcb *t);
int tcp_peer_closed(struct tcb *t);
/* how long ago the connection was opened */
uint64_t tcp_age_ms(struct tcb *t);

/* http.c: called by tcp.c whenever a connection has news */
void http_on_data(struct tcb *t);

static inline uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v; }
#endif
