package io.dustcloud.testing.gce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * What the fake answers for an instance's serial console and a group's error history, in GCE's
 * shapes. Pure.
 */
final class FakeConsole {
  /** GCE keeps the last 1 MB of a VM's serial output, and answers at most that much at once. */
  static final int RETAINED_BYTES = 1 << 20;
  /** listErrors' page size when the caller names none (GCE: 500, the most it allows). */
  static final int DEFAULT_PAGE = 500;

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

  /** One page of a group's errors (newest first): {@code maxResults} (≤ 500) from {@code pageToken}. */
  static ObjectNode page(List<ObjectNode> errors, Map<String, String> query) {
    int size = DEFAULT_PAGE;
    String max = query.get("maxResults");
    if (max != null && !max.isEmpty()) {
      if (!max.matches("\\d{1,3}") || Integer.parseInt(max) > DEFAULT_PAGE) {
        throw FakeRules.invalid("maxResults", max, "Must be between 0 and 500.");
      }
      size = Integer.parseInt(max) == 0 ? DEFAULT_PAGE : Integer.parseInt(max);
    }
    String token = query.getOrDefault("pageToken", "");
    int from = token.isEmpty() ? 0 : token.matches("\\d{1,6}") ? Integer.parseInt(token) : -1;
    if (from < 0 || from > errors.size()) {
      throw FakeRules.invalid("pageToken", token, "The page token is not valid.");
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    ArrayNode items = out.putArray("items");
    int to = Math.min(errors.size(), from + size);
    for (JsonNode e : errors.subList(from, to)) {
      items.add(e.deepCopy());
    }
    if (to < errors.size()) {
      out.put("nextPageToken", Integer.toString(to));
    }
    return out;
  }
}
