package io.dustcloud.reliability;

import io.dustcloud.api.CrdFiles;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelStatus;
import io.dustcloud.dev.DevApiServer;
import io.dustcloud.operator.Conditions;
import io.dustcloud.operator.StatusConditions;
import io.dustcloud.testing.OperatorProcess;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Kills the operator JVM ({@code kill -9}) at random points while it creates, scales, rolls out,
 * rolls back and deletes a fleet, restarts it, and checks the end state after every kill: the
 * fleet converges, no instance (or cloud resource) exists twice, nothing is left after delete.
 *
 * <p>The API server ({@link DevApiServer}) lives in the test JVM and survives the kills. Kill
 * points are drawn from a seeded {@link Random}: {@code -Dcrash.seed=N} replays a run.
 */
public final class CrashHarness implements AutoCloseable {
  public static final String NS = "default";

  /** What differs between providers. */
  public interface Backend extends AutoCloseable {
    /** Extra operator environment ({@code DUSTCLOUD_*}). */
    Map<String, String> env();

    Unikernel fleet(String name, int replicas, String version);

    /** Instances (or instance-like resources) of the fleet that exist now. */
    int instances(String name);

    /** Problems that mean "a duplicate exists" now that the fleet has converged to {@code replicas}. */
    List<String> duplicates(String name, int replicas, KubernetesClient client);

    /** Everything of the fleet still there after its Unikernel is gone. */
    List<String> leftovers(String name);

    @Override
    void close();
  }

  /** Figures of one run. */
  public record Result(long seed, int kills, int killsConverged, int duplicates, int orphans, List<String> failures) {}

  private final Path dir;
  private final Backend backend;
  private final Random random;
  private final long seed;
  private final Duration convergeTimeout;
  private final DevApiServer api;
  private final KubernetesClient client;
  private final Path log;
  private OperatorProcess operator;
  private int restarts;

  public CrashHarness(Path dir, Backend backend, long seed, Duration convergeTimeout) {
    this.dir = dir;
    this.backend = backend;
    this.seed = seed;
    this.random = new Random(seed);
    this.convergeTimeout = convergeTimeout;
    this.api = DevApiServer.start("127.0.0.1", 0);
    api.installCrds(CrdFiles.load());
    this.client = api.client();
    this.log = dir.resolve("operator.log");
    System.out.println("crash harness seed=" + seed + " (replay with -Dcrash.seed=" + seed + "), operator log " + log);
  }

  /** {@code -Dcrash.seed} or a fresh one. */
  public static long seed() {
    String s = System.getProperty("crash.seed", "");
    return s.isBlank() ? System.nanoTime() : Long.parseLong(s);
  }

  public KubernetesClient client() {
    return client;
  }

  public Map<String, String> baseEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("KUBECONFIG", api.writeKubeconfig(dir.resolve("kubeconfig")).toString());
    env.put("DUSTCLOUD_LEADER_ELECTION", "false");
    env.put("DUSTCLOUD_HTTP_PORT", "0");
    env.put("DUSTCLOUD_STATE_DIR", dir.resolve("state").toString());
    env.put("DUSTCLOUD_LOCAL_PROVIDER", "false");
    env.putAll(backend.env());
    return env;
  }

  private void startOperator() {
    restarts++;
    operator = OperatorProcess.start(baseEnv(), log);
  }

  /** One step of a cycle: a change, then what "converged" means. */
  private record Step(String name, Consumer<KubernetesClient> change, Expect expect) {}

  private record Expect(int replicas, String revision, boolean gone) {}

  /**
   * Runs {@code cycles} of create, scale, rollout, rollback, delete (5 kills per cycle) or, when
   * {@code maxKills} is smaller, stops after that many kills.
   */
  public Result run(String name, int cycles, int maxKills, long maxKillDelayMillis) {
    List<String> failures = new ArrayList<>();
    int kills = 0;
    int converged = 0;
    int duplicates = 0;
    int orphans = 0;
    startOperator();
    try {
      for (int cycle = 0; cycle < cycles && kills < maxKills; cycle++) {
        String[] v1 = new String[1];
        List<Step> steps = List.of(
            new Step("create", c -> c.resource(backend.fleet(name, 2, "v1")).create(), new Expect(2, null, false)),
            new Step("scale", c -> edit(c, name, uk -> uk.getSpec().scaling.minReplicas = 3), new Expect(3, null, false)),
            new Step("rollout", c -> edit(c, name, uk -> uk.getSpec().bootArgs = versionArgs(uk, "v2")),
                new Expect(3, null, false)),
            new Step("rollback", c -> edit(c, name, uk -> uk.getSpec().revision = v1[0]), new Expect(3, "v1", false)),
            new Step("delete", c -> c.resources(Unikernel.class).inNamespace(NS).withName(name).delete(),
                new Expect(0, null, true)));
        for (Step step : steps) {
          if (kills >= maxKills) {
            break;
          }
          String before = revision(name);
          step.change().accept(client);
          long delay = (long) (random.nextDouble() * maxKillDelayMillis);
          sleep(delay);
          operator.kill9();
          kills++;
          String where = "seed=" + seed + " cycle " + cycle + " step " + step.name() + " killed after " + delay + " ms";
          startOperator();
          String expectedRevision = step.expect().revision() == null ? null : v1[0];
          String problem = awaitConverged(name, step.expect(), expectedRevision, step.name().equals("rollout") ? before : null);
          if (problem != null) {
            failures.add(where + ": did not converge: " + problem);
            System.out.println("crash: " + where + ": NOT converged: " + problem);
            // start the next cycle from a clean slate
            return new Result(seed, kills, converged, duplicates, orphans, failures);
          }
          converged++;
          if (step.expect().gone()) {
            List<String> left = awaitLeftovers(name);
            if (!left.isEmpty()) {
              orphans += left.size();
              failures.add(where + ": left behind after delete: " + left);
            }
          } else {
            List<String> dup = backend.duplicates(name, step.expect().replicas(), client);
            if (!dup.isEmpty()) {
              duplicates += dup.size();
              failures.add(where + ": duplicates: " + dup);
            }
          }
          if (step.name().equals("create")) {
            v1[0] = revision(name);
          }
          System.out.println("crash: " + where + ": converged");
        }
      }
    } finally {
      operator.close();
    }
    return new Result(seed, kills, converged, duplicates, orphans, failures);
  }

  public String operatorLogTail() {
    return OperatorProcess.tail(log, 60);
  }

  private static List<String> versionArgs(Unikernel uk, String version) {
    List<String> args = new ArrayList<>(uk.getSpec().bootArgs);
    args.removeIf(a -> a.startsWith("--version="));
    args.add("--version=" + version);
    return args;
  }

  private String revision(String name) {
    Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName(name).get();
    return uk == null || uk.getStatus() == null ? null : uk.getStatus().currentRevision;
  }

  /**
   * A read-modify-write of the spec, retried on 409 as client-go's RetryOnConflict does: the
   * operator writes status (and so the resourceVersion) between the read and the write whenever
   * it likes, and a user's client has to read again then, as this one does.
   */
  private static void edit(KubernetesClient c, String name, Consumer<Unikernel> change) {
    for (int attempt = 1; ; attempt++) {
      Unikernel uk = c.resources(Unikernel.class).inNamespace(NS).withName(name).get();
      change.accept(uk);
      uk.getMetadata().setManagedFields(null);
      try {
        c.resource(uk).update();
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 10) {
          throw e;
        }
      }
    }
  }

  /** null when converged, else what is still wrong at the deadline. */
  private String awaitConverged(String name, Expect expect, String revision, String notRevision) {
    long deadline = System.nanoTime() + convergeTimeout.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      if (!operator.isAlive()) {
        return "the restarted operator exited; log:\n" + operatorLogTail();
      }
      Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName(name).get();
      if (expect.gone()) {
        if (uk == null) {
          return null;
        }
        last = "Unikernel still there, finalizers " + uk.getMetadata().getFinalizers();
      } else {
        last = check(uk, expect.replicas(), revision, notRevision, backend.instances(name));
        if (last == null) {
          return null;
        }
      }
      sleep(250);
    }
    return last;
  }

  public static String check(Unikernel uk, int replicas, String revision, String notRevision, int instances) {
    if (uk == null || uk.getStatus() == null) {
      return "no status";
    }
    UnikernelStatus s = uk.getStatus();
    String summary = "generation " + uk.getMetadata().getGeneration() + " observed " + s.observedGeneration
        + ", replicas " + s.replicas + " ready " + s.readyReplicas + " updated " + s.updatedReplicas
        + ", current " + s.currentRevision + ", instances " + instances + ", conditions "
        + s.conditions.stream().map(c -> c.type + "=" + c.status + "(" + c.reason + ": " + c.message + ")").toList();
    boolean ok = uk.getMetadata().getGeneration().equals(s.observedGeneration)
        && StatusConditions.isTrue(s.conditions, Conditions.READY)
        && Integer.valueOf(replicas).equals(s.replicas)
        && Integer.valueOf(replicas).equals(s.readyReplicas)
        && Integer.valueOf(replicas).equals(s.updatedReplicas)
        && (revision == null || revision.equals(s.currentRevision))
        && (notRevision == null || !notRevision.equals(s.currentRevision))
        && instances == replicas;
    return ok ? null : summary;
  }

  private List<String> awaitLeftovers(String name) {
    // the Unikernel is gone once the finalizer ran; give a stopping instance its grace period
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    List<String> left = backend.leftovers(name);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      sleep(250);
      left = backend.leftovers(name);
    }
    return left;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static void sleepQuietly(long millis) {
    sleep(millis);
  }

  public int restarts() {
    return restarts;
  }

  @Override
  public void close() {
    if (operator != null) {
      operator.close();
    }
    backend.close();
    api.close();
  }
}
