package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.api.v1alpha1.BuildSpec;
import io.dustcloud.api.v1alpha1.GceProviderSpec;
import io.dustcloud.api.v1alpha1.ImageSource;
import io.dustcloud.api.v1alpha1.LocalProviderSpec;
import io.dustcloud.api.v1alpha1.ProviderSpec;
import io.dustcloud.api.v1alpha1.ScalingSpec;
import io.dustcloud.api.v1alpha1.UnikernelSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One row per rule of {@link SpecValidator}: each broken spec yields exactly its message. */
class SpecValidatorTest {
  static final String SHA = "0123456789abcdef".repeat(4);

  static final String ONE_SOURCE = "exactly one of spec.image or spec.build must be set";
  static final String URL = "spec.image.url is required";
  static final String SHA256 = "spec.image.sha256 must be 64 lowercase hex characters";
  static final String SOURCE = "exactly one of spec.build.source or spec.build.git must be set";
  static final String COMMIT = SpecValidator.COMMIT_NOT_SHA;
  static final String PINNED = SpecValidator.BUILDER_NOT_PINNED;
  static final String LOCK = SpecValidator.LOCK_FILE_REQUIRED;
  static final String COMMIT_SHA = "0123456789abcdef0123456789abcdef01234567";
  static final String IMAGE = "ghcr.io/acme/mirage-builder@sha256:" + SHA;
  static final String PATH = "spec.build.source.path is required";
  static final String ARTIFACT = "spec.build.source.artifact must be a relative path inside the source directory";
  static final String PROVIDER = "spec.provider is required";
  static final String ONE_PROVIDER = "exactly one of provider.gce or provider.local must be set";
  static final String PROJECT = "provider.gce.project must be a GCE project id (6-30 lowercase letters, digits, hyphens)";
  static final String ZONE_OR_REGION = "exactly one of gce.zone or gce.region must be set";
  static final String BOOT_ARGS_COUNT = "spec.bootArgs may hold at most 64 arguments";
  static final String BOOT_ARG = "spec.bootArgs entries must be non-null strings of at most 1024 characters without NUL";
  static final String MIN = "scaling.minReplicas must be between 0 and 1000";
  static final String MAX = "scaling.maxReplicas must be between 1 and 1000";
  static final String MIN_LE_MAX = "scaling.minReplicas must be less than or equal to scaling.maxReplicas";
  static final String HEALTH_PATH = "healthCheck.http.path must start with '/' and contain no whitespace";

  /** A valid local spec running a prebuilt image. */
  static UnikernelSpec valid() {
    UnikernelSpec s = new UnikernelSpec();
    s.image = new ImageSource();
    s.image.url = "/opt/unikernels/hello.bin";
    s.image.sha256 = SHA;
    s.provider = new ProviderSpec();
    s.provider.local = new LocalProviderSpec();
    return s;
  }

  static BuildSpec build(String path, String artifact) {
    BuildSpec b = new BuildSpec();
    b.source = new BuildSpec.LocalSource();
    b.source.path = path;
    b.source.artifact = artifact;
    return b;
  }

  static GceProviderSpec gce(String project, String zone, String region) {
    GceProviderSpec g = new GceProviderSpec();
    g.project = project;
    g.zone = zone;
    g.region = region;
    return g;
  }

  static void useBuild(UnikernelSpec s, String path, String artifact) {
    s.image = null;
    s.build = build(path, artifact);
  }

  /** A valid in-cluster build from Git. */
  static BuildSpec git(UnikernelSpec s) {
    s.image = null;
    s.build = new BuildSpec();
    s.build.git = new BuildSpec.GitSource();
    s.build.git.url = "https://github.com/acme/hello.git";
    s.build.git.commit = COMMIT_SHA;
    s.build.builderImage = IMAGE;
    s.build.lockFile = "mirage/hello-virtio.opam.locked";
    s.build.outputBucket = "gs://acme-unikernels/dustcloud";
    return s.build;
  }

  static void useGce(UnikernelSpec s, GceProviderSpec g) {
    s.provider.local = null;
    s.provider.gce = g;
  }

  static Arguments row(String name, Consumer<UnikernelSpec> change, String... expected) {
    return Arguments.of(name, change, List.of(expected));
  }

  static Stream<Arguments> rules() {
    return Stream.of(
        // image xor build
        row("neither image nor build", s -> s.image = null, ONE_SOURCE),
        row("both image and build", s -> s.build = build("/src", "out.bin"), ONE_SOURCE),
        // image
        row("image url missing", s -> s.image.url = null, URL),
        row("image url blank", s -> s.image.url = "  ", URL),
        row("sha256 missing", s -> s.image.sha256 = null, SHA256),
        row("sha256 upper case", s -> s.image.sha256 = SHA.toUpperCase(), SHA256),
        row("sha256 63 characters", s -> s.image.sha256 = SHA.substring(1), SHA256),
        row("sha256 65 characters", s -> s.image.sha256 = SHA + "0", SHA256),
        row("sha256 not hex", s -> s.image.sha256 = "g" + SHA.substring(1), SHA256),
        // build
        row("build without source", s -> { s.image = null; s.build = new BuildSpec(); }, SOURCE),
        row("build path blank", s -> useBuild(s, " ", "out.bin"), PATH),
        row("build path missing", s -> useBuild(s, null, "out.bin"), PATH),
        row("artifact absolute", s -> useBuild(s, "/src", "/etc/passwd"), ARTIFACT),
        row("artifact escapes with ..", s -> useBuild(s, "/src", "../out.bin"), ARTIFACT),
        row("artifact escapes with inner ..", s -> useBuild(s, "/src", "build/../../out.bin"), ARTIFACT),
        row("artifact blank", s -> useBuild(s, "/src", " "), ARTIFACT),
        row("artifact missing", s -> useBuild(s, "/src", null), ARTIFACT),
        // git builds
        row("git and source", s -> git(s).source = build("/src", "a").source, SOURCE),
        row("git branch name", s -> git(s).git.commit = "main", COMMIT),
        row("git tag", s -> git(s).git.commit = "v1.2.0", COMMIT),
        row("git short sha", s -> git(s).git.commit = COMMIT_SHA.substring(0, 12), COMMIT),
        row("git sha upper case", s -> git(s).git.commit = COMMIT_SHA.toUpperCase(), COMMIT),
        row("git commit missing", s -> git(s).git.commit = null, COMMIT),
        row("git url not https or ssh", s -> git(s).git.url = "file:///etc", "spec.build.git.url must be an https:// or ssh:// URL"),
        row("builder image by tag", s -> git(s).builderImage = "ocaml/opam:latest", PINNED),
        row("builder image by tag and short digest", s -> git(s).builderImage = "ocaml/opam:latest@sha256:abc", PINNED),
        row("builder image missing", s -> git(s).builderImage = null, "spec.build.builderImage is required with spec.build.git"),
        row("lock file missing", s -> git(s).lockFile = null, LOCK),
        row("lock file escapes", s -> git(s).lockFile = "../secrets", "spec.build.lockFile must be a relative path inside the source (no '..', no leading '/')"),
        row("lock file absolute", s -> git(s).lockFile = "/etc/passwd", "spec.build.lockFile must be a relative path inside the source (no '..', no leading '/')"),
        row("output bucket missing", s -> git(s).outputBucket = null, "spec.build.outputBucket is required with spec.build.git"),
        row("output bucket not gs", s -> git(s).outputBucket = "s3://bucket", "spec.build.outputBucket must be gs://BUCKET or gs://BUCKET/PREFIX"),
        row("service account not a name", s -> git(s).serviceAccount = "Builder SA", "spec.build.serviceAccount must be a ServiceAccount name"),
        row("cpu not a quantity", s -> { git(s).resources = new BuildSpec.BuildResources(); s.build.resources.cpu = "two"; },
            "spec.build.resources.cpu must be a Kubernetes quantity such as 2, 500m or 4Gi"),
        row("deadline under a minute", s -> git(s).deadlineSeconds = 59, "spec.build.deadlineSeconds must be between 60 and 86400"),
        // provider
        row("provider missing", s -> s.provider = null, PROVIDER),
        row("provider empty", s -> s.provider.local = null, ONE_PROVIDER),
        row("provider both", s -> s.provider.gce = gce("my-project", "europe-west1-b", null), ONE_PROVIDER),
        row("gce project upper case", s -> useGce(s, gce("My-project", "europe-west1-b", null)), PROJECT),
        row("gce project too short", s -> useGce(s, gce("abcde", "europe-west1-b", null)), PROJECT),
        row("gce project too long", s -> useGce(s, gce("a".repeat(31), "europe-west1-b", null)), PROJECT),
        row("gce project ends with '-'", s -> useGce(s, gce("my-project-", "europe-west1-b", null)), PROJECT),
        row("gce project missing", s -> useGce(s, gce(null, "europe-west1-b", null)), PROJECT),
        row("gce zone and region", s -> useGce(s, gce("my-project", "europe-west1-b", "europe-west1")), ZONE_OR_REGION),
        row("gce neither zone nor region", s -> useGce(s, gce("my-project", null, null)), ZONE_OR_REGION),
        // port
        row("port 0", s -> s.port = 0, "spec.port must be between 1 and 65535, was 0"),
        row("port 65536", s -> s.port = 65536, "spec.port must be between 1 and 65535, was 65536"),
        row("port negative", s -> s.port = -80, "spec.port must be between 1 and 65535, was -80"),
        // boot args
        row("65 boot args", s -> s.bootArgs = Collections.nCopies(65, "-v"), BOOT_ARGS_COUNT),
        row("boot arg of 1025 characters", s -> s.bootArgs = List.of("x".repeat(1025)), BOOT_ARG),
        row("null boot arg", s -> s.bootArgs = nullArg(), BOOT_ARG),
        row("boot arg with NUL", s -> s.bootArgs = List.of("a\0b"), BOOT_ARG),
        row("two bad boot args, one message", s -> s.bootArgs = List.of("a\0b", "y".repeat(2000)), BOOT_ARG),
        // scaling
        row("minReplicas negative", s -> s.scaling.minReplicas = -1, MIN),
        row("minReplicas over 1000", s -> { s.scaling.minReplicas = 1001; s.scaling.maxReplicas = null; }, MIN),
        row("maxReplicas 0", s -> { s.scaling.minReplicas = 0; s.scaling.maxReplicas = 0; }, MAX),
        row("maxReplicas over 1000", s -> s.scaling.maxReplicas = 1001, MAX),
        row("minReplicas above maxReplicas", s -> { s.scaling.minReplicas = 5; s.scaling.maxReplicas = 3; }, MIN_LE_MAX),
        // autoscaling
        row("tick 0", s -> s.scaling.tickSeconds = 0, "scaling.tickSeconds must be between 1 and 60"),
        row("tick 61", s -> s.scaling.tickSeconds = 61, "scaling.tickSeconds must be between 1 and 60"),
        row("stable window 0", s -> { s.scaling.stableWindowSeconds = 0; s.scaling.panicWindowSeconds = null; },
            "scaling.stableWindowSeconds must be between 1 and 3600"),
        row("panic window longer than the stable window",
            s -> { s.scaling.stableWindowSeconds = 10; s.scaling.panicWindowSeconds = 11; },
            "scaling.panicWindowSeconds must not exceed scaling.stableWindowSeconds"),
        row("panic threshold 100%", s -> s.scaling.panicThresholdPercent = 100,
            "scaling.panicThresholdPercent must be between 110 and 1000"),
        row("scale-down delay negative", s -> s.scaling.scaleDownDelaySeconds = -1,
            "scaling.scaleDownDelaySeconds must be between 0 and 3600"),
        row("scale-up rate below 1", s -> s.scaling.maxScaleUpRate = 0.5, "scaling.maxScaleUpRate must be between 1 and 1000"),
        row("scale-down rate NaN", s -> s.scaling.maxScaleDownRate = Double.NaN,
            "scaling.maxScaleDownRate must be between 1 and 1000"),
        row("target 0", s -> s.scaling.target = 0.0, "scaling.target must be greater than 0"),
        row("negative threshold", s -> s.scaling.scaleDownThreshold = -1.0, "scaling thresholds must not be negative"),
        row("metric name with a dash", s -> { s.scaling.metricName = "my-metric"; },
            "scaling.metricName must be a Prometheus metric name"),
        row("metrics path relative", s -> s.scaling.metricsPath = "metrics",
            "scaling.metricsPath must start with '/' and contain no whitespace"),
        row("metrics port 0", s -> s.scaling.metricsPort = 0, "scaling.metricsPort must be between 1 and 65535"),
        row("rps without a metric name", s -> { s.scaling.metric = ScalingSpec.Metric.rps; s.scaling.target = 10.0; },
            "scaling.metricName is required unless scaling.metric is cpu"),
        row("concurrency without a target",
            s -> { s.scaling.metric = ScalingSpec.Metric.concurrency; s.scaling.metricName = "in_flight"; },
            "scaling.target is required for target tracking unless scaling.metric is cpu"),
        row("threshold on a custom metric without thresholds", s -> {
          s.scaling.policy = ScalingSpec.Policy.Threshold;
          s.scaling.metric = ScalingSpec.Metric.custom;
          s.scaling.metricName = "queue_depth";
        }, "scaling.scaleUpThreshold and scaling.scaleDownThreshold are required for the Threshold policy"
            + " unless scaling.metric is cpu"),
        row("scale-down threshold not below the scale-up one",
            s -> { s.scaling.scaleUpThreshold = 50.0; s.scaling.scaleDownThreshold = 50.0; },
            "scaling.scaleDownThreshold must be less than scaling.scaleUpThreshold"),
        // health check
        row("health path relative", s -> httpProbe(s, "health"), HEALTH_PATH),
        row("health path with a space", s -> httpProbe(s, "/he alth"), HEALTH_PATH),
        row("health path with a tab", s -> httpProbe(s, "/health\t"), HEALTH_PATH),
        row("health path empty", s -> httpProbe(s, ""), HEALTH_PATH),
        row("http and tcp probes", s -> {
          httpProbe(s, "/health");
          s.healthCheck.tcp = new io.dustcloud.api.v1alpha1.HealthCheckSpec.TcpProbe();
        }, "at most one of healthCheck.http or healthCheck.tcp may be set"),
        row("expected status not a status", s -> {
          httpProbe(s, "/health");
          s.healthCheck.http.expectedStatus = "2xx";
        }, "healthCheck.http.expectedStatus must be a status (200) or a range (200-399)"),
        row("zero concurrent repairs", s -> s.healthCheck.maxConcurrentRepairs = new io.fabric8.kubernetes.api.model.IntOrString(0),
            "maxConcurrentRepairs must be a count of at least 1 or a percentage such as 25%"),
        row("concurrent repairs not a percentage", s -> s.healthCheck.maxConcurrentRepairs = new io.fabric8.kubernetes.api.model.IntOrString("half"),
            "maxConcurrentRepairs must be a count of at least 1 or a percentage such as 25%"),
        row("startup deadline zero", s -> s.healthCheck.startupDeadlineSeconds = 0,
            "healthCheck.startupDeadlineSeconds must be between 1 and 3600"),
        row("unhealthy percent above 100", s -> s.healthCheck.maxUnhealthyPercent = 101,
            "healthCheck.maxUnhealthyPercent must be between 1 and 100"),
        // health check numbers: the schema's @Min/@Max; a timeout of 0 fails every probe
        row("health period 0", s -> s.healthCheck.periodSeconds = 0, "healthCheck.periodSeconds must be between 1 and 3600"),
        row("health period 3601", s -> s.healthCheck.periodSeconds = 3601, "healthCheck.periodSeconds must be between 1 and 3600"),
        row("health timeout 0", s -> s.healthCheck.timeoutSeconds = 0, "healthCheck.timeoutSeconds must be between 1 and 60"),
        row("health timeout 61", s -> s.healthCheck.timeoutSeconds = 61, "healthCheck.timeoutSeconds must be between 1 and 60"),
        row("failure threshold 0", s -> s.healthCheck.failureThreshold = 0, "healthCheck.failureThreshold must be between 1 and 100"),
        row("failure threshold 101", s -> s.healthCheck.failureThreshold = 101, "healthCheck.failureThreshold must be between 1 and 100"));
  }

  static List<String> nullArg() {
    List<String> args = new ArrayList<>();
    args.add(null);
    return args;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void eachBrokenRuleYieldsExactlyItsMessage(String name, Consumer<UnikernelSpec> change, List<String> expected) {
    UnikernelSpec spec = valid();
    change.accept(spec);
    assertThat(SpecValidator.validate(spec)).containsExactlyElementsOf(expected);
  }

  static Stream<Arguments> validSpecs() {
    return Stream.of(
        row("prebuilt local image", s -> {}),
        row("build from source", s -> useBuild(s, "/src/app", "build/app.bin")),
        row("build from git", s -> git(s)),
        row("build from git with every option", s -> {
          git(s).serviceAccount = "unikernel-builder";
          s.build.resources = new BuildSpec.BuildResources();
          s.build.resources.cpu = "500m";
          s.build.resources.memory = "8Gi";
          s.build.deadlineSeconds = 86400;
          s.build.outputBucket = "gs://acme-unikernels";
        }),
        row("artifact name containing dots", s -> useBuild(s, "/src/app", "app..bin")),
        row("build path relative to the operator's working directory", s -> useBuild(s, "examples/hello", "hello")),
        row("gce zonal", s -> useGce(s, gce("my-project", "europe-west1-b", null))),
        row("gce regional, shortest project", s -> useGce(s, gce("abcdef", null, "europe-west1"))),
        row("gce longest project", s -> useGce(s, gce("a".repeat(30), null, "europe-west1"))),
        row("port 1", s -> s.port = 1),
        row("port 65535", s -> s.port = 65535),
        row("port unset", s -> s.port = null),
        row("64 boot args of 1024 characters", s -> s.bootArgs = Collections.nCopies(64, "z".repeat(1024))),
        row("boot args unset", s -> s.bootArgs = null),
        row("scale to zero", s -> s.scaling.minReplicas = 0),
        row("min equals max at the limit", s -> { s.scaling.minReplicas = 1000; s.scaling.maxReplicas = 1000; }),
        row("scaling unset", s -> s.scaling = null),
        row("health path root", s -> httpProbe(s, "/")),
        row("health path with query", s -> httpProbe(s, "/health?deep=1")),
        row("health check unset", s -> s.healthCheck = null),
        row("health check numbers at their upper limits", s -> {
          s.healthCheck.periodSeconds = 3600;
          s.healthCheck.timeoutSeconds = 60;
          s.healthCheck.failureThreshold = 100;
        }),
        row("health check numbers at their lower limits", s -> {
          s.healthCheck.periodSeconds = 1;
          s.healthCheck.timeoutSeconds = 1;
          s.healthCheck.failureThreshold = 1;
        }),
        row("health check numbers unset", s -> {
          s.healthCheck.periodSeconds = null;
          s.healthCheck.timeoutSeconds = null;
          s.healthCheck.failureThreshold = null;
        }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validSpecs")
  void validSpecsYieldNothing(String name, Consumer<UnikernelSpec> change, List<String> none) {
    UnikernelSpec spec = valid();
    change.accept(spec);
    assertThat(SpecValidator.validate(spec)).isEmpty();
  }

  @Test
  void nullSpecIsRefused() {
    assertThat(SpecValidator.validate(null)).containsExactly("spec is required");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    UnikernelSpec spec = valid();
    spec.image.sha256 = "nope";
    spec.port = 0;
    spec.scaling.minReplicas = 20;
    assertThat(SpecValidator.validate(spec))
        .containsExactly(SHA256, "spec.port must be between 1 and 65535, was 0", MIN_LE_MAX);
  }

  static void httpProbe(io.dustcloud.api.v1alpha1.UnikernelSpec s, String path) {
    s.healthCheck.http = new io.dustcloud.api.v1alpha1.HealthCheckSpec.HttpProbe();
    s.healthCheck.http.path = path;
  }
}
