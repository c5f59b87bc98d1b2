package io.dustcloud.bench;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelSpec;
import io.dustcloud.binding.Bindings;
import io.dustcloud.operator.OperatorConfig;
import io.dustcloud.provider.local.LocalProvider;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.HttpLoad;
import io.dustcloud.testing.MockApiServer;
import io.dustcloud.testing.Unikernels;
import io.dustcloud.wiring.DustcloudOperator;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * {@code reaction_to_served_*}: from a load step to the first request answered by a NEW instance,
 * with the DEFAULT autoscaling spec (cpu, target 70, 60 s stable and 6 s panic windows), the
 * process runtime and the example app, whose answer names its instance ({@code --name=p{port}}).
 * Everything between counts: scrapes, the decision, the provider's start, the boot, the first
 * probe, joining the endpoint's rotation. Each step is a new one-instance fleet, idle for a few
 * seconds before the step (no waiting a minute for the last step's scale-in). The load is 4
 * clients, each request a new connection (a keep-alive client would only reach a new instance
 * when its connection is closed), each asking for 20 ms of CPU. No new instance within
 * {@link #DEADLINE} fails the benchmark.
 *
 * <p>The first step after the operator's start runs on a cold JVM (classes loading, the JIT
 * not yet at work, the host's first start of the app): it is reported on its own as
 * {@code reaction_to_served_cold_ms}, and the percentiles are over the {@link #STEPS} warm steps
 * after it — a production operator has been running. Each step prints its timeline: the
 * provider's call asking for more, the call's return (the instance started), the supervisor's
 * first observation of the new instance, the endpoint's update routing it, the first answer.
 */
final class ReactionToServed {
  /** Warm steps: enough that p95 is not the maximum of a handful. */
  static final int STEPS = 20;
  static final int CLIENTS = 4;
  static final Duration IDLE = Duration.ofSeconds(5);
  static final Duration DEADLINE = Duration.ofSeconds(90);

  private ReactionToServed() {}

  static void measure(BenchReport report) throws Exception {
    List<Long> toResize = new ArrayList<>();
    List<Long> ms = steps(toResize);
    report.put("reaction_to_served_cold_ms", ms.remove(0));
    toResize.remove(0);
    Collections.sort(ms);
    Collections.sort(toResize);
    report.put("reaction_to_served_p50_ms", percentile(ms, 0.50));
    report.put("reaction_to_served_p95_ms", percentile(ms, 0.95));
    report.put("reaction_to_served_max_ms", ms.get(ms.size() - 1));
    report.put("reaction_to_served_steps", ms.size());
    // the share of it that is the decision: load step to the provider's call asking for more
    report.put("reaction_to_served_resize_call_p50_ms", percentile(toResize, 0.50));
    report.put("reaction_to_served_resize_call_p95_ms", percentile(toResize, 0.95));
    report.put("reaction_to_served_load_average_1m", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  static long percentile(List<Long> sorted, double p) {
    return sorted.get((int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(p * sorted.size()) - 1)));
  }

  private static List<Long> steps(List<Long> toResize) throws Exception {
    Path dir = Files.createTempDirectory("reaction-served-bench");
    ExampleApp.binary();
    List<Long> times = new ArrayList<>();
    try (MockApiServer api = new MockApiServer()) {
      Resizes local = new Resizes(new LocalProvider(dir.resolve("local")));
      DustcloudOperator operator = new DustcloudOperator(api.client(), OperatorConfig.dev(dir, 0),
          Bindings.of(local), Clock.systemUTC()).start();
      try {
        for (int step = 0; step <= STEPS; step++) {
          String name = "served-" + step;
          Unikernel uk = Unikernels.local("default", name, ExampleApp.BINARY, 1, "--name=p{port}");
          UnikernelSpec defaults = new UnikernelSpec();
          uk.getSpec().scaling = defaults.scaling; // the default spec, all of it
          uk.getSpec().healthCheck = defaults.healthCheck;
          api.client().resource(uk).create();
          String endpoint = awaitReadyAtOne(api, name);
          String first = ExampleApp.get(endpoint, "/");
          Thread.sleep(IDLE.toMillis()); // the autoscaler's windows hold idle seconds, as a settled fleet's do
          local.reset();
          long start = System.nanoTime();
          long servedAt = 0;
          try (HttpLoad load = new HttpLoad(endpoint, CLIENTS, "/?cpu_ms=20", false)) {
            long deadline = start + DEADLINE.toNanos();
            while (servedAt == 0 && System.nanoTime() < deadline) {
              for (Map.Entry<String, Long> e : load.firstSeen.entrySet()) {
                if (!(e.getKey() + "\n").equals(first)) {
                  servedAt = e.getValue();
                }
              }
              Thread.sleep(5);
            }
          }
          if (servedAt == 0) {
            throw new AssertionError("step " + step + ": no request answered by a new instance within " + DEADLINE
                + "; status " + io.fabric8.kubernetes.client.utils.Serialization.asJson(get(api, name).getStatus()));
          }
          times.add((servedAt - start) / 1_000_000);
          long grew = local.grewAt.get();
          toResize.add(grew == 0 ? -1 : (grew - start) / 1_000_000);
          System.out.println("reaction to served, step " + step + (step == 0 ? " (cold)" : "") + ": "
              + times.get(times.size() - 1) + " ms; resize call " + since(start, grew) + ", call returned "
              + since(start, local.realizedAt.get()) + ", new instance observed " + since(start, local.observedAt.get())
              + ", routed " + since(start, local.routedAt.get()) + ", first answer " + since(start, servedAt));
          api.client().resource(get(api, name)).delete();
        }
      } finally {
        operator.close();
        ExampleApp.killDescendants();
      }
    }
    return times;
  }

  private static String since(long start, long at) {
    return at == 0 ? "-" : (at - start) / 1_000_000 + " ms";
  }

  /**
   * The local provider, noting (System.nanoTime) when a realize call first asks for more
   * instances than the last, when that call returns, when an observation first shows more than
   * one instance and when the endpoint is first told to route more than one.
   */
  static final class Resizes extends io.dustcloud.testing.ForwardingFleetProvider {
    final java.util.concurrent.atomic.AtomicLong grewAt = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong realizedAt = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong observedAt = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong routedAt = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong lastTotal = new java.util.concurrent.atomic.AtomicLong(-1);

    Resizes(io.dustcloud.provider.FleetProvider delegate) {
      super(delegate);
    }

    /** A new step: its fleet is at one instance. */
    void reset() {
      grewAt.set(0);
      realizedAt.set(0);
      observedAt.set(0);
      routedAt.set(0);
      lastTotal.set(1);
    }

    @Override
    public io.dustcloud.provider.FleetObservation realize(io.dustcloud.provider.DesiredFleet desired) {
      long before = lastTotal.getAndSet(desired.total());
      boolean grew = before >= 0 && desired.total() > before && grewAt.compareAndSet(0, System.nanoTime());
      io.dustcloud.provider.FleetObservation o = delegate.realize(desired);
      if (grew) {
        realizedAt.set(System.nanoTime());
      }
      return o;
    }

    @Override
    public io.dustcloud.provider.FleetObservation observe(io.dustcloud.provider.FleetId fleet) {
      io.dustcloud.provider.FleetObservation o = delegate.observe(fleet);
      if (grewAt.get() != 0 && o.instances().size() > 1) {
        observedAt.compareAndSet(0, System.nanoTime());
      }
      return o;
    }

    @Override
    public void updateReady(io.dustcloud.provider.FleetId fleet, java.util.Set<String> ready) {
      delegate.updateReady(fleet, ready);
      if (grewAt.get() != 0 && ready.size() > 1) {
        routedAt.compareAndSet(0, System.nanoTime());
      }
    }
  }

  private static String awaitReadyAtOne(MockApiServer api, String name) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      Unikernel uk = get(api, name);
      var st = uk == null ? null : uk.getStatus();
      if (st != null && st.readyReplicas != null && st.readyReplicas == 1 && st.endpoint != null
          && ExampleApp.get(st.endpoint, "/") != null) {
        return st.endpoint;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(name + " was not ready at one instance within 60 s");
  }

  private static Unikernel get(MockApiServer api, String name) {
    return api.client().resources(Unikernel.class).inNamespace("default").withName(name).get();
  }
}
