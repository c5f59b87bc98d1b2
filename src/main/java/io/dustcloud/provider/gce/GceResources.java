package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.AttachedDisk;
import com.google.cloud.compute.v1.AttachedDiskInitializeParams;
import com.google.cloud.compute.v1.Image;
import com.google.cloud.compute.v1.InstanceProperties;
import com.google.cloud.compute.v1.InstanceTemplate;
import com.google.cloud.compute.v1.Items;
import com.google.cloud.compute.v1.Metadata;
import com.google.cloud.compute.v1.NetworkInterface;
import com.google.cloud.compute.v1.RawDisk;
import com.google.cloud.compute.v1.ServiceAccount;
import com.google.cloud.compute.v1.Tags;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.RevisionImage;
import java.util.Map;

/** The image and instance template of one revision, as values. */
public final class GceResources {
  /** Metadata keys on the template: boot arguments for the unikernel, and its port for observation. */
  public static final String BOOT_ARGS_KEY = "dustcloud-boot-args";
  public static final String PORT_KEY = "dustcloud-port";
  static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";

  private GceResources() {}

  public static Image image(FleetId fleet, RevisionImage revision) {
    return Image.newBuilder()
        .setName(GceNames.image(fleet, revision.revision()))
        .setDescription("dustcloud " + fleet + " revision " + revision.revision() + " sha256:" + revision.sha256())
        .setRawDisk(RawDisk.newBuilder().setSource(httpsUrl(revision.artifact())))
        .putAllLabels(labels(fleet, revision))
        .build();
  }

  public static InstanceTemplate template(FleetId fleet, RevisionImage revision, GceLocation location) {
    GceSettings s = GceSettings.of(revision.settings());
    InstanceProperties.Builder p = InstanceProperties.newBuilder()
        .setMachineType(s.machineType())
        .putAllLabels(labels(fleet, revision))
        .addDisks(AttachedDisk.newBuilder().setBoot(true).setAutoDelete(true).setType("PERSISTENT")
            .setInitializeParams(AttachedDiskInitializeParams.newBuilder().setSourceImage(
                "projects/" + location.project() + "/global/images/" + GceNames.image(fleet, revision.revision()))))
        .addNetworkInterfaces(networkInterface(s, location))
        .setMetadata(Metadata.newBuilder()
            .addItems(Items.newBuilder().setKey(BOOT_ARGS_KEY).setValue(String.join(" ", revision.bootArgs())))
            .addItems(Items.newBuilder().setKey(PORT_KEY).setValue(Integer.toString(revision.port()))));
    // the fleet's own tag, which its firewall rules target, then the user's
    java.util.Set<String> tags = new java.util.LinkedHashSet<>();
    tags.add(TrafficModel.networkTag(fleet));
    tags.addAll(s.tags());
    p.setTags(Tags.newBuilder().addAllItems(tags));
    String account = s.serviceAccount();
    if (account != null && !account.isBlank()) {
      p.addServiceAccounts(ServiceAccount.newBuilder().setEmail(account).addScopes(SCOPE));
    }
    return InstanceTemplate.newBuilder()
        .setName(GceNames.template(fleet, revision.revision()))
        .setDescription("dustcloud " + fleet + " revision " + revision.revision())
        .setProperties(p)
        .build();
  }

  /** Cloud Storage objects as GCE reads them: {@code gs://b/o} → {@code https://storage.googleapis.com/b/o}. */
  public static String httpsUrl(String artifact) {
    return artifact.startsWith("gs://") ? "https://storage.googleapis.com/" + artifact.substring(5) : artifact;
  }

  /** The revision a template was made for, read from its labels. */
  public static String revisionOf(InstanceTemplate template) {
    return template.getProperties().getLabelsOrDefault(GceLabels.REVISION, "");
  }

  /** The port recorded in a template's metadata ({@link RevisionImage#DEFAULT_PORT} when absent). */
  public static int portOf(InstanceTemplate template) {
    return template.getProperties().getMetadata().getItemsList().stream()
        .filter(i -> i.getKey().equals(PORT_KEY)).map(i -> Integer.parseInt(i.getValue()))
        .findFirst().orElse(RevisionImage.DEFAULT_PORT);
  }

  private static NetworkInterface networkInterface(GceSettings s, GceLocation location) {
    NetworkInterface.Builder n = NetworkInterface.newBuilder()
        .setNetwork(url(s.network(), "global/networks/"));
    String sub = s.subnetwork();
    if (sub != null && !sub.isBlank()) {
      n.setSubnetwork(url(sub, "regions/" + location.regionName() + "/subnetworks/"));
    }
    return n.build();
  }

  private static String url(String nameOrUrl, String collection) {
    return nameOrUrl.contains("/") ? nameOrUrl : collection + nameOrUrl;
  }

  private static Map<String, String> labels(FleetId fleet, RevisionImage revision) {
    return GceLabels.of(fleet, revision.revision(), GceSettings.of(revision.settings()).labels());
  }
}
