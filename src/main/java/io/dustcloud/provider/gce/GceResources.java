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
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** The image and instance template of one revision, as values. */
public final class GceResources {
  /** Metadata keys on the template: boot arguments for the unikernel, and its port for observation. */
  public static final String BOOT_ARGS_KEY = "dustcloud-boot-args";
  public static final String PORT_KEY = "dustcloud-port";
  static final String DEFAULT_MACHINE_TYPE = "e2-micro";
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
    Map<String, String> s = revision.settings();
    InstanceProperties.Builder p = InstanceProperties.newBuilder()
        .setMachineType(s.getOrDefault(GceSettings.MACHINE_TYPE, DEFAULT_MACHINE_TYPE))
        .putAllLabels(labels(fleet, revision))
        .addDisks(AttachedDisk.newBuilder().setBoot(true).setAutoDelete(true).setType("PERSISTENT")
            .setInitializeParams(AttachedDiskInitializeParams.newBuilder().setSourceImage(
                "projects/" + location.project() + "/global/images/" + GceNames.image(fleet, revision.revision()))))
        .addNetworkInterfaces(networkInterface(s, location))
        .setMetadata(Metadata.newBuilder()
            .addItems(Items.newBuilder().setKey(BOOT_ARGS_KEY).setValue(String.join(" ", revision.bootArgs())))
            .addItems(Items.newBuilder().setKey(PORT_KEY).setValue(Integer.toString(revision.port()))));
    String tags = s.get(GceSettings.TAGS);
    if (tags != null && !tags.isBlank()) {
      p.setTags(Tags.newBuilder().addAllItems(Arrays.asList(tags.split(","))));
    }
    String account = s.get(GceSettings.SERVICE_ACCOUNT);
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

  /** The port recorded in a template's metadata (8080 when absent). */
  public static int portOf(InstanceTemplate template) {
    return template.getProperties().getMetadata().getItemsList().stream()
        .filter(i -> i.getKey().equals(PORT_KEY)).map(i -> Integer.parseInt(i.getValue()))
        .findFirst().orElse(8080);
  }

  private static NetworkInterface networkInterface(Map<String, String> s, GceLocation location) {
    NetworkInterface.Builder n = NetworkInterface.newBuilder()
        .setNetwork(url(s.getOrDefault(GceSettings.NETWORK, "default"), "global/networks/"));
    String sub = s.get(GceSettings.SUBNETWORK);
    if (sub != null && !sub.isBlank()) {
      n.setSubnetwork(url(sub, "regions/" + location.regionName() + "/subnetworks/"));
    }
    return n.build();
  }

  private static String url(String nameOrUrl, String collection) {
    return nameOrUrl.contains("/") ? nameOrUrl : collection + nameOrUrl;
  }

  private static Map<String, String> labels(FleetId fleet, RevisionImage revision) {
    Map<String, String> user = new TreeMap<>();
    revision.settings().forEach((k, v) -> {
      if (k.startsWith(GceSettings.LABEL_PREFIX)) {
        user.put(k.substring(GceSettings.LABEL_PREFIX.length()), v);
      }
    });
    return GceLabels.of(fleet, revision.revision(), user);
  }
}
