package io.dustcloud.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The example unikernel ({@code examples/hello}), built once per test JVM with make. */
public final class ExampleApp {
  public static final Path BINARY = Path.of("examples/hello/hello").toAbsolutePath();
  private static volatile boolean built;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  private ExampleApp() {}

  public static synchronized Path binary() {
    if (!built) {
      ExampleBuilds.locked(() -> {
        try {
          Process make = new ProcessBuilder("make", "-s", "-C", "examples/hello").redirectErrorStream(true).start();
          String output = new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          assertThat(make.waitFor()).as("make output: %s", output).isZero();
          return null;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      });
      built = true;
    }
    return BINARY;
  }

  /** GET http://address/path; the body, or null when the request failed. */
  public static String get(String address, String path) {
    try {
      HttpResponse<String> r =
          HTTP.send(HttpRequest.newBuilder(URI.create("http://" + address + path)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Processes of this JVM's descendants that run a stored artifact (i.e. fleet instances). */
  public static List<ProcessHandle> instances() {
    return ProcessHandle.current().descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.contains("/sha256/")).orElse(false))
        .toList();
  }

  /** Kills every descendant of this JVM: a failed test must not leave processes behind. */
  public static void killDescendants() {
    List<ProcessHandle> children = ProcessHandle.current().descendants().toList();
    children.forEach(ProcessHandle::destroyForcibly);
    children.forEach(h -> h.onExit().join());
  }
}
