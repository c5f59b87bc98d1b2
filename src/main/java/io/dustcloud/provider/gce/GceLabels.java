package io.dustcloud.provider.gce;

import io.dustcloud.provider.FleetId;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Labels on every resource Dustcloud creates, so it (and an SRE) can find them again. GCE
 * label keys and values hold at most 63 lowercase letters, digits, {@code _} and {@code -};
 * keys start with a letter.
 */
public final class GceLabels {
  public static final String NAMESPACE = "dustcloud-namespace";
  public static final String NAME = "dustcloud-name";
  public static final String REVISION = "dustcloud-revision";
  public static final String MANAGED_BY = "managed-by";
  public static final String DUSTCLOUD = "dustcloud";

  private GceLabels() {}

  /** The user's labels, then ours (ours win: the operator must find its resources). */
  public static Map<String, String> of(FleetId fleet, String revision, Map<String, String> user) {
    Map<String, String> labels = new TreeMap<>();
    user.forEach((k, v) -> labels.put(key(k), value(v)));
    labels.put(NAMESPACE, value(fleet.namespace()));
    labels.put(NAME, value(fleet.name()));
    labels.put(REVISION, value(revision));
    labels.put(MANAGED_BY, DUSTCLOUD);
    return labels;
  }

  /** A list filter matching the resources of one fleet; {@code prefix} is the path to the labels map. */
  public static String fleetFilter(String prefix, FleetId fleet) {
    return prefix + "labels." + NAMESPACE + " = \"" + value(fleet.namespace()) + "\" AND "
        + prefix + "labels." + NAME + " = \"" + value(fleet.name()) + "\"";
  }

  static String value(String v) {
    String s = v == null ? "" : v.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "_");
    return s.length() > 63 ? s.substring(0, 63) : s;
  }

  static String key(String k) {
    String s = value(k);
    return s.isEmpty() || !Character.isLetter(s.charAt(0)) ? value("x" + s) : s;
  }
}
