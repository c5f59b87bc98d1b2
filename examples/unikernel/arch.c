/*
 * The machine: COM1 console, the IDT, the legacy PICs, the PIT (a 100 Hz tick that only wakes
 * hlt) and a TSC calibrated once against the PIT, which is the clock everything reads.
 * One CPU, interrupts on only while halted or burning CPU on purpose.
 */
#include "uk.h"

#define COM1 0x3F8
#define TICK_HZ 100
#define PIT_HZ 1193182u

struct frame {
  uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax, vector, error, rip, cs, rflags, rsp, ss;
};

struct idt_entry {
  uint16_t off_lo, sel;
  uint8_t ist, type;
  uint16_t off_mid;
  uint32_t off_hi, zero;
} __attribute__((packed));

extern const uint64_t isr_table[48];
static struct idt_entry idt[48];
static void (*irq_handlers[16])(void);
static uint64_t tsc_boot, tsc_per_ms = 1000000, idle_cycles;

static void serial_init(void) {
  outb(COM1 + 1, 0x00); /* no UART interrupts: we poll */
  outb(COM1 + 3, 0x80); /* DLAB */
  outb(COM1 + 0, 0x01); /* 115200 baud */
  outb(COM1 + 1, 0x00);
  outb(COM1 + 3, 0x03); /* 8N1 */
  outb(COM1 + 2, 0xC7); /* FIFO on */
  outb(COM1 + 4, 0x03);
}

void console_write(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    /* bounded wait: a missing UART must not hang the guest */
    for (int spin = 0; spin < 100000 && !(inb(COM1 + 5) & 0x20); spin++) {}
    outb(COM1, (uint8_t)s[i]);
  }
}

static void vklog(const char *f, va_list ap) {
  char line[256];
  int n = vfmt(line, sizeof line - 1, f, ap);
  if (n > (int)sizeof line - 2) n = sizeof line - 2;
  line[n++] = '\n';
  console_write(line, (size_t)n);
}

void klog(const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  vklog(f, ap);
  va_end(ap);
}

/*
 * Stops the machine in a way its host sees: a triple fault resets the CPU, and QEMU run with
 * -no-reboot exits on a reset, so a bad boot argument ends the instance like a process exit.
 */
NORETURN void panic(const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  vklog(f, ap);
  va_end(ap);
  klog("unikernel: stopping");
  struct {
    uint16_t limit;
    uint64_t base;
  } __attribute__((packed)) none = {0, 0};
  __asm__ volatile("cli; lidt %0; int3" ::"m"(none));
  for (;;) __asm__ volatile("hlt");
}

static void pic_eoi(int irq) {
  if (irq >= 8) outb(0xA0, 0x20);
  outb(0x20, 0x20);
}

void isr_dispatch(struct frame *fr) {
  uint64_t v = fr->vector;
  if (v < 32) {
    klog("unikernel: exception %lu error %lx at rip %lx", v, fr->error, fr->rip);
    panic("unikernel: cannot continue after a CPU exception");
  }
  int irq = (int)v - 32;
  if (irq == 7 || irq == 15) {
    /* spurious: the PIC's in-service bit says whether it was real */
    uint16_t port = irq == 7 ? 0x20 : 0xA0;
    outb(port, 0x0B);
    if (!(inb(port) & 0x80)) {
      if (irq == 15) outb(0x20, 0x20);
      return;
    }
  }
  if (irq_handlers[irq]) irq_handlers[irq]();
  pic_eoi(irq);
}

static void idt_init(void) {
  for (int i = 0; i < 48; i++) {
    uint64_t a = isr_table[i];
    idt[i] = (struct idt_entry){(uint16_t)a, 0x08, 0, 0x8E, (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0};
  }
  struct {
    uint16_t limit;
    uint64_t base;
  } __attribute__((packed)) ptr = {sizeof idt - 1, (uint64_t)idt};
  __asm__ volatile("lidt %0" ::"m"(ptr));
}

static uint8_t pic_mask[2] = {0xFF, 0xFF};

static void pic_init(void) {
  outb(0x20, 0x11);
  outb(0xA0, 0x11);
  outb(0x21, 32);
  outb(0xA1, 40);
  outb(0x21, 4);
  outb(0xA1, 2);
  outb(0x21, 1);
  outb(0xA1, 1);
  outb(0x21, pic_mask[0]);
  outb(0xA1, pic_mask[1]);
}

void irq_enable_line(int line, void (*handler)(void)) {
  irq_handlers[line] = handler;
  if (line >= 8) {
    pic_mask[1] &= (uint8_t)~(1u << (line - 8));
    pic_mask[0] &= (uint8_t)~(1u << 2); /* cascade */
  } else {
    pic_mask[0] &= (uint8_t)~(1u << line);
  }
  outb(0x21, pic_mask[0]);
  outb(0xA1, pic_mask[1]);
}

/* 10 ms of PIT channel 2 against the TSC (the way Linux does it); no interrupts needed. */
static void tsc_calibrate(void) {
  const uint32_t latch = PIT_HZ / 100;
  outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01));
  outb(0x43, 0xB0);
  outb(0x42, (uint8_t)latch);
  outb(0x42, (uint8_t)(latch >> 8));
  uint64_t t0 = rdtsc();
  uint64_t spins = 0;
  while (!(inb(0x61) & 0x20) && ++spins < 50000000) {}
  uint64_t t1 = rdtsc();
  if (spins < 50000000 && t1 - t0 > 10000) tsc_per_ms = (t1 - t0) / 10;
}

static void tick(void) {}

/*
 * The PICs reach the CPU through the local APIC's LINT0 in "virtual wire" mode. SeaBIOS sets
 * that up; a minimal firmware (qboot) does not, and then no interrupt ever arrives: do it here.
 */
static void lapic_virtual_wire(void) {
  uint32_t lo, hi;
  __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x1B));
  if (!(lo & (1u << 11))) return; /* APIC globally disabled: the PIC is wired straight in */
  volatile uint32_t *apic = (volatile uint32_t *)(uint64_t)(lo & 0xFFFFF000u);
  apic[0xF0 / 4] = 0x100 | 47;  /* software-enable; spurious vector 47 (handled as IRQ 15) */
  apic[0x350 / 4] = 0x700;      /* LINT0: ExtINT */
  apic[0x360 / 4] = 0x400;      /* LINT1: NMI */
}

void arch_init(void) {
  serial_init();
  idt_init();
  lapic_virtual_wire();
  pic_init();
  tsc_calibrate();
  tsc_boot = rdtsc();
  klog("clock: TSC at %lu kHz (calibrated against the PIT)", tsc_per_ms);
  uint32_t div = PIT_HZ / TICK_HZ;
  outb(0x43, 0x34); /* channel 0, rate generator */
  outb(0x40, (uint8_t)div);
  outb(0x40, (uint8_t)(div >> 8));
  irq_enable_line(0, tick);
}

uint64_t now_ms(void) { return (rdtsc() - tsc_boot) / tsc_per_ms; }

uint64_t busy_us(void) { return (rdtsc() - tsc_boot - idle_cycles) * 1000 / tsc_per_ms; }

void idle_wait(void) {
  uint64_t t0 = rdtsc();
  __asm__ volatile("sti; hlt; cli" ::: "memory");
  idle_cycles += rdtsc() - t0;
}

void cpu_burn_ms(uint64_t ms) {
  uint64_t end = rdtsc() + ms * tsc_per_ms;
  while (rdtsc() < end) __asm__ volatile("pause");
}

static uint32_t pci_addr(int bus, int dev, int fn, int off) {
  return 0x80000000u | (uint32_t)bus << 16 | (uint32_t)dev << 11 | (uint32_t)fn << 8 | (uint32_t)(off & 0xFC);
}

uint32_t pci_read32(int bus, int dev, int fn, int off) {
  outl(0xCF8, pci_addr(bus, dev, fn, off));
  return inl(0xCFC);
}

void pci_write32(int bus, int dev, int fn, int off, uint32_t v) {
  outl(0xCF8, pci_addr(bus, dev, fn, off));
  outl(0xCFC, v);
}
