package io.dustcloud.operator;

import io.dustcloud.core.Reason;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events (what {@code kubectl describe} shows). Reasons come from
 * {@link io.dustcloud.core.Reason}. Events are for people, not for correctness, so recording one never
 * waits on the API server and never fails the caller: events are correlated
 * ({@link EventCorrelator}: repeats counted, similar ones combined) and written by one
 * background thread from a bounded queue; when the API server is away long enough for the
 * queue to fill, further events are dropped and counted ({@code dustcloud_events_dropped_total}).
 * Before, a reconcile or a supervisor's repair waited for each event write, and an API server
 * answering slowly slowed every fleet's repairs with it.
 */
public class EventRecorder implements AutoCloseable, FleetEvents {
  private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
  public static final String COMPONENT = "dustcloud-operator";
  static final int MAX_MESSAGE = 1024;
  /** Writes waiting for the API server (client-go's broadcaster queues 1,000 too). */
  static final int QUEUE = 1000;
  private static final Duration DUE_CHECK = Duration.ofMillis(250);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(3);

  private final KubernetesClient client;
  private final Clock clock;
  private final EventCorrelator correlator = new EventCorrelator();
  private final BlockingQueue<EventCorrelator.Write> queue = new ArrayBlockingQueue<>(QUEUE);
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();
  private final Thread writer;
  private volatile boolean closed;
  // nanoTime has an arbitrary origin (it may be negative): times are compared by difference
  private volatile long lastDropLogged = System.nanoTime() - TimeUnit.MINUTES.toNanos(2);

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
    this.writer = new Thread(this::run, "dustcloud-events");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public void normal(HasMetadata object, Reason reason, String message) {
    emit(object, "Normal", reason, message);
  }

  @Override
  public void warning(HasMetadata object, Reason reason, String message) {
    emit(object, "Warning", reason, message);
  }

  protected void emit(HasMetadata object, String type, Reason reason, String message) {
    String trimmed = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 1) + "…" : message;
    var m = object.getMetadata();
    var subject = new EventCorrelator.Subject(
        m.getNamespace(), object.getApiVersion(), object.getKind(), m.getName(), m.getUid());
    EventCorrelator.Write write;
    synchronized (correlator) {
      write = correlator.observe(subject, type, reason.value(), trimmed, clock.instant(), newName(m.getName()));
    }
    if (write != null) {
      enqueue(write);
    }
  }

  /** Events dropped because the queue was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Writes waiting for the API server. */
  public int pending() {
    return queue.size();
  }

  /** Writes made (creates and count updates), successful or not. */
  long writes() {
    return writes.get();
  }

  private void enqueue(EventCorrelator.Write write) {
    if (closed || !queue.offer(write)) {
      long n = dropped.incrementAndGet();
      long now = System.nanoTime();
      if (now - lastDropLogged > TimeUnit.MINUTES.toNanos(1)) {
        lastDropLogged = now;
        log.warn("event queue full ({} waiting): dropped event {} for {}/{} ({} dropped so far)",
            QUEUE, write.reason(), write.subject().namespace(), write.subject().name(), n);
      }
    }
  }

  private void run() {
    long nextDueCheck = System.nanoTime();
    while (true) {
      EventCorrelator.Write w;
      try {
        w = queue.poll(DUE_CHECK.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (w != null) {
        write(w);
      }
      if (System.nanoTime() - nextDueCheck >= 0) {
        nextDueCheck = System.nanoTime() + DUE_CHECK.toNanos();
        writeDue(false);
      }
      if (closed && queue.isEmpty()) {
        writeDue(true);
        return;
      }
    }
  }

  private void writeDue(boolean all) {
    List<EventCorrelator.Write> due;
    synchronized (correlator) {
      due = correlator.due(clock.instant(), all);
    }
    due.forEach(this::write);
  }

  private void write(EventCorrelator.Write w) {
    writes.incrementAndGet();
    try {
      send(w);
    } catch (RuntimeException e) {
      // the writer thread must outlive any one event
      log.warn("could not record event {} for {}/{}", w.reason(), w.subject().namespace(), w.subject().name(), e);
    }
  }

  private void send(EventCorrelator.Write w) {
    try {
      if (w.create()) {
        create(w, w.eventName());
      } else {
        // through resource(…), not withName(…), which would read the Event first
        Event named = new EventBuilder().withNewMetadata().withName(w.eventName())
            .withNamespace(w.subject().namespace()).endMetadata().build();
        client.v1().events().inNamespace(w.subject().namespace()).resource(named)
            .patch(PatchContext.of(PatchType.JSON_MERGE), Json.write(Map.of(
                "count", w.count(), "lastTimestamp", w.last().toString(), "message", w.message())));
      }
    } catch (KubernetesClientException e) {
      if (!w.create() && e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        // the API server expired the Event (an hour by default): start a new one with the count
        String name = newName(w.subject().name());
        synchronized (correlator) {
          correlator.renamed(w, name);
        }
        try {
          create(w, name);
        } catch (KubernetesClientException again) {
          failed(w, again);
        }
        return;
      }
      failed(w, e);
    }
  }

  private void create(EventCorrelator.Write w, String name) {
    var s = w.subject();
    Event event = new EventBuilder()
        .withNewMetadata().withName(name).withNamespace(s.namespace()).endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(s.apiVersion())
            .withKind(s.kind())
            .withName(s.name())
            .withNamespace(s.namespace())
            .withUid(s.uid())
            .build())
        .withType(w.type())
        .withReason(w.reason())
        .withMessage(w.message())
        .withFirstTimestamp(w.first().toString())
        .withLastTimestamp(w.last().toString())
        .withCount(w.count())
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent(COMPONENT)
        .build();
    client.v1().events().inNamespace(s.namespace()).resource(event).create();
  }

  private void failed(EventCorrelator.Write w, KubernetesClientException e) {
    log.warn("could not record event {} for {}/{}: {}", w.reason(), w.subject().namespace(), w.subject().name(),
        e.getMessage());
  }

  private String newName(String objectName) {
    return eventName(objectName, Long.toHexString(clock.millis()).toLowerCase(Locale.ROOT)
        + Long.toHexString(sequence.incrementAndGet()));
  }

  /**
   * {@code <object>.<suffix>}, with the object's name cut so the whole stays a DNS-1123
   * subdomain of at most 253 characters: an object may have a name of 253 itself, and the API
   * server refuses longer Event names (every Event of such a fleet would be lost).
   */
  static String eventName(String objectName, String suffix) {
    int room = 253 - suffix.length() - 1;
    String base = objectName.length() > room
        ? objectName.substring(0, room).replaceAll("[-.]+$", "")
        : objectName;
    return base + "." + suffix;
  }

  /** Writes what is queued and every count not yet written, for up to 3 s, then stops. */
  @Override
  public void close() {
    closed = true;
    try {
      writer.join(CLOSE_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writer.interrupt();
  }
}
