/*
 * The HTTP/1.1 server: the same endpoints, answers and knobs as examples/hello, so every
 * scenario run against the process example runs against this guest. Requests are served
 * one at a time on the one CPU, so CPU burn per request delays every other connection,
 * as it would in a single-core MirageOS unikernel.
 */
#include "uk.h"

uint32_t *tcp_app(struct tcb *t);

const char *opt_name = "unikernel";
const char *opt_version = "v1";
int opt_broken;
uint64_t opt_cpu_ms;
/*
 * A keep-alive connection older than this is answered with "Connection: close" and closed
 * (nginx's keepalive_time, Envoy's max_connection_duration): clients then reconnect, through
 * the fleet's endpoint, to an instance that serves — so an instance that leaves the rotation
 * sheds its keep-alive clients within this time, well inside the endpoint's draining time.
 * 0: no bound.
 */
uint64_t opt_max_connection_age_ms = 2000;
int http_hung;
static uint64_t requests_total;

#define MAX_HEAD (TCP_RBUF - 1)

static const char *phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

static int respond(struct tcb *t, int status, const char *ctype, const char *body, int keep_alive) {
  char out[2048];
  size_t blen = strlen(body);
  int n = fmt(out, sizeof out,
              "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: %s\r\n\r\n%s", status,
              phrase(status), ctype, blen, keep_alive ? "keep-alive" : "close", body);
  if (n >= (int)sizeof out) n = sizeof out - 1;
  tcp_write(t, out, (size_t)n);
  return status;
}

/* The value of header `name` in the head [p, end), trimmed; 0 when absent. */
static int header(const char *p, const char *end, const char *name, const char **v, size_t *vlen) {
  size_t nlen = strlen(name);
  const char *line = p;
  while (line < end) {
    const char *eol = line;
    while (eol + 1 < end && !(eol[0] == '\r' && eol[1] == '\n')) eol++;
    if (eol + 1 >= end) break;
    if (line != p && (size_t)(eol - line) > nlen && line[nlen] == ':' && strncasecmp(line, name, nlen) == 0) {
      const char *s = line + nlen + 1;
      while (s < eol && (*s == ' ' || *s == '\t')) s++;
      const char *e = eol;
      while (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
      *v = s;
      *vlen = (size_t)(e - s);
      return 1;
    }
    line = eol + 2;
  }
  return 0;
}

static uint64_t query_cpu_ms(const char *q, size_t qlen, uint64_t fallback) {
  for (size_t i = 0; i + 7 <= qlen; i++) {
    if ((i == 0 || q[i - 1] == '&') && strncmp(q + i, "cpu_ms=", 7) == 0) {
      size_t s = i + 7, e = s;
      while (e < qlen && q[e] != '&') e++;
      uint64_t v;
      return parse_u64(q + s, e - s, 600000, &v) == 0 ? v : fallback;
    }
  }
  return fallback;
}

static int is(const char *s, size_t len, const char *lit) { return strlen(lit) == len && memcmp(s, lit, len) == 0; }

static int route(struct tcb *t, const char *m, size_t mlen, const char *target, size_t tlen, int keep_alive) {
  size_t plen = 0;
  while (plen < tlen && target[plen] != '?') plen++;
  const char *query = plen < tlen ? target + plen + 1 : target + tlen;
  size_t qlen = plen < tlen ? tlen - plen - 1 : 0;
  int get = is(m, mlen, "GET"), post = is(m, mlen, "POST");
  char body[1024];

  if (is(target, plen, "/admin/hang") && (get || post)) {
    http_hung = 1;
    klog("hung: no longer answering any request");
    return 0;
  }
  if (is(target, plen, "/")) {
    if (!get) return respond(t, 405, "text/plain", "method not allowed\n", keep_alive);
    uint64_t ms = query_cpu_ms(query, qlen, opt_cpu_ms);
    if (ms) cpu_burn_ms(ms);
    fmt(body, sizeof body, "hello from %s %s\n", opt_name, opt_version);
    return respond(t, 200, "text/plain", body, keep_alive);
  }
  if (is(target, plen, "/health")) {
    if (!get) return respond(t, 405, "text/plain", "method not allowed\n", keep_alive);
    if (opt_broken) return respond(t, 503, "text/plain", "broken\n", keep_alive);
    return respond(t, 200, "text/plain", "ok\n", keep_alive);
  }
  if (is(target, plen, "/metrics")) {
    if (!get) return respond(t, 405, "text/plain", "method not allowed\n", keep_alive);
    uint64_t cpu = busy_us(), up = now_ms();
    fmt(body, sizeof body,
        "# HELP hello_requests_total HTTP requests received.\n"
        "# TYPE hello_requests_total counter\n"
        "hello_requests_total %lu\n"
        "# HELP hello_requests_in_flight HTTP requests being handled.\n"
        "# TYPE hello_requests_in_flight gauge\n"
        "hello_requests_in_flight 1\n"
        "# HELP process_cpu_seconds_total CPU time not spent halted (busy TSC cycles), in seconds.\n"
        "# TYPE process_cpu_seconds_total counter\n"
        "process_cpu_seconds_total %lu.%06lu\n"
        "# HELP unikernel_uptime_seconds Time since boot.\n"
        "# TYPE unikernel_uptime_seconds gauge\n"
        "unikernel_uptime_seconds %lu.%03lu\n"
        "# HELP unikernel_tcp_connections TCP connections open.\n"
        "# TYPE unikernel_tcp_connections gauge\n"
        "unikernel_tcp_connections %d\n",
        requests_total, cpu / 1000000, cpu % 1000000, up / 1000, up % 1000, tcp_count());
    return respond(t, 200, "text/plain; version=0.0.4", body, keep_alive);
  }
  return respond(t, 404, "text/plain", "not found\n", keep_alive);
}

static void serve(struct tcb *t) {
  uint32_t *skip = tcp_app(t);
  for (;;) {
    const uint8_t *d;
    size_t n = tcp_rx(t, &d);
    if (*skip) {
      size_t k = n < *skip ? n : *skip;
      tcp_consume(t, k);
      *skip -= (uint32_t)k;
      if (*skip) return;
      continue;
    }
    const char *p = (const char *)d;
    size_t head = 0;
    for (size_t i = 0; i + 3 < n; i++)
      if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n') {
        head = i + 4;
        break;
      }
    if (!head) {
      if (n >= MAX_HEAD) {
        respond(t, 431, "text/plain", "request head too large\n", 0);
        tcp_close(t);
      } else if (tcp_peer_closed(t)) {
        tcp_close(t);
      }
      return;
    }
    /* a whole answer must fit, or this request waits for acknowledgements to free room */
    if (tcp_tx_room(t) < 2048) return;
    const char *end = p + head;
    size_t mlen = 0;
    while (mlen < head && p[mlen] != ' ') mlen++;
    const char *target = p + mlen + 1;
    size_t tlen = 0;
    while (target + tlen < end && target[tlen] != ' ' && target[tlen] != '\r') tlen++;
    const char *proto = target + tlen + 1;
    if (mlen == 0 || mlen > 15 || tlen == 0 || target[tlen] != ' ' || proto + 8 > end ||
        strncmp(proto, "HTTP/1.", 7) != 0) {
      respond(t, 400, "text/plain", "bad request\n", 0);
      tcp_close(t);
      return;
    }
    int keep_alive = proto[7] == '1';
    const char *v;
    size_t vlen;
    uint64_t clen = 0;
    if (header(p, end, "Content-Length", &v, &vlen) && parse_u64(v, vlen, 1u << 30, &clen) != 0) {
      respond(t, 400, "text/plain", "bad content-length\n", 0);
      tcp_close(t);
      return;
    }
    if (header(p, end, "Transfer-Encoding", &v, &vlen)) {
      respond(t, 400, "text/plain", "transfer-encoding not supported\n", 0);
      tcp_close(t);
      return;
    }
    if (header(p, end, "Connection", &v, &vlen)) {
      if (vlen == 5 && strncasecmp(v, "close", 5) == 0) keep_alive = 0;
      else if (vlen == 10 && strncasecmp(v, "keep-alive", 10) == 0) keep_alive = 1;
    }
    if (opt_max_connection_age_ms && tcp_age_ms(t) >= opt_max_connection_age_ms) keep_alive = 0;
    char method[16], path[64];
    memcpy(method, p, mlen);
    method[mlen] = '\0';
    size_t shown = tlen < sizeof path - 1 ? tlen : sizeof path - 1;
    memcpy(path, target, shown);
    path[shown] = '\0';
    uint64_t t0 = rdtsc(), ms0 = now_ms();
    requests_total++;
    int status = route(t, p, mlen, target, tlen, keep_alive);
    (void)t0;
    tcp_consume(t, head);
    *skip = (uint32_t)clen;
    if (http_hung) return;
    klog("%s %s %d %lums", method, path, status, now_ms() - ms0);
    if (!keep_alive) {
      tcp_close(t);
      return;
    }
  }
}

void http_on_data(struct tcb *t) {
  /* a hung guest still completes handshakes and acknowledges data, but never answers */
  if (!http_hung) serve(t);
}
