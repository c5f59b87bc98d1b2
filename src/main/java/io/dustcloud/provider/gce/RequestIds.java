package io.dustcloud.provider.gce;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code requestId}s that are stable for one intent: a UUID derived from the call, its target
 * and its body, so a retry after a timeout, or the same call after an operator crash, is
 * recognised by GCE as the same request and not done twice.
 *
 * <p>GCE remembers a requestId for about an hour and answers a repeat with the first
 * operation, doing nothing. So an intent that completed and is needed again (an image deleted
 * by hand, the same instance replaced twice) must get a new id: the provider only repeats a
 * call after reading that its effect is missing, so a completed intent asked for again is a new
 * one, and its generation is bumped. After a restart the generation starts at 0 again: at worst
 * one repeat is answered with the old operation, the next read shows the effect missing, and the
 * following attempt uses generation 1.
 */
public final class RequestIds {
  private final Map<String, Integer> generations = new ConcurrentHashMap<>();
  private final Map<String, Boolean> completed = new ConcurrentHashMap<>();
  /**
   * Mixed into the ids of inserts and deletes of named resources. Those are idempotent by name
   * (an insert that finds the resource adopts it, a delete that finds nothing is done), so GCE's
   * deduplication adds no safety across operator restarts; it only harms: a fleet deleted and
   * created again, or created and deleted again, by a restarted operator repeated an earlier
   * incarnation's id and GCE answered with the old operation, doing nothing (the crash harness
   * found groups, templates and images left behind after delete). Within one process, retries
   * still share their id.
   */
  private final String epoch = UUID.randomUUID().toString();

  /** The id for {@code intent} (e.g. {@code images.insert NAME}) with {@code body}. */
  public String next(String intent, Message body) {
    String key = intent + "\n" + digest(body);
    if (completed.remove(key) != null) {
      generations.merge(key, 1, Integer::sum);
    }
    int generation = generations.getOrDefault(key, 0);
    String scope = byName(intent) ? "\n@" + epoch : "";
    return UUID.nameUUIDFromBytes((key + "\n#" + generation + scope).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** {@code images.insert NAME}, {@code instanceTemplates.delete NAME}, {@code instanceGroupManagers.insert …}. */
  static boolean byName(String intent) {
    String method = intent.split(" ", 2)[0];
    return method.endsWith(".insert") || method.endsWith(".delete");
  }

  /** Marks the intent done: asking for it again means its effect went away. */
  public void completed(String intent, Message body) {
    completed.put(intent + "\n" + digest(body), Boolean.TRUE);
  }

  /** The call was answered but its operation failed: a retry must be a new request. */
  public void failed(String intent, Message body) {
    generations.merge(intent + "\n" + digest(body), 1, Integer::sum);
  }

  /** Protobuf bytes in deterministic order (maps such as labels are sorted). */
  private static String digest(Message body) {
    if (body == null) {
      return "";
    }
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.useDeterministicSerialization();
      body.writeTo(out);
      out.flush();
      return UUID.nameUUIDFromBytes(bytes.toByteArray()).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
