package io.dustcloud.provider.gce;

/**
 * Where the operator reaches an instance's port. {@code listManagedInstances} carries no IP
 * address, and an {@code instances.get} per instance would cost a read per instance per
 * observation; instead the address is derived from the instance's name through a template,
 * by default GCE's zonal internal DNS name ({@code NAME.ZONE.c.PROJECT.internal}), which
 * resolves from inside the VPC (GKE with Workload Identity). Placeholders: {@code {instance}},
 * {@code {zone}}, {@code {project}}, {@code {port}}.
 */
public record InstanceAddresses(String template) {
  public static final String INTERNAL_DNS = "{instance}.{zone}.c.{project}.internal:{port}";

  public String address(String project, String zone, String instance, int port) {
    return template.replace("{instance}", instance).replace("{zone}", zone)
        .replace("{project}", project).replace("{port}", Integer.toString(port));
  }
}
