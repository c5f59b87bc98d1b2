/* The few C library functions the unikernel needs (gcc may call the mem* ones on its own). */
#include "uk.h"

void *memcpy(void *d, const void *s, size_t n) {
  uint8_t *dp = d;
  const uint8_t *sp = s;
  while (n--) *dp++ = *sp++;
  return d;
}

void *memmove(void *d, const void *s, size_t n) {
  uint8_t *dp = d;
  const uint8_t *sp = s;
  if (dp < sp) {
    while (n--) *dp++ = *sp++;
  } else {
    while (n--) dp[n] = sp[n];
  }
  return d;
}

void *memset(void *d, int c, size_t n) {
  uint8_t *dp = d;
  while (n--) *dp++ = (uint8_t)c;
  return d;
}

int memcmp(const void *a, const void *b, size_t n) {
  const uint8_t *x = a, *y = b;
  for (; n; n--, x++, y++)
    if (*x != *y) return *x - *y;
  return 0;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

int strcmp(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return (uint8_t)*a - (uint8_t)*b;
}

int strncmp(const char *a, const char *b, size_t n) {
  for (; n; n--, a++, b++) {
    if (*a != *b) return (uint8_t)*a - (uint8_t)*b;
    if (!*a) return 0;
  }
  return 0;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

int strncasecmp(const char *a, const char *b, size_t n) {
  for (; n; n--, a++, b++) {
    int x = lower((uint8_t)*a), y = lower((uint8_t)*b);
    if (x != y) return x - y;
    if (!x) return 0;
  }
  return 0;
}

struct out {
  char *buf;
  size_t n, len;
};

static void put(struct out *o, char c) {
  if (o->len + 1 < o->n) o->buf[o->len] = c;
  o->len++;
}

static void put_num(struct out *o, uint64_t v, unsigned base, int width, char pad, int neg) {
  char tmp[24];
  int i = 0;
  do {
    tmp[i++] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v);
  if (neg) tmp[i++] = '-';
  while (i < width) tmp[i++] = pad;
  while (i) put(o, tmp[--i]);
}

/* printf's subset: %s %c %d %u %x %%, with l/ll/z, a width and 0-padding. */
int vfmt(char *buf, size_t n, const char *f, va_list ap) {
  struct out o = {buf, n, 0};
  for (; *f; f++) {
    if (*f != '%') {
      put(&o, *f);
      continue;
    }
    f++;
    char pad = ' ';
    int width = 0, lng = 0;
    if (*f == '0') pad = '0', f++;
    while (*f >= '0' && *f <= '9') width = width * 10 + (*f++ - '0');
    while (*f == 'l' || *f == 'z') lng = 1, f++;
    switch (*f) {
      case 's': {
        const char *s = va_arg(ap, const char *);
        size_t l = strlen(s);
        for (size_t k = l; (int)k < width; k++) put(&o, ' ');
        while (*s) put(&o, *s++);
        break;
      }
      case 'c': put(&o, (char)va_arg(ap, int)); break;
      case 'd': {
        int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
        put_num(&o, v < 0 ? (uint64_t)-v : (uint64_t)v, 10, width, pad, v < 0);
        break;
      }
      case 'u': put_num(&o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width, pad, 0); break;
      case 'x': put_num(&o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width, pad, 0); break;
      case '%': put(&o, '%'); break;
      default: put(&o, '?'); break;
    }
  }
  if (n) buf[o.len < n ? o.len : n - 1] = '\0';
  return (int)o.len;
}

int fmt(char *buf, size_t n, const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  int r = vfmt(buf, n, f, ap);
  va_end(ap);
  return r;
}

/* Decimal, no sign, no leading junk, at most max; 0 on success. */
int parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out) {
  if (len == 0 || len > 19) return -1;
  uint64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  if (v > max) return -1;
  *out = v;
  return 0;
}

/* Dotted quad into host byte order; 0 on success. */
int parse_ipv4(const char *s, size_t len, uint32_t *out) {
  uint32_t ip = 0;
  size_t start = 0;
  for (int part = 0; part < 4; part++) {
    size_t end = start;
    while (end < len && s[end] != '.') end++;
    uint64_t v;
    if (parse_u64(s + start, end - start, 255, &v) != 0) return -1;
    ip = ip << 8 | (uint32_t)v;
    if (part < 3 && end >= len) return -1;
    start = end + 1;
  }
  if (start - 1 != len) return -1;
  *out = ip;
  return 0;
}
