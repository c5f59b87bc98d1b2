/*
 * hello: a stand-in for a MirageOS unikernel built for the unix target.
 *
 * A tiny HTTP/1.1 server with just enough behaviour to exercise an operator: version
 * reporting (rollouts), a health endpoint that can be broken (rollbacks) or hung (hang
 * detection), Prometheus metrics and per-request CPU burn (autoscaling), slow boots.
 * See README.md for flags and endpoints.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEAD 8192
/* Idle keep-alive connections are dropped so a client that forgets them cannot pin threads. */
#define KEEPALIVE_IDLE_SECONDS 15

static const char *opt_name = "hello";
static const char *opt_version = "v1";
static int opt_broken = 0;
static long opt_cpu_ms = 0;
/*
 * A keep-alive connection older than this is answered with "Connection: close" and closed
 * (0: no bound), as nginx's keepalive_time and Envoy's max_connection_duration do: a client
 * under steady load never lets its connection go idle, so without a bound it stays pinned to
 * this instance and an instance being drained (the fleet endpoint waits up to 5 s for its
 * connections) would be stopped under it. The client just reconnects, to an instance in rotation.
 */
static long opt_max_connection_age_ms = 2000;

static atomic_long requests_total;
static atomic_long requests_in_flight;
static atomic_int hung;

static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_line(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  flockfile(stdout);
  vfprintf(stdout, fmt, ap);
  fputc('\n', stdout);
  /* stdout is usually a file or pipe (the operator's log capture): flush per line. */
  fflush(stdout);
  funlockfile(stdout);
  va_end(ap);
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: hello [--port=N] [--name=NAME] [--version=V] [--broken] [--cpu-ms=N]\n"
          "             [--start-delay-ms=N] [--max-connection-age-ms=N]\n"
          "env: PORT (overridden by --port), LISTEN_ADDR (default 127.0.0.1)\n");
}

static int parse_nonneg(const char *s, long max, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < 0 || v > max) return -1;
  *out = v;
  return 0;
}

/* Never returns: a hung unikernel keeps its connections open and says nothing. */
static void hang_forever(void) {
  for (;;) pause();
}

static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Thread CPU time, not wall time: concurrent requests each really cost N ms of CPU. */
static void burn_cpu_ms(long ms) {
  struct timespec start, now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
  volatile unsigned long sink = 0;
  for (;;) {
    for (int i = 0; i < 10000; i++) sink += (unsigned long)i * 2654435761u;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    long elapsed = (now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec - start.tv_nsec) / 1000000L;
    if (elapsed >= ms) break;
  }
}

static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

static const char *reason_phrase(int status) {
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

static int respond(int fd, int status, const char *ctype, const char *body, int keep_alive) {
  char head[512];
  size_t blen = strlen(body);
  int n = snprintf(head, sizeof head,
                   "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                   "Connection: %s\r\n\r\n",
                   status, reason_phrase(status), ctype, blen, keep_alive ? "keep-alive" : "close");
  if (write_all(fd, head, (size_t)n) < 0) return -1;
  return write_all(fd, body, blen);
}

/* Case-insensitive header lookup in the raw head; copies the trimmed value. */
static int header_value(const char *head, const char *name, char *out, size_t outlen) {
  size_t nlen = strlen(name);
  const char *line = strstr(head, "\r\n");
  while (line && line[2] != '\r' && line[2] != '\0') {
    line += 2;
    const char *eol = strstr(line, "\r\n");
    if (!eol) break;
    if ((size_t)(eol - line) > nlen && strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
      const char *v = line + nlen + 1;
      while (*v == ' ' || *v == '\t') v++;
      size_t vlen = (size_t)(eol - v);
      while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t')) vlen--;
      if (vlen >= outlen) vlen = outlen - 1;
      memcpy(out, v, vlen);
      out[vlen] = '\0';
      return 1;
    }
    line = eol;
  }
  return 0;
}

static long query_cpu_ms(const char *query, long fallback) {
  if (!query) return fallback;
  for (const char *p = query; p && *p; p = strchr(p, '&'), p = p ? p + 1 : NULL) {
    if (strncmp(p, "cpu_ms=", 7) == 0) {
      char buf[24];
      size_t len = strcspn(p + 7, "&");
      if (len == 0 || len >= sizeof buf) return fallback;
      memcpy(buf, p + 7, len);
      buf[len] = '\0';
      long v;
      return parse_nonneg(buf, 600000, &v) == 0 ? v : fallback;
    }
  }
  return fallback;
}

/* Routes one request; returns the status it answered with, or -1 when the write failed. */
static int route(int fd, const char *method, char *target, int keep_alive) {
  char *query = strchr(target, '?');
  if (query) *query++ = '\0';
  int is_get = strcmp(method, "GET") == 0;
  int is_post = strcmp(method, "POST") == 0;
  char body[1024];

  if (strcmp(target, "/admin/hang") == 0 && (is_get || is_post)) {
    atomic_store(&hung, 1);
    log_line("hung: no longer answering any request");
    hang_forever();
  }
  if (strcmp(target, "/") == 0) {
    if (!is_get) return respond(fd, 405, "text/plain", "method not allowed\n", keep_alive) ? -1 : 405;
    long ms = query_cpu_ms(query, opt_cpu_ms);
    if (ms > 0) burn_cpu_ms(ms);
    snprintf(body, sizeof body, "hello from %s %s\n", opt_name, opt_version);
    return respond(fd, 200, "text/plain", body, keep_alive) ? -1 : 200;
  }
  if (strcmp(target, "/health") == 0) {
    if (!is_get) return respond(fd, 405, "text/plain", "method not allowed\n", keep_alive) ? -1 : 405;
    if (opt_broken) return respond(fd, 503, "text/plain", "broken\n", keep_alive) ? -1 : 503;
    return respond(fd, 200, "text/plain", "ok\n", keep_alive) ? -1 : 200;
  }
  if (strcmp(target, "/metrics") == 0) {
    if (!is_get) return respond(fd, 405, "text/plain", "method not allowed\n", keep_alive) ? -1 : 405;
    snprintf(body, sizeof body,
             "# HELP hello_requests_total HTTP requests received.\n"
             "# TYPE hello_requests_total counter\n"
             "hello_requests_total %ld\n"
             "# HELP hello_requests_in_flight HTTP requests being handled.\n"
             "# TYPE hello_requests_in_flight gauge\n"
             "hello_requests_in_flight %ld\n"
             "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
             "# TYPE process_cpu_seconds_total counter\n"
             "process_cpu_seconds_total %.6f\n",
             atomic_load(&requests_total), atomic_load(&requests_in_flight), cpu_seconds());
    return respond(fd, 200, "text/plain; version=0.0.4", body, keep_alive) ? -1 : 200;
  }
  return respond(fd, 404, "text/plain", "not found\n", keep_alive) ? -1 : 404;
}

/*
 * Reads one request head into buf (which may already hold `*have` pipelined bytes) and
 * returns the head length including the blank line, 0 on EOF/timeout, -1 when too large.
 */
static int read_head(int fd, char *buf, size_t *have) {
  for (;;) {
    buf[*have] = '\0';
    char *end = strstr(buf, "\r\n\r\n");
    if (end) return (int)(end - buf) + 4;
    if (*have >= MAX_HEAD - 1) return -1;
    ssize_t n = recv(fd, buf + *have, MAX_HEAD - 1 - *have, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    *have += (size_t)n;
  }
}

/* Drops `len` bytes of request body: partly already buffered, the rest still on the socket. */
static int skip_body(int fd, char *buf, size_t *have, size_t head_len, long len) {
  size_t buffered = *have - head_len;
  size_t from_buf = (size_t)len < buffered ? (size_t)len : buffered;
  memmove(buf, buf + head_len + from_buf, buffered - from_buf);
  *have = buffered - from_buf;
  long left = len - (long)from_buf;
  char sink[4096];
  while (left > 0) {
    ssize_t n = recv(fd, sink, left < (long)sizeof sink ? (size_t)left : sizeof sink, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    left -= n;
  }
  return 0;
}

static void *serve_connection(void *arg) {
  int fd = (int)(long)arg;
  char *buf = malloc(MAX_HEAD);
  size_t have = 0;
  struct timeval idle = {.tv_sec = KEEPALIVE_IDLE_SECONDS};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof idle);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct timespec opened;
  clock_gettime(CLOCK_MONOTONIC, &opened);

  while (buf) {
    if (atomic_load(&hung)) hang_forever();
    int head_len = read_head(fd, buf, &have);
    if (atomic_load(&hung)) hang_forever();
    if (head_len == 0) break;
    if (head_len < 0) {
      respond(fd, 431, "text/plain", "request head too large\n", 0);
      break;
    }
    char method[16], target[2048], proto[16];
    char saved = buf[head_len];
    buf[head_len] = '\0';
    if (sscanf(buf, "%15s %2047s %15s", method, target, proto) != 3 ||
        strncmp(proto, "HTTP/1.", 7) != 0) {
      respond(fd, 400, "text/plain", "bad request\n", 0);
      break;
    }
    char value[64];
    long content_length = 0;
    if (header_value(buf, "Content-Length", value, sizeof value) &&
        parse_nonneg(value, 1L << 30, &content_length) != 0) {
      respond(fd, 400, "text/plain", "bad content-length\n", 0);
      break;
    }
    /* Chunked request bodies are not worth supporting here; refusing keeps framing sound. */
    if (header_value(buf, "Transfer-Encoding", value, sizeof value)) {
      respond(fd, 400, "text/plain", "transfer-encoding not supported\n", 0);
      break;
    }
    int keep_alive = strcmp(proto, "HTTP/1.1") == 0;
    if (header_value(buf, "Connection", value, sizeof value)) {
      if (strcasecmp(value, "close") == 0) keep_alive = 0;
      else if (strcasecmp(value, "keep-alive") == 0) keep_alive = 1;
    }
    if (keep_alive && opt_max_connection_age_ms > 0) {
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      long age_ms = (now.tv_sec - opened.tv_sec) * 1000L + (now.tv_nsec - opened.tv_nsec) / 1000000L;
      if (age_ms >= opt_max_connection_age_ms) keep_alive = 0;
    }
    buf[head_len] = saved;
    if (skip_body(fd, buf, &have, (size_t)head_len, content_length) < 0) break;

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    atomic_fetch_add(&requests_total, 1);
    atomic_fetch_add(&requests_in_flight, 1);
    int status = route(fd, method, target, keep_alive);
    atomic_fetch_sub(&requests_in_flight, 1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000L;
    log_line("%s %s %d %ldus", method, target, status, us);
    if (status < 0 || !keep_alive) break;
  }
  free(buf);
  close(fd);
  return NULL;
}

/* SIGTERM/SIGINT are handled synchronously on one thread so the exit is clean and immediate. */
static void *signal_thread(void *arg) {
  sigset_t *set = arg;
  int sig;
  sigwait(set, &sig);
  log_line("%s %s: received signal %d, exiting", opt_name, opt_version, sig);
  /* _exit, not exit: other threads may hold stdio locks or be hung on purpose. */
  _exit(0);
}

int main(int argc, char **argv) {
  long port = 8080, start_delay_ms = 0;
  const char *env_port = getenv("PORT");
  if (env_port && parse_nonneg(env_port, 65535, &port) != 0) {
    fprintf(stderr, "hello: invalid PORT '%s'\n", env_port);
    return 2;
  }
  const char *listen_addr = getenv("LISTEN_ADDR");
  if (!listen_addr || !*listen_addr) listen_addr = "127.0.0.1";

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int bad = 0;
    if (strncmp(a, "--port=", 7) == 0) bad = parse_nonneg(a + 7, 65535, &port);
    else if (strncmp(a, "--name=", 7) == 0) opt_name = a + 7;
    else if (strncmp(a, "--version=", 10) == 0) opt_version = a + 10;
    else if (strcmp(a, "--broken") == 0) opt_broken = 1;
    else if (strncmp(a, "--cpu-ms=", 9) == 0) bad = parse_nonneg(a + 9, 600000, &opt_cpu_ms);
    else if (strncmp(a, "--max-connection-age-ms=", 24) == 0)
      bad = parse_nonneg(a + 24, 3600000, &opt_max_connection_age_ms);
    else if (strncmp(a, "--start-delay-ms=", 17) == 0)
      bad = parse_nonneg(a + 17, 3600000, &start_delay_ms);
    else if (strcmp(a, "--help") == 0) {
      usage(stdout);
      return 0;
    } else bad = 1;
    /* Reject unknown or malformed flags loudly: a typo in boot args should fail the boot. */
    if (bad) {
      fprintf(stderr, "hello: invalid argument '%s'\n", a);
      usage(stderr);
      return 2;
    }
  }

  /* Block termination signals in every thread; the signal thread takes them via sigwait. */
  static sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigaddset(&term, SIGINT);
  pthread_sigmask(SIG_BLOCK, &term, NULL);
  pthread_t sig_tid;
  pthread_create(&sig_tid, NULL, signal_thread, &term);
  signal(SIGPIPE, SIG_IGN);

  log_line("%s %s: starting (pid %d, start delay %ldms)", opt_name, opt_version, (int)getpid(),
           start_delay_ms);
  if (start_delay_ms > 0) {
    struct timespec d = {.tv_sec = start_delay_ms / 1000, .tv_nsec = (start_delay_ms % 1000) * 1000000L};
    while (nanosleep(&d, &d) < 0 && errno == EINTR) {}
  }

  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, listen_addr, &sa.sin_addr) != 1) {
    fprintf(stderr, "hello: invalid LISTEN_ADDR '%s' (IPv4 expected)\n", listen_addr);
    return 2;
  }
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 512) < 0) {
    fprintf(stderr, "hello: cannot listen on %s:%ld: %s\n", listen_addr, port, strerror(errno));
    return 1;
  }
  log_line("%s %s: listening on %s:%ld", opt_name, opt_version, listen_addr, port);

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  for (;;) {
    int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (cfd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      /* Out of fds or memory: back off instead of spinning. */
      usleep(10000);
      continue;
    }
    pthread_t tid;
    if (pthread_create(&tid, &attr, serve_connection, (void *)(long)cfd) != 0) close(cfd);
  }
}
