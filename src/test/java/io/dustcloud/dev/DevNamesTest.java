package io.dustcloud.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.operator.Conditions;
import io.dustcloud.operator.StatusConditions;
import io.dustcloud.testing.EndToEnd;
import io.dustcloud.testing.ExampleApp;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any name the API allows (metadata.name up to 253 characters) is created, served and deleted
 * by dev mode's operator and local provider: names of 239 and more characters once made a state
 * file name longer than 255 bytes (never Ready, and the longest could not be deleted).
 */
@EndToEnd
class DevNamesTest {
  private static final List<Integer> LENGTHS = List.of(1, 63, 64, 238, 239, 253);

  @TempDir Path dir;
  DevMode dev;

  @BeforeEach
  void start() throws Exception {
    ExampleApp.binary();
    dev = new DevMode(new DevMode.Options(0, dir.resolve("kubeconfig"), dir.resolve("state"), 0));
  }

  @AfterEach
  void stop() {
    if (dev != null) {
      dev.close();
    }
    ExampleApp.killDescendants();
  }

  @Test
  void devModeListensOnLoopbackOnly() {
    assertThat(dev.httpAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(URI.create(dev.apiUrl()).getHost()).isEqualTo("127.0.0.1");
  }

  @Test
  void everyLegalNameLengthIsCreatedServedAndDeleted() throws Exception {
    KubernetesClient client = dev.client();
    List<String> names = LENGTHS.stream().map(DevNamesTest::name).toList();
    for (String name : names) {
      client.resource(fleet(name)).create();
    }

    for (String name : names) {
      await("Ready " + name.length()).atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
          .untilAsserted(() -> {
            Unikernel uk = client.resources(Unikernel.class).withName(name).get();
            assertThat(uk.getStatus()).as("status of the %d-character name", name.length()).isNotNull();
            assertThat(StatusConditions.isTrue(uk.getStatus().conditions, Conditions.READY))
                .as("Ready of the %d-character name: %s", name.length(), uk.getStatus().conditions).isTrue();
            assertThat(ExampleApp.get(uk.getStatus().endpoint, "/")).contains("hello from");
          });
    }

    for (String name : names) {
      client.resources(Unikernel.class).withName(name).delete();
    }
    for (String name : names) {
      await("deleted " + name.length()).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
          .untilAsserted(() -> assertThat(client.resources(Unikernel.class).withName(name).get())
              .as("the %d-character Unikernel (finalizer removed)", name.length()).isNull());
    }
    await("instances stopped").atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(ExampleApp.instances()).isEmpty());
    try (Stream<Path> files = Files.list(dir.resolve("state/local/fleets"))) {
      assertThat(files.map(p -> p.getFileName().toString())).as("state files left").isEmpty();
    }
  }

  /** A DNS-1123 subdomain of exactly {@code length} characters, dots included past 63. */
  private static String name(int length) {
    StringBuilder b = new StringBuilder("n");
    while (b.length() < length) {
      b.append(b.length() % 60 == 59 && b.length() < length - 1 ? '.' : 'a');
    }
    return b.toString();
  }

  private static Unikernel fleet(String name) throws Exception {
    try (InputStream yaml = Files.newInputStream(Path.of("examples/hello.yaml"))) {
      Unikernel uk = Serialization.unmarshal(yaml, Unikernel.class);
      uk.getMetadata().setName(name);
      uk.getSpec().scaling.minReplicas = 1;
      uk.getSpec().scaling.maxReplicas = 1;
      return uk;
    }
  }
}
