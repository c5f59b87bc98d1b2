package io.dustcloud.build.job;

import io.dustcloud.core.revision.BootArgs;
import io.dustcloud.api.v1alpha1.BuildSpec;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.build.BuildKeys;
import java.util.List;

/**
 * One in-cluster build, resolved from a revision: the inputs (hashed into {@code key}) plus
 * how to run it (service account, resources, deadline), with the defaults applied here rather
 * than in the schema (a schema default would change every existing revision's hash).
 */
public record BuildJobRequest(
    String namespace,
    String key,
    String unikernel,
    String revision,
    String revisionUid,
    String revisionApiVersion,
    String gitUrl,
    String commit,
    String target,
    String builderImage,
    String lockFile,
    List<String> bootArgs,
    String outputUrl,
    String serviceAccount,
    String cpu,
    String memory,
    int deadlineSeconds) {

  static final int DEFAULT_DEADLINE_SECONDS = 1800;
  static final String DEFAULT_CPU = "2";
  static final String DEFAULT_MEMORY = "4Gi";
  /** {@code dustcloud-build-} + 40 hex of the key: 56 characters, so Pod names stay within 63. */
  static final String JOB_PREFIX = "dustcloud-build-";
  static final int KEY_IN_NAME = 40;

  public static BuildJobRequest of(UnikernelRevision rev) {
    var spec = rev.getSpec();
    BuildSpec b = spec.build;
    String key = BuildKeys.key(BuildKeys.inCluster(spec));
    var res = b.resources;
    return new BuildJobRequest(
        rev.getMetadata().getNamespace(),
        key,
        spec.unikernel,
        rev.getMetadata().getName(),
        rev.getMetadata().getUid(),
        rev.getApiVersion(),
        b.git.url,
        b.git.commit,
        b.target == null ? "unix" : b.target.name(),
        b.builderImage,
        b.lockFile,
        BootArgs.of(spec.bootArgs),
        outputUrl(b.outputBucket, key),
        b.serviceAccount,
        res == null || res.cpu == null ? DEFAULT_CPU : res.cpu,
        res == null || res.memory == null ? DEFAULT_MEMORY : res.memory,
        b.deadlineSeconds == null ? DEFAULT_DEADLINE_SECONDS : b.deadlineSeconds);
  }

  /** The object the build uploads: content-addressed by the key, so it is written once. */
  static String outputUrl(String bucket, String key) {
    String prefix = bucket.endsWith("/") ? bucket.substring(0, bucket.length() - 1) : bucket;
    return prefix + "/" + key + ".tar.gz";
  }

  public String jobName() {
    return jobName(key);
  }

  /** Jobs are named from the key: one Job per key and namespace, whichever revision asked first. */
  public static String jobName(String key) {
    return JOB_PREFIX + key.substring(0, KEY_IN_NAME);
  }
}
