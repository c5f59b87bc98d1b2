package io.dustcloud.bench;

import io.dustcloud.api.CrdFiles;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.dev.DevApiServer;
import io.dustcloud.operator.Conditions;
import io.dustcloud.operator.StatusConditions;
import io.dustcloud.reliability.CrashHarness;
import io.dustcloud.reliability.GceCrashBackend;
import io.dustcloud.reliability.LocalCrashBackend;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.OperatorProcess;
import io.dustcloud.testing.Unikernels;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code scale}: the operator as its own JVM (so its CPU and heap are its own) against the dev
 * API server in this JVM, with
 *
 * <ul>
 *   <li>{@code gce_*}: 1,000 fleets of one instance on the GCE fake (this JVM);
 *   <li>{@code local_*}: 40 fleets × 5 instances of the example app = 200 local processes;
 *   <li>crash figures ({@code kills}, {@code kills_converged}, {@code duplicates}, {@code orphans}):
 *       the crash harness, 20 kills on the local provider and 20 on the GCE fake.
 * </ul>
 *
 * and {@code idle_cores_per_1000_fleets} ({@link IdleCost}).
 *
 * {@code -Dscale.parts=idle,crash,gce,local} picks parts; {@code -Dscale.gceFleets=N} and
 * {@code -Dcrash.seed=N} change the run. {@code seconds_to_converge} is the larger of the two
 * fleet runs; {@code peak_heap_mib}, {@code operator_cpu_seconds} and
 * {@code reconcile_queue_p95_ms} are the operator JVM's, reported per run.
 */
class ScaleBench {
  static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? ([-+0-9.eEInfNa]+)$");

  @Test
  void scale() throws Exception {
    BenchReport report = BenchReport.selected("scale");
    Set<String> parts = Set.of(System.getProperty("scale.parts", "idle,crash,gce,local").split(","));
    double converge = 0;
    // a run that does not converge fails the benchmark (after its figures are out): its
    // "seconds to converge" would only be the deadline
    List<String> notConverged = new ArrayList<>();
    if (parts.contains("idle")) {
      IdleCost.measure(report);
    }
    if (parts.contains("gce")) {
      int fleets = Integer.getInteger("scale.gceFleets", 1000);
      Figures f = fleetRun("gce", fleets, 1, Duration.ofSeconds(Long.getLong("scale.deadlineSeconds", 900)));
      report.put("gce_fleets", fleets).put("gce_fleets_ready", f.ready)
          .put("gce_seconds_to_converge", f.seconds).put("gce_seconds_to_create", f.createSeconds)
          .put("gce_seconds_after_last_create", f.seconds - f.createSeconds)
          .put("gce_steady_operator_cpu_cores", f.steadyCores)
          .put("gce_peak_heap_mib", f.peakHeapMib)
          .put("gce_operator_cpu_seconds", f.cpuSeconds).put("gce_reconcile_queue_p95_ms", f.queueP95Ms)
          .put("gce_reconcile_queue_max_ms", f.queueMaxMs);
      converge = Math.max(converge, f.seconds);
      if (f.ready != fleets) {
        notConverged.add("gce: " + f.ready + " of " + fleets + " fleets ready after " + f.seconds + " s");
      }
      report.put("peak_heap_mib", f.peakHeapMib).put("operator_cpu_seconds", f.cpuSeconds)
          .put("reconcile_queue_p95_ms", f.queueP95Ms);
    }
    if (parts.contains("local")) {
      Figures f = fleetRun("local", 40, 5, Duration.ofMinutes(10));
      report.put("local_instances", 200).put("local_fleets_ready_of_40", f.ready)
          .put("local_seconds_to_converge", f.seconds).put("local_seconds_to_create", f.createSeconds)
          .put("local_seconds_after_last_create", f.seconds - f.createSeconds)
          .put("local_steady_operator_cpu_cores", f.steadyCores)
          .put("local_peak_heap_mib", f.peakHeapMib)
          .put("local_operator_cpu_seconds", f.cpuSeconds).put("local_reconcile_queue_p95_ms", f.queueP95Ms)
          .put("local_reconcile_queue_max_ms", f.queueMaxMs);
      converge = Math.max(converge, f.seconds);
      if (f.ready != 40) {
        notConverged.add("local: " + f.ready + " of 40 fleets ready after " + f.seconds + " s");
      }
    }
    if (converge > 0 && notConverged.isEmpty()) {
      report.put("seconds_to_converge", converge);
    }
    if (parts.contains("crash")) {
      long seed = CrashHarness.seed();
      report.put("crash_seed", Long.toString(seed));
      List<CrashHarness.Result> results = new ArrayList<>();
      Path local = Files.createTempDirectory("scale-crash-local");
      try (CrashHarness h = new CrashHarness(local, new LocalCrashBackend(local), seed, Duration.ofSeconds(120))) {
        results.add(h.run("crashy", 4, 20, 3000));
      }
      Path gce = Files.createTempDirectory("scale-crash-gce");
      try (CrashHarness h = new CrashHarness(gce, new GceCrashBackend(), seed + 1, Duration.ofSeconds(120))) {
        results.add(h.run("crashy", 4, 20, 3000));
      }
      report.put("kills", results.stream().mapToInt(CrashHarness.Result::kills).sum())
          .put("kills_converged", results.stream().mapToInt(CrashHarness.Result::killsConverged).sum())
          .put("duplicates", results.stream().mapToInt(CrashHarness.Result::duplicates).sum())
          .put("orphans", results.stream().mapToInt(CrashHarness.Result::orphans).sum())
          .put("kills_local", results.get(0).kills()).put("kills_converged_local", results.get(0).killsConverged())
          .put("kills_gce", results.get(1).kills()).put("kills_converged_gce", results.get(1).killsConverged());
      results.forEach(r -> r.failures().forEach(f -> System.out.println("crash failure: " + f)));
    }
    report.write();
    if (!notConverged.isEmpty()) {
      throw new AssertionError("scale did not converge: " + String.join("; ", notConverged));
    }
  }

  static final int STEADY_SECONDS = 30;

  record Figures(int ready, double seconds, double createSeconds, double steadyCores, double peakHeapMib, double cpuSeconds, double queueP95Ms, double queueMaxMs) {}

  /** {@code fleets} Unikernels of {@code replicas} created at once; until all are Ready (or the deadline). */
  static Figures fleetRun(String provider, int fleets, int replicas, Duration deadline) throws Exception {
    Path dir = Files.createTempDirectory("scale-" + provider);
    GceCrashBackend gce = provider.equals("gce") ? new GceCrashBackend() : null;
    LocalCrashBackend local = provider.equals("local") ? new LocalCrashBackend(dir) : null;
    CrashHarness.Backend backend = gce != null ? gce : local;
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (DevApiServer api = DevApiServer.start("127.0.0.1", 0)) {
      api.installCrds(CrdFiles.load());
      KubernetesClient client = api.client();
      Map<String, String> env = new HashMap<>(backend.env());
      env.put("KUBECONFIG", api.writeKubeconfig(dir.resolve("kubeconfig")).toString());
      env.put("DUSTCLOUD_LEADER_ELECTION", "false");
      env.put("DUSTCLOUD_HTTP_PORT", Integer.toString(port));
      env.put("DUSTCLOUD_STATE_DIR", dir.resolve("state").toString());
      env.put("DUSTCLOUD_LOG_LEVEL", "WARN");
      if (gce != null) {
        // the fake is on this host: the budget is not what is measured here
        env.put("DUSTCLOUD_GCE_CALLS_PER_MINUTE", "60000");
        env.put("DUSTCLOUD_GCE_OBSERVE_SECONDS", "10");
      }
      Path log = dir.resolve("operator.log");
      List<String> jvm = new ArrayList<>(List.of("-Xmx2g", "-XX:+UseSerialGC"));
      // e.g. -Dscale.operatorJvm=-XX:StartFlightRecording=filename=/tmp/op.jfr to profile the operator
      String extra = System.getProperty("scale.operatorJvm", "");
      if (!extra.isBlank()) {
        jvm.addAll(List.of(extra.trim().split("\\s+")));
      }
      try (OperatorProcess operator = OperatorProcess.start(env, log, jvm)) {
        AtomicLong peakHeap = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        HttpClient http = HttpClient.newHttpClient();
        Thread sampler = new Thread(() -> {
          while (sampling.get()) {
            Map<String, Double> m = scrape(http, port);
            double heap = m.entrySet().stream().filter(e -> e.getKey().startsWith("jvm_memory_used_bytes{area=\"heap\""))
                .mapToDouble(Map.Entry::getValue).sum();
            peakHeap.accumulateAndGet((long) heap, Math::max);
            // not every 0.5 s: rendering the metrics of 1,000 fleets is work a Prometheus scraping
            // every 15 s would cause 30 times less often
            CrashHarness.sleepQuietly(5000);
          }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        while (scrape(http, port).isEmpty()) {
          CrashHarness.sleepQuietly(200);
        }
        long start = System.nanoTime();
        for (int i = 0; i < fleets; i++) {
          String ns = "default";
          String name = "app-" + i;
          Unikernel uk = gce != null ? gce.fleet(name, replicas, "v1") : local.fleet(name, replicas, "v1");
          uk.getMetadata().setNamespace(ns);
          uk.getSpec().healthCheck.periodSeconds = 10;
          client.resource(uk).create();
        }
        double createSeconds = (System.nanoTime() - start) / 1e9;
        int ready = 0;
        long end = start + deadline.toNanos();
        while (System.nanoTime() < end) {
          ready = (int) client.resources(Unikernel.class).inNamespace("default").list().getItems().stream()
              .filter(u -> u.getStatus() != null && StatusConditions.isTrue(u.getStatus().conditions, Conditions.READY)
                  && Integer.valueOf(replicas).equals(u.getStatus().readyReplicas))
              .count();
          System.out.println(provider + ": " + ready + "/" + fleets + " fleets ready after "
              + (System.nanoTime() - start) / 1_000_000_000 + " s");
          if (ready == fleets || !operator.isAlive()) {
            break;
          }
          CrashHarness.sleepQuietly(fleets > 100 ? 5000 : 1000);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Double> m = scrape(http, port);
        double cpu = operator.cpu().toMillis() / 1000.0;
        // at rest: what supervising the converged fleets costs (probes, observations, resyncs)
        double steadyCores = Double.NaN;
        if (ready == fleets) {
          long cpuBefore = operator.cpu().toMillis();
          long t0 = System.nanoTime();
          CrashHarness.sleepQuietly(STEADY_SECONDS * 1000L);
          steadyCores = (operator.cpu().toMillis() - cpuBefore) / ((System.nanoTime() - t0) / 1e6);
        }
        sampling.set(false);
        sampler.join();
        System.out.println(provider + ": operator threads " + operator.threads());
        if (ready != fleets) {
          System.out.println(provider + ": did not converge; operator log:\n" + operator.tail(40));
        }
        return new Figures(ready, seconds, createSeconds, steadyCores, peakHeap.get() / 1048576.0, cpu,
            1000 * m.getOrDefault("dustcloud_reconcile_queue_seconds{quantile=\"0.95\"}", Double.NaN),
            1000 * m.getOrDefault("dustcloud_reconcile_queue_seconds_max", Double.NaN));
      }
    } finally {
      backend.close();
    }
  }

  /** The operator's /metrics as series → value; empty while it is not up. */
  static Map<String, Double> scrape(HttpClient http, int port) {
    Map<String, Double> samples = new HashMap<>();
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      for (String line : r.body().split("\n")) {
        Matcher mm = SAMPLE.matcher(line);
        if (!line.startsWith("#") && mm.matches()) {
          samples.put(mm.group(1) + (mm.group(2) == null ? "" : mm.group(2)), Double.parseDouble(mm.group(3)));
        }
      }
    } catch (IOException | RuntimeException e) {
      return Map.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return samples;
  }
}
