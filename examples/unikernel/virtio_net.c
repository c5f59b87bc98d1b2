/*
 * virtio-net through the legacy interface (an I/O BAR), which QEMU's virtio-net-pci and GCE's
 * transitional device both offer. No feature but the MAC is negotiated, so every frame has a
 * 10-byte header, kept in its own descriptor as legacy devices without ANY_LAYOUT expect.
 * Receive buffers are re-posted as soon as eth_input returns; transmit buffers are copied
 * into and reclaimed lazily. The device interrupts only for received frames.
 */
#include "uk.h"

#define VIRTIO_VENDOR 0x1AF4
#define VIRTIO_NET_LEGACY 0x1000
#define R_DEV_FEATURES 0
#define R_GUEST_FEATURES 4
#define R_QUEUE_PFN 8
#define R_QUEUE_SIZE 12
#define R_QUEUE_SEL 14
#define R_QUEUE_NOTIFY 16
#define R_STATUS 18
#define R_ISR 19
#define R_MAC 20
#define F_MAC (1u << 5)
#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FAILED 128
#define D_NEXT 1
#define D_WRITE 2
#define NO_INTERRUPT 1
#define HDR 10
#define BUF 2048
#define MAX_BUFS 128

struct desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags, next;
};

struct vq {
  uint16_t size, last_used, nbufs;
  struct desc *desc;
  volatile uint16_t *avail; /* flags, idx, ring[size] */
  volatile uint8_t *used;   /* flags, idx, ring[size] of {u32 id, u32 len} */
  uint8_t *hdr;             /* nbufs * HDR */
  uint8_t *buf;             /* nbufs * BUF */
  uint16_t free[MAX_BUFS];
  uint16_t nfree;
};

/* rings and buffers: legacy queues must be page-aligned and sized by the device */
static uint8_t pool[2 * 131072 + 2 * MAX_BUFS * (BUF + 16)] __attribute__((aligned(4096)));
static size_t pool_used;
static struct vq rx, tx;
static uint16_t io;

static void *alloc(size_t n, size_t align) {
  pool_used = (pool_used + align - 1) & ~(align - 1);
  if (pool_used + n > sizeof pool) panic("virtio-net: out of ring memory");
  void *p = pool + pool_used;
  pool_used += n;
  return p;
}

static size_t align_up(size_t v, size_t a) { return (v + a - 1) & ~(a - 1); }

static void vq_setup(struct vq *q, uint16_t index) {
  outw(io + R_QUEUE_SEL, index);
  uint16_t size = inw(io + R_QUEUE_SIZE);
  if (size == 0 || size > 4096 || (size & (size - 1))) panic("virtio-net: queue %u has size %u", index, size);
  size_t avail_end = 16u * size + 6u + 2u * size;
  size_t bytes = align_up(avail_end, 4096) + align_up(6u + 8u * size, 4096);
  uint8_t *mem = alloc(bytes, 4096);
  memset(mem, 0, bytes);
  q->size = size;
  q->desc = (struct desc *)mem;
  q->avail = (volatile uint16_t *)(mem + 16u * size);
  q->used = mem + align_up(avail_end, 4096);
  q->nbufs = size / 2 < MAX_BUFS ? size / 2 : MAX_BUFS;
  q->hdr = alloc((size_t)q->nbufs * HDR, 16);
  q->buf = alloc((size_t)q->nbufs * BUF, 16);
  for (uint16_t i = 0; i < q->nbufs; i++) {
    struct desc *h = &q->desc[2 * i], *b = &q->desc[2 * i + 1];
    h->addr = (uint64_t)(q->hdr + i * HDR);
    h->len = HDR;
    h->flags = D_NEXT;
    h->next = (uint16_t)(2 * i + 1);
    b->addr = (uint64_t)(q->buf + (size_t)i * BUF);
    b->len = BUF;
    b->flags = 0;
    q->free[i] = i;
  }
  q->nfree = q->nbufs;
  outl(io + R_QUEUE_PFN, (uint32_t)((uint64_t)mem >> 12));
}

static void vq_post(struct vq *q, uint16_t buf) {
  uint16_t idx = q->avail[1];
  q->avail[2 + idx % q->size] = (uint16_t)(2 * buf);
  barrier();
  q->avail[1] = (uint16_t)(idx + 1);
}

static int vq_used(struct vq *q, uint16_t *buf, uint32_t *len) {
  volatile uint16_t *u16 = (volatile uint16_t *)q->used;
  if (u16[1] == q->last_used) return 0;
  barrier();
  volatile uint32_t *e = (volatile uint32_t *)(q->used + 4 + 8u * (q->last_used % q->size));
  *buf = (uint16_t)(e[0] / 2);
  *len = e[1];
  q->last_used++;
  return 1;
}

static void notify(uint16_t queue) {
  __sync_synchronize();
  outw(io + R_QUEUE_NOTIFY, queue);
}

/* Level-triggered INTx: reading the ISR register lowers the line before the PIC's EOI. */
static void vnet_irq(void) { (void)inb(io + R_ISR); }

int vnet_init(uint8_t mac[6]) {
  int found = 0, bus = 0, dev = 0;
  for (bus = 0; bus < 8 && !found; bus++)
    for (dev = 0; dev < 32 && !found; dev++) {
      uint32_t id = pci_read32(bus, dev, 0, 0);
      if ((id & 0xFFFF) == VIRTIO_VENDOR && (id >> 16) == VIRTIO_NET_LEGACY) found = 1;
    }
  if (!found) return -1;
  bus--, dev--;
  uint32_t bar0 = pci_read32(bus, dev, 0, 0x10);
  if (!(bar0 & 1)) panic("virtio-net: BAR0 is not an I/O BAR (a modern-only device?)");
  if ((bar0 & ~3u) == 0) {
    /* a minimal firmware (qboot) may leave the BAR unassigned: the legacy I/O window is ours */
    pci_write32(bus, dev, 0, 0x10, 0xC000);
    bar0 = pci_read32(bus, dev, 0, 0x10);
  }
  io = (uint16_t)(bar0 & ~3u);
  uint32_t cmd = pci_read32(bus, dev, 0, 0x04);
  pci_write32(bus, dev, 0, 0x04, (cmd & 0xFFFF) | 0x05); /* I/O space, bus master */
  uint8_t line = (uint8_t)pci_read32(bus, dev, 0, 0x3C);

  outb(io + R_STATUS, 0);
  outb(io + R_STATUS, S_ACK);
  outb(io + R_STATUS, S_ACK | S_DRIVER);
  uint32_t features = inl(io + R_DEV_FEATURES);
  outl(io + R_GUEST_FEATURES, features & F_MAC);
  vq_setup(&rx, 0);
  vq_setup(&tx, 1);
  tx.avail[0] = NO_INTERRUPT;
  for (uint16_t i = 0; i < rx.nbufs; i++) {
    rx.desc[2 * i + 1].flags = D_WRITE;
    rx.desc[2 * i].flags = D_NEXT | D_WRITE;
    vq_post(&rx, i);
  }
  rx.nfree = 0;
  for (int i = 0; i < 6; i++) mac[i] = (features & F_MAC) ? inb(io + R_MAC + i) : (uint8_t)(i == 0 ? 0x02 : i);
  outb(io + R_STATUS, S_ACK | S_DRIVER | S_DRIVER_OK);
  if (inb(io + R_STATUS) & S_FAILED) panic("virtio-net: the device refused the driver");
  notify(0);
  if (line > 0 && line < 16) irq_enable_line(line, vnet_irq);
  klog("virtio-net: %02x:%02x:%02x:%02x:%02x:%02x at pci %d:%d io 0x%x irq %u queues %u/%u", mac[0], mac[1],
       mac[2], mac[3], mac[4], mac[5], bus, dev, io, line, rx.size, tx.size);
  return 0;
}

static void tx_reclaim(void) {
  uint16_t b;
  uint32_t len;
  while (vq_used(&tx, &b, &len)) tx.free[tx.nfree++] = b;
}

int vnet_poll(void) {
  int n = 0;
  uint16_t b;
  uint32_t len;
  tx_reclaim();
  while (vq_used(&rx, &b, &len)) {
    if (len > HDR && b < rx.nbufs) eth_input(rx.buf + (size_t)b * BUF, len - HDR);
    vq_post(&rx, b);
    n++;
  }
  if (n) notify(0);
  return n;
}

void vnet_send(const void *frame, size_t len) {
  if (len > BUF) return;
  if (tx.nfree == 0) tx_reclaim();
  /* the device always completes transmits; spinning briefly beats dropping */
  for (int spin = 0; tx.nfree == 0 && spin < 1000000; spin++) tx_reclaim();
  if (tx.nfree == 0) return;
  uint16_t b = tx.free[--tx.nfree];
  memset(tx.hdr + b * HDR, 0, HDR);
  memcpy(tx.buf + (size_t)b * BUF, frame, len);
  tx.desc[2 * b + 1].len = (uint32_t)len;
  vq_post(&tx, b);
  notify(1);
}
