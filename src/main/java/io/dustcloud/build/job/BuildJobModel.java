package io.dustcloud.build.job;

import io.dustcloud.core.revision.RevisionNaming;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The build Job for a {@link BuildJobRequest}. Pure: no API calls ({@link BuildJobs} applies it).
 *
 * <p>The builder contract (docs/builds.md): the image runs {@code dustcloud-build BOOT_ARGS...}
 * as uid 1000 with a read-only root filesystem; inputs arrive as {@code DUSTCLOUD_*} variables;
 * on success it writes {@code {"url":…,"sha256":…}} to {@code /dev/termination-log}. On failure
 * it writes nothing there, and {@code FallbackToLogsOnError} makes the kubelet put the log's
 * tail into the termination message instead, which the operator reports even where it cannot
 * read Pod logs.
 */
public final class BuildJobModel {
  public static final String CONTAINER = "build";
  public static final String COMMAND = "dustcloud-build";
  public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String LABEL_COMPONENT = "app.kubernetes.io/component";
  public static final String COMPONENT = "dustcloud-build";
  public static final String LABEL_UNIKERNEL = "dustcloud.io/unikernel";
  public static final String LABEL_REVISION = "dustcloud.io/revision";
  /** On the Pods, so the operator finds them without relying on the Job controller's labels. */
  public static final String LABEL_BUILD_JOB = "dustcloud.io/build-job";
  public static final String ANNOTATION_KEY = "dustcloud.io/build-key";
  /** Hash of the Job as desired: a failed Job run with other settings (deadline, resources) is replaced. */
  public static final String ANNOTATION_TEMPLATE_HASH = "dustcloud.io/job-template-hash";
  /** One retry, for a flaky network during clone or upload; a deterministic failure fails twice. */
  /** The Unikernel's full name (the label holds at most 63 characters of it). */
  public static final String ANNOTATION_UNIKERNEL = "dustcloud.io/unikernel";
  static final int BACKOFF_LIMIT = 1;
  static final long UID = 1000;
  static final String WORK = "/work";

  private BuildJobModel() {}

  public static Job job(BuildJobRequest r) {
    String name = r.jobName();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(LABEL_MANAGED_BY, "dustcloud");
    labels.put(LABEL_COMPONENT, COMPONENT);
    labels.put(LABEL_UNIKERNEL, io.dustcloud.core.revision.RevisionNaming.labelValue(r.unikernel()));
    labels.put(LABEL_REVISION, r.revision());
    Map<String, String> podLabels = new LinkedHashMap<>(labels);
    podLabels.put(LABEL_BUILD_JOB, name);
    Job job = new JobBuilder()
        .withNewMetadata()
            .withName(name)
            .withNamespace(r.namespace())
            .withLabels(labels)
            .addToAnnotations(ANNOTATION_KEY, r.key())
            .addToAnnotations(ANNOTATION_UNIKERNEL, r.unikernel())
            .withOwnerReferences(new OwnerReferenceBuilder()
                .withApiVersion(r.revisionApiVersion())
                .withKind("UnikernelRevision")
                .withName(r.revision())
                .withUid(r.revisionUid())
                .withController(true)
                // false: true would need update on unikernelrevisions/finalizers, and nothing
                // waits on a revision's foreground deletion
                .withBlockOwnerDeletion(false)
                .build())
        .endMetadata()
        .withNewSpec()
            .withBackoffLimit(BACKOFF_LIMIT)
            .withActiveDeadlineSeconds((long) r.deadlineSeconds())
            .withNewTemplate()
                .withNewMetadata().withLabels(podLabels).endMetadata()
                .withNewSpec()
                    .withRestartPolicy("Never")
                    .withServiceAccountName(r.serviceAccount())
                    // the builder talks to Git and Cloud Storage, never to the Kubernetes API
                    .withAutomountServiceAccountToken(false)
                    .withEnableServiceLinks(false)
                    .withSecurityContext(new PodSecurityContextBuilder()
                        .withRunAsNonRoot(true)
                        .withRunAsUser(UID)
                        .withRunAsGroup(UID)
                        .withFsGroup(UID)
                        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                        .build())
                    .withContainers(container(r))
                    .withVolumes(emptyDir("work", "20Gi"), emptyDir("tmp", "4Gi"), emptyDir("home", "1Gi"))
                .endSpec()
            .endTemplate()
        .endSpec()
        .build();
    job.getMetadata().getAnnotations().put(ANNOTATION_TEMPLATE_HASH, templateHash(job));
    return job;
  }

  private static Container container(BuildJobRequest r) {
    Map<String, Quantity> resources = Map.of("cpu", new Quantity(r.cpu()), "memory", new Quantity(r.memory()));
    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(r.builderImage())
        .withImagePullPolicy("IfNotPresent") // pinned by digest: a pull can only return the same bytes
        .withCommand(COMMAND)
        // boot args as argv, never through a shell: no quoting, no injection
        .withArgs(r.bootArgs())
        .withWorkingDir(WORK)
        .withEnv(env(r))
        .withNewResources().withRequests(resources).withLimits(resources).endResources()
        .withSecurityContext(new SecurityContextBuilder()
            .withRunAsNonRoot(true)
            .withAllowPrivilegeEscalation(false)
            .withPrivileged(false)
            .withReadOnlyRootFilesystem(true)
            .withNewCapabilities().withDrop("ALL").endCapabilities()
            .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
            .build())
        .withTerminationMessagePath("/dev/termination-log")
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withVolumeMounts(new VolumeMount(WORK, null, "work", null, null, null, null),
            new VolumeMount("/tmp", null, "tmp", null, null, null, null),
            new VolumeMount("/home/build", null, "home", null, null, null, null))
        .build();
  }

  private static List<EnvVar> env(BuildJobRequest r) {
    return List.of(
        new EnvVar("DUSTCLOUD_BUILD_KEY", r.key(), null),
        new EnvVar("DUSTCLOUD_GIT_URL", r.gitUrl(), null),
        new EnvVar("DUSTCLOUD_GIT_COMMIT", r.commit(), null),
        new EnvVar("DUSTCLOUD_TARGET", r.target(), null),
        new EnvVar("DUSTCLOUD_LOCK_FILE", r.lockFile(), null),
        new EnvVar("DUSTCLOUD_OUTPUT_URL", r.outputUrl(), null),
        new EnvVar("DUSTCLOUD_WORKDIR", WORK, null),
        new EnvVar("HOME", "/home/build", null),
        new EnvVar("TMPDIR", "/tmp", null));
  }

  private static Volume emptyDir(String name, String sizeLimit) {
    return new VolumeBuilder().withName(name).withNewEmptyDir().withSizeLimit(new Quantity(sizeLimit)).endEmptyDir().build();
  }

  /**
   * A hash of how the build runs (Pod spec, retries, deadline), not of which revision asked:
   * a failed build is retried when its settings change, not when an unrelated field does.
   */
  static String templateHash(Job job) {
    var spec = job.getSpec();
    String canonical = spec.getBackoffLimit() + "/" + spec.getActiveDeadlineSeconds() + "/"
        + Serialization.asJson(spec.getTemplate().getSpec());
    return RevisionNaming.sha256Hex(canonical.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 16);
  }
}
