package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dustcloud.api.v1alpha1.InvalidField;
import io.dustcloud.api.v1alpha1.ReadProblems;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * An object the operator cannot fully read is reported once per version: not again on every
 * reconcile, nor after the operator's own status write moved its resourceVersion; again when
 * the user writes a new spec, or breaks it again after fixing it.
 */
class InvalidObjectsTest {
  static final InvalidField PORT = new InvalidField("spec.port", "\"abc\"", "an integer");
  static final InvalidField READY = new InvalidField("status.readyReplicas", "\"many\"", "an integer");
  final PipelineHarness.TestingEvents events = new PipelineHarness.TestingEvents();
  final InvalidObjects invalid = new InvalidObjects(events);
  final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  final Logger logger = (Logger) LoggerFactory.getLogger(InvalidObjects.class);

  @BeforeEach
  void capture() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void release() {
    logger.detachAppender(logs);
  }

  static Unikernel uk(long generation, String resourceVersion, InvalidField spec, InvalidField status) {
    Unikernel uk = new Unikernel();
    uk.setMetadata(new ObjectMetaBuilder().withNamespace("default").withName("hello").withGeneration(generation)
        .withResourceVersion(resourceVersion).build());
    uk.readProblems(spec == null && status == null ? ReadProblems.none() : new ReadProblems<>(spec, null, status));
    return uk;
  }

  @Test
  void anUnreadableSpecIsReportedOncePerVersion() {
    invalid.report(uk(2, "10", PORT, null), List.of());
    invalid.report(uk(2, "10", PORT, null), List.of());
    invalid.report(uk(2, "11", PORT, null), List.of()); // the operator wrote the stall
    assertThat(errors()).singleElement().asString()
        .isEqualTo("Unikernel default/hello (resourceVersion 10) cannot be read: spec.port: expected an integer,"
            + " found \"abc\"; the fleet is left as it is until the object is fixed");
    // the stall is the Event
    assertThat(events.warnings).isEmpty();

    invalid.report(uk(3, "12", PORT, null), List.of()); // written again, as bad
    invalid.report(uk(4, "13", null, null), List.of()); // fixed
    invalid.report(uk(5, "14", PORT, null), List.of()); // broken again
    assertThat(errors()).hasSize(3);
  }

  @Test
  void anUnreadableStatusIsReportedWithAnEvent() {
    invalid.report(uk(2, "10", null, READY), List.of());
    invalid.report(uk(2, "10", null, READY), List.of());

    assertThat(errors()).singleElement().asString().contains("status.readyReplicas: expected an integer")
        .endsWith("the operator replaces the status with its own");
    assertThat(events.warnings).containsExactly("InvalidObject: the status cannot be read: status.readyReplicas:"
        + " expected an integer, found \"many\"; the status is replaced with the operator's own");
  }

  private List<String> errors() {
    return logs.list.stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage).toList();
  }
}
