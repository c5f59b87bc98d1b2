package io.dustcloud.provider.gce;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A token bucket shared by all fleets of a project (calls per minute, with a burst of one
 * second's worth), handed out fairly: each fleet waits in its own queue and the queues are
 * served round-robin, so a fleet with a hundred calls waiting delays another fleet's call by at
 * most one turn, not a hundred.
 *
 * <p>A call granted here may send more than one request: the further pages of a listing, the
 * polls of an operation, the read of a failed one. Those are calls against the project's quota
 * too, sent where no one can wait for a turn (gax polls on its own threads), so they are
 * settled afterwards: given the count of requests really sent ({@link #settleAgainst}), every
 * request beyond the calls granted is taken from the bucket, which may go below zero — the
 * calls that follow wait for it to refill. The budget is then what was really sent.
 */
public final class FairRateLimiter {
  private final double tokensPerNano;
  private final double burst;
  private final LongSupplier nanoTime;
  private final Map<String, ArrayDeque<Ticket>> queues = new HashMap<>();
  private final ArrayDeque<String> turns = new ArrayDeque<>();
  private double tokens;
  private long refilledAt;
  private long granted;
  private LongSupplier sent = () -> 0;
  private long settled;

  private static final class Ticket {
    boolean granted;
  }

  public FairRateLimiter(int callsPerMinute) {
    this(callsPerMinute, System::nanoTime);
  }

  FairRateLimiter(int callsPerMinute, LongSupplier nanoTime) {
    if (callsPerMinute <= 0) {
      throw new IllegalArgumentException("callsPerMinute must be > 0, was " + callsPerMinute);
    }
    this.tokensPerNano = callsPerMinute / (double) Duration.ofMinutes(1).toNanos();
    this.burst = Math.max(1.0, callsPerMinute / 60.0);
    this.nanoTime = nanoTime;
    this.tokens = burst;
    this.refilledAt = nanoTime.getAsLong();
  }

  /** Blocks until {@code fleet} may make one call. */
  public void acquire(String fleet) throws InterruptedException {
    acquire(fleet, false);
  }

  /**
   * Blocks until {@code fleet} may make one call; {@code ahead}: its turn comes before every
   * fleet's. For the one call that saves all others theirs (the census: without it, every settled
   * fleet lists itself), which must not wait a round of a thousand queues on a spent budget.
   */
  public synchronized void acquire(String fleet, boolean ahead) throws InterruptedException {
    Ticket ticket = new Ticket();
    ArrayDeque<Ticket> queue = queues.computeIfAbsent(fleet, k -> new ArrayDeque<>());
    if (queue.isEmpty()) {
      if (ahead) {
        turns.addFirst(fleet);
      } else {
        turns.addLast(fleet);
      }
    }
    queue.addLast(ticket);
    try {
      while (!ticket.granted) {
        settle();
        refill();
        while (tokens >= 1.0 && !turns.isEmpty()) {
          grantNext();
        }
        if (!ticket.granted) {
          long waitNanos = (long) Math.ceil((1.0 - tokens) / tokensPerNano);
          long millis = Math.max(1, waitNanos / 1_000_000);
          wait(millis);
        }
      }
    } catch (InterruptedException e) {
      if (!ticket.granted) {
        queue.remove(ticket);
        if (queue.isEmpty()) {
          turns.remove(fleet);
          queues.remove(fleet);
        }
      }
      throw e;
    }
  }

  /** From now on, requests {@code sent} beyond the calls granted here are taken from the budget. */
  public synchronized void settleAgainst(LongSupplier sent) {
    this.sent = sent;
    this.settled = Math.max(0, sent.getAsLong() - granted);
  }

  /** Requests sent beyond the calls granted (pages, polls), taken from the budget so far. */
  public synchronized long settled() {
    settle();
    return settled;
  }

  /**
   * Takes what was sent beyond the grants from the bucket. A granted call's first request may
   * not be sent yet, so this can lag, never overcharge.
   */
  private void settle() {
    long extra = sent.getAsLong() - granted - settled;
    if (extra > 0) {
      tokens -= extra;
      settled += extra;
    }
  }

  /** Calls granted so far. */
  public synchronized long granted() {
    return granted;
  }

  /** Calls waiting for their turn. */
  synchronized int waiting() {
    return queues.values().stream().mapToInt(ArrayDeque::size).sum();
  }

  public int burst() {
    return (int) burst;
  }

  private void grantNext() {
    String fleet = turns.pollFirst();
    ArrayDeque<Ticket> queue = queues.get(fleet);
    queue.pollFirst().granted = true;
    tokens -= 1.0;
    granted++;
    if (queue.isEmpty()) {
      queues.remove(fleet);
    } else {
      turns.addLast(fleet);
    }
    notifyAll();
  }

  private void refill() {
    long now = nanoTime.getAsLong();
    tokens = Math.min(burst, tokens + (now - refilledAt) * tokensPerNano);
    refilledAt = now;
  }
}
