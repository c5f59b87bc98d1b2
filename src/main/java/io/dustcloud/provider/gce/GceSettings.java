package io.dustcloud.provider.gce;

/**
 * Keys of {@code RevisionImage.settings()} (and of {@code FleetProvider.locate}) that carry a
 * revision's {@code provider.gce} spec to this provider.
 */
public final class GceSettings {
  public static final String PROJECT = "project";
  public static final String ZONE = "zone";
  public static final String REGION = "region";
  public static final String MACHINE_TYPE = "machineType";
  public static final String NETWORK = "network";
  public static final String SUBNETWORK = "subnetwork";
  public static final String SERVICE_ACCOUNT = "serviceAccount";
  /** Comma-joined network tags. */
  public static final String TAGS = "tags";
  /** Prefix of user labels: {@code labels.team=web}. */
  public static final String LABEL_PREFIX = "labels.";

  private GceSettings() {}
}
