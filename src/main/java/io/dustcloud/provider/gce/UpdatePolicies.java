package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.InstanceGroupManagerUpdatePolicy;

/**
 * The group's update policy. OPPORTUNISTIC: GCE applies versions only to instances it creates
 * anyway (resize, recreate), never rolls running instances on its own; the operator decides
 * the pace of a rollout and moves instances between versions with {@code recreateInstances}.
 */
final class UpdatePolicies {
  static final String TYPE = "OPPORTUNISTIC";
  static final String MINIMAL_ACTION = "REPLACE";
  static final String REPLACEMENT_METHOD = "SUBSTITUTE";

  private UpdatePolicies() {}

  static InstanceGroupManagerUpdatePolicy ours() {
    return InstanceGroupManagerUpdatePolicy.newBuilder()
        .setType(TYPE).setMinimalAction(MINIMAL_ACTION).setReplacementMethod(REPLACEMENT_METHOD).build();
  }

  static boolean isOurs(InstanceGroupManagerUpdatePolicy p) {
    return TYPE.equals(p.getType()) && MINIMAL_ACTION.equals(p.getMinimalAction());
  }
}
