package io.dustcloud.testing.gce;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What the fake answers for an instance's serial console, in GCE's shape. Pure.
 */
final class FakeConsole {
  /** GCE keeps the last 1 MB of a VM's serial output, and answers at most that much at once. */
  static final int RETAINED_BYTES = 1 << 20;

  private FakeConsole() {}

  /**
   * The console of one VM: a Solo5 boot naming the instance and its incarnation (each recreation
   * is a new VM with a console of its own), then the unikernel's own lines — that it listens, or
   * for a crashing template, why it exits and a panic naming the instance. Nothing while the VM
   * is still provisioning.
   */
  static String text(String instance, int incarnation, long vmId, String bootArgs, String status, boolean crashes) {
    if (status.equals("PROVISIONING")) {
      return "";
    }
    StringBuilder out = new StringBuilder()
        .append("SeaBIOS (version 1.8.2)\n")
        .append("Booting from Hard Disk 0...\n")
        .append("Solo5: Bindings version v0.9.0\n")
        .append("Solo5: ").append(instance).append(" incarnation ").append(incarnation).append(" (VM ").append(vmId)
        .append(") booting hello ").append(bootArgs).append('\n');
    if (status.equals("STAGING")) {
      return out.toString();
    }
    if (crashes) {
      return out.append("hello: invalid argument '--no-such-flag'\n")
          .append("hello: panic: ").append(instance).append(" incarnation ").append(incarnation)
          .append(" cannot start, exiting with status 1\n")
          .append("Solo5: solo5_exit(1) called\n").toString();
    }
    return out.append("hello: ").append(instance).append(" incarnation ").append(incarnation)
        .append(" listening on :8080\n").toString();
  }

  /**
   * {@code getSerialPortOutput}'s answer ({@code contents}, {@code start}, {@code next}, {@code
   * selfLink}) for the query's {@code start}: from that byte (0 when absent), a negative one
   * counting back from the end, a discarded one moved to the oldest byte kept; at most {@link
   * #RETAINED_BYTES}.
   */
  static ObjectNode answer(String text, Map<String, String> query, String instanceUrl) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    long total = bytes.length;
    long oldest = Math.max(0, total - RETAINED_BYTES);
    long start = parseStart(query.get("start"));
    start = start < 0 ? total + start : start;
    start = Math.min(total, Math.max(oldest, start));
    int end = (int) Math.min(total, start + RETAINED_BYTES);
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("kind", "compute#serialPortOutput");
    out.put("contents", new String(bytes, (int) start, end - (int) start, StandardCharsets.UTF_8));
    out.put("start", Long.toString(start));
    out.put("next", Long.toString(end));
    out.put("selfLink", instanceUrl + "/serialPort");
    return out;
  }

  private static long parseStart(String start) {
    if (start == null || start.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(start);
    } catch (NumberFormatException e) {
      throw FakeRules.invalid("start", start, "Must be an integer.");
    }
  }
}
