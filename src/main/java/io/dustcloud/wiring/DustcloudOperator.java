package io.dustcloud.wiring;

import io.dustcloud.binding.ArtifactResolvers;
import io.dustcloud.binding.Bindings;
import io.dustcloud.operator.BuildJobEvents;
import io.dustcloud.operator.EventRecorder;
import io.dustcloud.operator.FleetMetrics;
import io.dustcloud.operator.HealthServer;
import io.dustcloud.operator.InformerHealth;
import io.dustcloud.operator.OperatorConfig;
import io.dustcloud.operator.ProviderMetrics;
import io.dustcloud.operator.QueueTimingMetrics;
import io.dustcloud.operator.ReadProblemsCloner;
import io.dustcloud.operator.RevisionStore;
import io.dustcloud.operator.StatusWriter;
import io.dustcloud.operator.UnikernelReconciler;
import io.dustcloud.build.CloudArtifactResolver;
import io.dustcloud.build.LocalArtifactResolver;
import io.dustcloud.build.LocalArtifactStore;
import io.dustcloud.build.LocalBuilder;
import io.dustcloud.build.TrustedRoots;
import io.dustcloud.build.job.BuildIndex;
import io.dustcloud.build.job.BuildJobs;
import io.dustcloud.build.job.JobArtifactResolver;
import io.dustcloud.supervisor.Supervisors;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of the operator: JOSDK with the Unikernel reconciler, the supervisors,
 * the health and metrics endpoint. Providers are built by the caller (cluster mode, dev mode,
 * tests) and handed in as {@link Bindings}; the artifact resolvers (the local store and builder,
 * in-cluster build Jobs) are made here, where the client and the Event recorder are, and bound
 * to the providers registered without one.
 */
public final class DustcloudOperator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DustcloudOperator.class);
  // JOSDK's defaults, spelled out because the long constructor needs them
  private static final java.time.Duration LEASE_DURATION = java.time.Duration.ofSeconds(15);
  private static final java.time.Duration RENEW_DEADLINE = java.time.Duration.ofSeconds(10);
  private static final java.time.Duration RETRY_PERIOD = java.time.Duration.ofSeconds(2);
  static final java.time.Duration MAX_RECONCILE_INTERVAL = java.time.Duration.ofSeconds(60);
  /**
   * A failed reconcile (a 409 on a status write, an API server hiccup) is retried from 0.5 s,
   * doubling to 30 s, and never given up: JOSDK's default stops after 5 attempts, and a fleet
   * whose last write lost five coin flips then waited for the next event or the 60 s sweep
   * (seen with half of all status writes refused in ApiServerFaultsTest).
   */
  static final io.javaoperatorsdk.operator.processing.retry.GenericRetry RETRY =
      new io.javaoperatorsdk.operator.processing.retry.GenericRetry()
          .setInitialInterval(500).setIntervalMultiplier(2).setMaxInterval(30_000).withoutMaxAttempts();

  private final Operator operator;
  private final Supervisors supervisors;
  private final LocalBuilder builder;
  private final HealthServer health;
  private final Bindings providers;
  private final EventRecorder events;
  private final PrometheusMeterRegistry registry;
  private final QueueTimingMetrics queueMetrics;

  private volatile boolean closing;
  private boolean providersClosed;
  private final InformerHealth informers = new InformerHealth(() -> closing);

  public DustcloudOperator(
      KubernetesClient client, OperatorConfig config, Bindings providers, Clock clock)
      throws IOException {
    this(client, config, providers, clock, () -> System.exit(1));
  }

  /**
   * @param onLostLeadership what to do when leadership is lost other than by closing: in a Pod,
   *     exit so Kubernetes restarts it as a follower (a former leader must not keep acting)
   */
  public DustcloudOperator(
      KubernetesClient client, OperatorConfig config, Bindings providers, Clock clock,
      Runnable onLostLeadership)
      throws IOException {
    // first: a port that is taken must end the start before any thread or listener exists (what
    // could fail after it is no listener, and both entry points exit when the start fails)
    this.health = HealthServer.bind(config.httpAddress(), config.httpPort());
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    this.supervisors = new Supervisors(clock, config.tick(), registry);
    LocalArtifactStore store = new LocalArtifactStore(config.stateDir().resolve("artifacts"));
    this.builder = new LocalBuilder(store, config.stateDir().resolve("builds"), config.buildTimeout(), clock);
    this.events = new EventRecorder(client, clock);
    io.micrometer.core.instrument.FunctionCounter.builder("dustcloud.events.dropped", events, EventRecorder::dropped)
        .description("Events not written because the queue to the API server was full").register(registry);
    io.micrometer.core.instrument.Gauge.builder("dustcloud.events.pending", events, EventRecorder::pending)
        .description("Event writes waiting for the API server").register(registry);
    var inClusterBuilds = new JobArtifactResolver(new BuildJobs(client), new BuildIndex(client),
        new BuildJobEvents(events), clock);
    this.providers = providers
        .bind(new ArtifactResolvers(new LocalArtifactResolver(store, builder, new TrustedRoots(config.trustedRoots())), new CloudArtifactResolver(inClusterBuilds)))
        .decorated(p -> new ProviderMetrics(p, registry));
    UnikernelReconciler reconciler =
        new UnikernelReconciler(
            this.providers,
            supervisors,
            new RevisionStore(client),
            events,
            new FleetMetrics(registry),
            new StatusWriter(client),
            clock);
    // not per resource: JOSDK's per-resource meters (a 69-bucket histogram per fleet) made the
    // scrape of an operator with 1,000 fleets 130,000 lines; fleets have their own gauges
    this.queueMetrics = new QueueTimingMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry), registry);
    this.operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client)
                  // the in-memory API server of dev mode and tests has no server-side apply
                  .withUseSSAToPatchPrimaryResource(false)
                  .withCloseClientOnStop(false)
                  .checkingCRDAndValidateLocalModel(false)
                  .withMetrics(queueMetrics)
                  // keeps what the lenient readers found on the copy JOSDK hands the reconciler
                  .withResourceCloner(new ReadProblemsCloner(client.getKubernetesSerialization()))
                  // Startup stays strict: an operator that cannot list its resources at all (no
                  // CRD, no RBAC) exits non-zero and is restarted with backoff, in plain sight.
                  .withStopOnInformerErrorDuringStartup(true)
                  // After startup, JOSDK's default exits the JVM when an informer stops (it did,
                  // for one object it could not read). Objects no longer fail to read
                  // (LenientReader), and fabric8 retries a failed list or dropped watch itself;
                  // an informer that stops anyway makes /readyz answer 503 instead.
                  .withInformerStoppedHandler(informers);
              if (config.leaderElection()) {
                o.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(OperatorConfig.LEASE_NAME, config.leaseNamespace(),
                        LEASE_DURATION, RENEW_DEADLINE, RETRY_PERIOD, identity(),
                        new LeaderCallbacks(
                            () -> log.info("became the leader"),
                            () -> {
                              if (!closing) {
                                log.error("lost leadership; stopping");
                                onLostLeadership.run();
                              }
                            },
                            leader -> log.info("leader is {}", leader)),
                        false));
              }
            });
    operator.register(
        reconciler,
        c -> {
          c.withName("unikernel");
          // a fleet whose retries ran out (a flapping API server) is looked at again anyway
          c.withReconciliationMaxInterval(MAX_RECONCILE_INTERVAL);
          c.withRetry(RETRY);
          if (config.watchNamespaces().isEmpty()) {
            c.watchingAllNamespaces();
          } else {
            c.settingNamespaces(config.watchNamespaces());
          }
        });
    health.serve(
        () -> operator.getRuntimeInfo().isStarted() && operator.getRuntimeInfo().allEventSourcesAreHealthy(),
        // not ready while an informer is stopped: the operator would act on a stale view
        () -> operator.getRuntimeInfo().isStarted() && informers.healthy(),
        registry);
  }

  /** The kind of the first informer that stopped with an error, if any (tests, diagnostics). */
  public java.util.Optional<String> stoppedInformer() {
    return informers.stopped();
  }

  public DustcloudOperator start() {
    operator.start();
    log.info("operator started; health and metrics on port {}", health.port());
    return this;
  }

  public int httpPort() {
    return health.port();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** {@code dustcloud_reconcile_queue_seconds}: event received to reconcile started. */
  public io.micrometer.core.instrument.Timer reconcileQueue() {
    return queueMetrics.queue();
  }

  private static String identity() {
    String pod = System.getenv("POD_NAME");
    if (pod != null && !pod.isBlank()) {
      return pod;
    }
    try {
      return InetAddress.getLocalHost().getHostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    } catch (IOException e) {
      return "dustcloud-" + UUID.randomUUID();
    }
  }

  /** The address and port of health and metrics. */
  public java.net.InetSocketAddress httpAddress() {
    return health.address();
  }

  /**
   * Stops everything that acts on fleets (JOSDK, the supervisors, Events, builds, the health
   * endpoint) and leaves the providers open, so a caller that owns the instances (dev mode) can
   * still stop them through the provider before {@link #close}. Idempotent.
   */
  void stopActing() {
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
    }
    try {
      operator.stop();
    } catch (RuntimeException e) {
      log.warn("stopping JOSDK: {}", e.getMessage());
    }
    supervisors.close();
    events.close();
    builder.close();
    health.close();
  }

  /** Stops reconciling; instances keep running so a restarted operator adopts them. Idempotent. */
  @Override
  public void close() {
    try {
      stopActing();
    } finally {
      closeProviders();
    }
  }

  private void closeProviders() {
    synchronized (this) {
      if (providersClosed) {
        return;
      }
      providersClosed = true;
    }
    providers.close();
  }
}
