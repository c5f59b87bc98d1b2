/*
 * TCP for one listening port and many short HTTP/1.1 keep-alive connections.
 *
 * What it does: the three-way handshake with MSS, in-order receive into a fixed buffer whose
 * free space is the advertised window (no scaling), send within the peer's window, go-back-N
 * retransmission on a doubling timeout (no RTT estimate: the first RTO is 300 ms, a guest on
 * loopback or in one cloud zone never waits that long), a probe when the peer's window is
 * zero, FIN in both directions with the usual states, RST for segments that match nothing
 * and on giving up. What it leaves out: out-of-order reassembly (the peer retransmits),
 * congestion control (responses are a few hundred bytes), SACK, timestamps, window scaling,
 * urgent data. TIME_WAIT lasts 2 s, not 2 MSL (a guest never connects out, so old segments
 * cannot confuse a new connection of its own making), and gives way early when the table is full.
 */
#include "uk.h"

#define MAX_TCB 128
#define RTO_FIRST 300
#define RTO_MAX 8000
#define MAX_RETRIES 8
#define TIME_WAIT_MS 2000
#define FIN_WAIT_2_MS 10000
#define IDLE_CLOSE_MS 15000 /* like examples/hello: a forgotten keep-alive connection is closed */

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

enum { CLOSED, SYN_RCVD, ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK, TIME_WAIT };

struct tcb {
  uint8_t state, mac[6], fin_queued, peer_fin, ack_now, probe, retries;
  uint32_t rip;
  uint16_t rport, mss, last_wnd;
  uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, rcv_nxt;
  uint32_t rto;
  uint64_t rto_at, deadline, active_at, opened_at;
  uint32_t app;
  uint32_t slen, rlen;
  uint8_t sbuf[TCP_SBUF]; /* unacknowledged and unsent data, from snd_una on */
  uint8_t rbuf[TCP_RBUF]; /* received, not yet consumed by the application */
};

static struct tcb tcbs[MAX_TCB];
static uint16_t listen_port;
extern int http_hung;

static int lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

int tcp_count(void) {
  int n = 0;
  for (int i = 0; i < MAX_TCB; i++) n += tcbs[i].state != CLOSED;
  return n;
}

void tcp_listen(uint16_t port) { listen_port = port; }

static uint16_t window(const struct tcb *t) { return (uint16_t)(TCP_RBUF - t->rlen); }

static void emit(const uint8_t mac[6], uint32_t dst, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                 uint8_t flags, uint16_t wnd, const uint8_t *data, size_t n, uint16_t mss_opt) {
  uint8_t s[24 + 1460];
  size_t hl = mss_opt ? 24 : 20;
  if (n > sizeof s - hl) return;
  memset(s, 0, hl);
  put16(s, sport);
  put16(s + 2, dport);
  put32(s + 4, seq);
  put32(s + 8, ack);
  s[12] = (uint8_t)((hl / 4) << 4);
  s[13] = flags;
  put16(s + 14, wnd);
  if (mss_opt) {
    s[20] = 2, s[21] = 4;
    put16(s + 22, mss_opt);
  }
  if (n) memcpy(s + hl, data, n);
  uint8_t pseudo[12];
  put32(pseudo, net.ip);
  put32(pseudo + 4, dst);
  pseudo[8] = 0;
  pseudo[9] = 6;
  put16(pseudo + 10, (uint16_t)(hl + n));
  put16(s + 16, csum_fold(csum_add(csum_add(0, pseudo, 12), s, hl + n)));
  ip_send(mac, dst, 6, s, hl + n);
}

static void send_seg(struct tcb *t, uint32_t seq, uint8_t flags, const uint8_t *data, size_t n) {
  uint16_t w = window(t);
  emit(t->mac, t->rip, listen_port, t->rport, seq, t->rcv_nxt, flags, w, data, n,
       (flags & F_SYN) ? (uint16_t)(net.mtu - 40) : 0);
  t->ack_now = 0;
  t->last_wnd = w;
}

static void arm(struct tcb *t) {
  if (!t->rto_at) t->rto_at = now_ms() + t->rto;
}

static void output(struct tcb *t) {
  if (t->state == SYN_RCVD) {
    if (t->snd_nxt == t->iss) {
      send_seg(t, t->iss, F_SYN | F_ACK, 0, 0);
      t->snd_nxt = t->iss + 1;
      if (lt(t->snd_max, t->snd_nxt)) t->snd_max = t->snd_nxt;
      arm(t);
    }
    return;
  }
  if (t->state == CLOSED || t->state == FIN_WAIT_2 || t->state == TIME_WAIT) return;
  uint32_t wnd = t->snd_wnd ? t->snd_wnd : t->probe;
  t->probe = 0;
  for (;;) {
    uint32_t off = t->snd_nxt - t->snd_una;
    if (off >= t->slen || off >= wnd) break;
    uint32_t n = t->slen - off;
    if (n > t->mss) n = t->mss;
    if (n > wnd - off) n = wnd - off;
    uint8_t flags = F_ACK | F_PSH;
    if (t->fin_queued && off + n == t->slen) flags |= F_FIN;
    send_seg(t, t->snd_nxt, flags, t->sbuf + off, n);
    t->snd_nxt += n + ((flags & F_FIN) ? 1 : 0);
    arm(t);
  }
  if (t->fin_queued && t->snd_nxt - t->snd_una == t->slen) {
    send_seg(t, t->snd_nxt, F_FIN | F_ACK, 0, 0);
    t->snd_nxt++;
    arm(t);
  }
  if (lt(t->snd_max, t->snd_nxt)) t->snd_max = t->snd_nxt;
  /* the peer's window is shut and data waits: the timer becomes a persist timer */
  if (t->snd_wnd == 0 && t->slen > t->snd_nxt - t->snd_una) arm(t);
}

static void flush(struct tcb *t) {
  output(t);
  if (t->ack_now && t->state != CLOSED) send_seg(t, t->snd_nxt, F_ACK, 0, 0);
}

static void drop(struct tcb *t, int reset) {
  if (reset) send_seg(t, t->snd_nxt, F_RST | F_ACK, 0, 0);
  t->state = CLOSED;
}

size_t tcp_rx(struct tcb *t, const uint8_t **data) {
  *data = t->rbuf;
  return t->rlen;
}

void tcp_consume(struct tcb *t, size_t n) {
  if (n > t->rlen) n = t->rlen;
  memmove(t->rbuf, t->rbuf + n, t->rlen - n);
  t->rlen -= (uint32_t)n;
  /* the window opened from nearly shut: tell the peer, or it waits for its persist timer */
  if (t->last_wnd < t->mss && window(t) >= t->mss) t->ack_now = 1;
}

size_t tcp_tx_room(struct tcb *t) {
  return (t->fin_queued || (t->state != ESTABLISHED && t->state != CLOSE_WAIT)) ? 0 : TCP_SBUF - t->slen;
}

void tcp_write(struct tcb *t, const void *data, size_t n) {
  if (n > tcp_tx_room(t)) n = tcp_tx_room(t);
  memcpy(t->sbuf + t->slen, data, n);
  t->slen += (uint32_t)n;
}

void tcp_close(struct tcb *t) {
  if (t->fin_queued) return;
  if (t->state == ESTABLISHED) t->state = FIN_WAIT_1;
  else if (t->state == CLOSE_WAIT) t->state = LAST_ACK;
  else return;
  t->fin_queued = 1;
}

int tcp_peer_closed(struct tcb *t) { return t->peer_fin; }

uint32_t *tcp_app(struct tcb *t) { return &t->app; }

uint64_t tcp_age_ms(struct tcb *t) { return now_ms() - t->opened_at; }

static struct tcb *find(uint32_t ip, uint16_t port) {
  for (int i = 0; i < MAX_TCB; i++)
    if (tcbs[i].state != CLOSED && tcbs[i].rip == ip && tcbs[i].rport == port) return &tcbs[i];
  return 0;
}

static void accept(const uint8_t mac[6], uint32_t src, uint16_t sport, uint32_t seq, uint16_t win,
                   const uint8_t *opts, size_t olen) {
  struct tcb *t = 0;
  for (int i = 0; i < MAX_TCB && !t; i++)
    if (tcbs[i].state == CLOSED) t = &tcbs[i];
  /*
   * Full: a client that opens one connection per request (HTTP/1.0) leaves one TIME_WAIT per
   * request behind, since the server closes first. Those, then connections whose peer never
   * sent its FIN, give way to a new connection, the oldest first.
   */
  for (int pass = 0; pass < 2 && !t; pass++) {
    uint8_t want = pass == 0 ? TIME_WAIT : FIN_WAIT_2;
    for (int i = 0; i < MAX_TCB; i++)
      if (tcbs[i].state == want && (!t || tcbs[i].deadline < t->deadline)) t = &tcbs[i];
  }
  if (!t) {
    emit(mac, src, listen_port, sport, 0, seq + 1, F_RST | F_ACK, 0, 0, 0, 0);
    return;
  }
  memset(t, 0, offsetof(struct tcb, sbuf));
  t->state = SYN_RCVD;
  t->opened_at = now_ms();
  memcpy(t->mac, mac, 6);
  t->rip = src;
  t->rport = sport;
  t->iss = (uint32_t)(rdtsc() >> 4);
  t->snd_una = t->snd_nxt = t->snd_max = t->iss;
  t->rcv_nxt = seq + 1;
  t->snd_wnd = win;
  t->rto = RTO_FIRST;
  t->mss = 536;
  for (size_t i = 0; i < olen;) {
    if (opts[i] == 0) break;
    if (opts[i] == 1) {
      i++;
      continue;
    }
    if (i + 1 >= olen || opts[i + 1] < 2 || i + opts[i + 1] > olen) break;
    if (opts[i] == 2 && opts[i + 1] == 4) t->mss = be16(opts + i + 2);
    i += opts[i + 1];
  }
  uint16_t ours = (uint16_t)(net.mtu - 40);
  if (t->mss > ours) t->mss = ours;
  if (t->mss < 64) t->mss = 64;
  t->active_at = now_ms();
  output(t);
}

static void fin_acked(struct tcb *t) {
  if (t->state == FIN_WAIT_1) {
    t->state = FIN_WAIT_2;
    t->deadline = now_ms() + FIN_WAIT_2_MS;
  } else if (t->state == CLOSING) {
    t->state = TIME_WAIT;
    t->deadline = now_ms() + TIME_WAIT_MS;
  } else if (t->state == LAST_ACK) {
    t->state = CLOSED;
  }
}

static void on_ack(struct tcb *t, uint32_t ack, uint16_t win) {
  if (lt(t->snd_max, ack)) {
    t->ack_now = 1; /* acknowledges what was never sent */
    return;
  }
  if (lt(t->snd_una, ack)) {
    uint32_t acked = ack - t->snd_una;
    if (t->state == SYN_RCVD) {
      t->snd_una++;
      acked--;
      t->state = ESTABLISHED;
    }
    uint32_t data = acked < t->slen ? acked : t->slen;
    memmove(t->sbuf, t->sbuf + data, t->slen - data);
    t->slen -= data;
    t->snd_una += data;
    acked -= data;
    if (lt(t->snd_nxt, t->snd_una)) t->snd_nxt = t->snd_una;
    t->retries = 0;
    t->rto = RTO_FIRST;
    t->rto_at = 0;
    if (acked && t->fin_queued) {
      t->snd_una++;
      if (lt(t->snd_nxt, t->snd_una)) t->snd_nxt = t->snd_una;
      fin_acked(t);
    }
    if (t->snd_una != t->snd_max) arm(t);
  }
  if (!lt(ack, t->snd_una)) t->snd_wnd = win;
}

static void on_data(struct tcb *t, uint32_t seq, const uint8_t *data, size_t n, int fin) {
  if (t->state == TIME_WAIT) {
    t->deadline = now_ms() + TIME_WAIT_MS;
    t->ack_now = 1;
    return;
  }
  if (t->peer_fin || (t->state != ESTABLISHED && t->state != FIN_WAIT_1 && t->state != FIN_WAIT_2)) {
    t->ack_now = 1; /* a retransmission of what we already have */
    return;
  }
  if (lt(seq, t->rcv_nxt)) {
    uint32_t skip = t->rcv_nxt - seq;
    if (skip > n) {
      t->ack_now = 1;
      return;
    }
    data += skip;
    n -= skip;
    seq += skip;
  }
  if (seq != t->rcv_nxt) {
    t->ack_now = 1; /* out of order: ask again for what is missing */
    return;
  }
  size_t room = TCP_RBUF - t->rlen;
  size_t take = n < room ? n : room;
  memcpy(t->rbuf + t->rlen, data, take);
  t->rlen += (uint32_t)take;
  t->rcv_nxt += (uint32_t)take;
  t->ack_now = 1;
  t->active_at = now_ms();
  if (fin && take == n) {
    t->rcv_nxt++;
    t->peer_fin = 1;
    if (t->state == ESTABLISHED) t->state = CLOSE_WAIT;
    else if (t->state == FIN_WAIT_1) t->state = CLOSING;
    else if (t->state == FIN_WAIT_2) {
      t->state = TIME_WAIT;
      t->deadline = now_ms() + TIME_WAIT_MS;
    }
  }
}

void tcp_input(const uint8_t mac[6], uint32_t src, const uint8_t *s, size_t len) {
  if (len < 20) return;
  size_t hl = (size_t)(s[12] >> 4) * 4;
  if (hl < 20 || hl > len) return;
  uint8_t pseudo[12];
  put32(pseudo, src);
  put32(pseudo + 4, net.ip);
  pseudo[8] = 0;
  pseudo[9] = 6;
  put16(pseudo + 10, (uint16_t)len);
  if (csum_fold(csum_add(csum_add(0, pseudo, 12), s, len)) != 0) return;
  uint16_t sport = be16(s), dport = be16(s + 2), win = be16(s + 14);
  uint32_t seq = be32(s + 4), ack = be32(s + 8);
  uint8_t flags = s[13];
  const uint8_t *data = s + hl;
  size_t n = len - hl;

  struct tcb *t = listen_port && dport == listen_port ? find(src, sport) : 0;
  if (t && t->state == TIME_WAIT && (flags & F_SYN) && !(flags & F_ACK)) {
    t->state = CLOSED; /* the client reuses its port: the old connection is over */
    t = 0;
  }
  if (!t) {
    if (flags & F_RST) return;
    if ((flags & F_SYN) && !(flags & F_ACK) && listen_port && dport == listen_port) {
      accept(mac, src, sport, seq, win, s + 20, hl - 20);
      return;
    }
    /* nothing listens or nothing matches: refuse, as RFC 793 says */
    if (flags & F_ACK) emit(mac, src, dport, sport, ack, 0, F_RST, 0, 0, 0, 0);
    else
      emit(mac, src, dport, sport, 0, seq + (uint32_t)n + ((flags & F_SYN) ? 1 : 0) + (flags & F_FIN), F_RST | F_ACK, 0,
           0, 0, 0);
    return;
  }
  if (flags & F_RST) {
    /* only a reset inside the window counts, so a stray one cannot kill a connection */
    if ((uint32_t)(seq - t->rcv_nxt) <= TCP_RBUF) t->state = CLOSED;
    return;
  }
  if (flags & F_SYN) {
    if (t->state == SYN_RCVD && seq + 1 == t->rcv_nxt) t->snd_nxt = t->iss; /* our SYN-ACK was lost */
    else t->ack_now = 1;
    flush(t);
    return;
  }
  if (!(flags & F_ACK)) return;
  on_ack(t, ack, win);
  if (t->state == CLOSED || t->state == SYN_RCVD) {
    if (t->state == SYN_RCVD) flush(t);
    return;
  }
  if (n || (flags & F_FIN)) on_data(t, seq, data, n, flags & F_FIN);
  if (t->state == ESTABLISHED || t->state == CLOSE_WAIT) http_on_data(t);
  flush(t);
}

void tcp_timers(uint64_t now) {
  for (int i = 0; i < MAX_TCB; i++) {
    struct tcb *t = &tcbs[i];
    if (t->state == CLOSED) continue;
    if ((t->state == FIN_WAIT_2 || t->state == TIME_WAIT) && now >= t->deadline) {
      t->state = CLOSED;
      continue;
    }
    if (t->rto_at && now >= t->rto_at) {
      if (++t->retries > MAX_RETRIES) {
        drop(t, 1);
        continue;
      }
      t->rto = t->rto * 2 > RTO_MAX ? RTO_MAX : t->rto * 2;
      t->rto_at = 0;
      t->snd_nxt = t->state == SYN_RCVD ? t->iss : t->snd_una;
      t->probe = 1;
      output(t);
      arm(t);
    }
    if (t->state == ESTABLISHED && !http_hung && t->rlen == 0 && t->slen == 0 && now - t->active_at > IDLE_CLOSE_MS)
      tcp_close(t);
    if (t->ack_now || t->fin_queued) flush(t);
  }
}
