package io.dustcloud.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SPI scenarios every provider must pass, about counts, revisions, ids and states (health
 * is the supervisor's business). Subclasses supply a provider over their backend; a second
 * provider over the same backend plays the restarted operator.
 */
public abstract class FleetProviderContract {
  protected static final FleetId FLEET = new FleetId("default", "hello");
  protected static final Duration WAIT = Duration.ofSeconds(15);

  protected FleetProvider provider;

  /** A fresh provider over the backend's current state, located at the test fleet. */
  protected abstract FleetProvider newProvider();

  /** An image of {@code revision} whose instances report {@code version}. */
  protected abstract RevisionImage image(String revision, String version);

  /** The instance was replaced (a new id, or the backend recreated it). */
  protected abstract void assertReplaced(InstanceView before, FleetObservation after);

  /** Nothing of the fleet is left on the backend. */
  protected abstract void assertNothingLeft();

  @BeforeEach
  void createProvider() {
    provider = located(newProvider());
  }

  @Test
  void createsTheDesiredInstances() {
    provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 2));

    FleetObservation obs = awaitRunning(Map.of("r1", 2L));
    assertThat(obs.instances()).extracting(InstanceView::id).doesNotHaveDuplicates();
    assertThat(obs.instances()).allSatisfy(i -> assertThat(i.address()).isNotBlank());
  }

  @Test
  void scalesUpAndDown() {
    provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 2));
    provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 3));
    Set<String> three = ids(awaitRunning(Map.of("r1", 3L)));

    provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 1));

    Set<String> one = ids(awaitRunning(Map.of("r1", 1L)));
    assertThat(three).containsAll(one);
  }

  @Test
  void splitsBetweenTwoRevisionsAndDropsTheOneLeftOut() {
    provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 3));
    awaitRunning(Map.of("r1", 3L));

    provider.realize(split(1, 2));
    awaitRunning(Map.of("r1", 1L, "r2", 2L));

    provider.realize(DesiredFleet.single(FLEET, image("r2", "v2"), 2));
    awaitRunning(Map.of("r2", 2L));
  }

  @Test
  void replacesAnInstanceWithOneOfTheSameRevision() {
    provider.realize(split(1, 1));
    FleetObservation before = awaitRunning(Map.of("r1", 1L, "r2", 1L));
    InstanceView old = before.instances().stream().filter(i -> i.revision().equals("r2")).findFirst().orElseThrow();

    provider.replace(FLEET, List.of(old.id()));

    FleetObservation after = provider.observe(FLEET);
    assertReplaced(old, after);
    awaitRunning(Map.of("r1", 1L, "r2", 1L));
  }

  @Test
  void deleteLeavesNothing() {
    provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 2));
    awaitRunning(Map.of("r1", 2L));

    provider.delete(FLEET);

    assertThat(located(provider).observe(FLEET).instances()).isEmpty();
    assertNothingLeft();
    provider.delete(FLEET); // idempotent
  }

  @Test
  void aRestartedProviderAdoptsTheFleet() {
    provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 2));
    Set<String> ids = ids(awaitRunning(Map.of("r1", 2L)));
    provider.close();

    provider = located(newProvider());

    assertThat(ids(provider.observe(FLEET))).isEqualTo(ids);
    assertThat(ids(provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 2)))).isEqualTo(ids);
    provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 3));
    assertThat(ids(awaitRunning(Map.of("r1", 3L)))).containsAll(ids);
  }

  protected FleetObservation awaitRunning(Map<String, Long> counts) {
    FleetObservation[] last = new FleetObservation[1];
    await().atMost(WAIT).untilAsserted(() -> {
      FleetObservation obs = provider.observe(FLEET);
      last[0] = obs;
      assertThat(obs.instances().stream().collect(Collectors.groupingBy(InstanceView::revision, Collectors.counting())))
          .isEqualTo(counts);
      assertThat(obs.instances()).as("%s", obs.instances()).allMatch(i -> i.state() == InstanceState.RUNNING);
    });
    return last[0];
  }

  protected DesiredFleet split(int r1, int r2) {
    Map<String, DesiredFleet.Target> targets = new LinkedHashMap<>();
    targets.put("r1", new DesiredFleet.Target(image("r1", "v1"), r1));
    targets.put("r2", new DesiredFleet.Target(image("r2", "v2"), r2));
    return new DesiredFleet(FLEET, targets);
  }

  private FleetProvider located(FleetProvider p) {
    p.locate(FLEET, image("r1", "v1").settings());
    return p;
  }

  protected static Set<String> ids(FleetObservation obs) {
    return obs.instances().stream().map(InstanceView::id).collect(Collectors.toSet());
  }
}
