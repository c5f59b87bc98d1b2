package io.dustcloud.operator;

/**
 * Keeps {@link java.util.concurrent.CompletableFuture} off its thread-per-task fallback.
 *
 * <p>With two CPUs or fewer (a small node, or a container CPU limit of 2) the JDK's common pool
 * has a parallelism of 1, and then every asynchronous {@code CompletableFuture} step without an
 * executor runs on a brand-new thread — including a step inside every
 * {@code HttpClient.sendAsync} of JDK 17. The operator sends thousands of probes and scrapes a
 * second: with 1,000 fleets that was 145,000 threads started in four minutes and two thirds of
 * the operator's CPU spent in the kernel. {@link #ensureParallel()} must run before anything
 * touches {@code CompletableFuture}: first thing in {@code main}.
 */
public final class CommonPool {
  static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  private CommonPool() {}

  /** Sets the common pool's parallelism to at least 2, unless the JVM was told otherwise. */
  public static void ensureParallel() {
    if (System.getProperty(PARALLELISM) == null) {
      System.setProperty(PARALLELISM, Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
  }
}
