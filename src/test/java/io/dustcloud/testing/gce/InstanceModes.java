package io.dustcloud.testing.gce;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How the fake's instance servers behave, settable while they run: per instance name, else per
 * template, else {@link Mode#HEALTHY}. An instance keeps its name when it is recreated, so a
 * mode set by name follows it into its next incarnation; clear it to let the template decide.
 */
public final class InstanceModes {
  public enum Mode {
    /** {@code /health} 200, {@code /} 200. */
    HEALTHY,
    /** {@code /health} 503, {@code /} 500: the application is up but broken. */
    FAILING,
    /** Accepts connections and reads requests, never answers: a wedged guest. */
    HUNG
  }

  private final Map<String, Mode> byInstance = new ConcurrentHashMap<>();
  private final Map<String, Mode> byTemplate = new ConcurrentHashMap<>();

  public void setMode(String instance, Mode mode) {
    byInstance.put(instance, mode);
  }

  public void clearMode(String instance) {
    byInstance.remove(instance);
  }

  /** The mode of every instance of {@code template} that has none of its own. */
  public void setTemplateMode(String template, Mode mode) {
    byTemplate.put(template, mode);
  }

  public Mode modeOf(String instance, String template) {
    Mode m = byInstance.get(instance);
    if (m != null) {
      return m;
    }
    return byTemplate.getOrDefault(template, Mode.HEALTHY);
  }
}
