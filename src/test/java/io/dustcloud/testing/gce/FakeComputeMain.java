package io.dustcloud.testing.gce;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The Compute fake as a process, for trying the GCE provider by hand: {@code java -cp
 * target/dustcloud.jar:target/test-classes io.dustcloud.testing.gce.FakeComputeMain [bootMillis]}
 * prints the endpoint to give {@code DUSTCLOUD_GCE_ENDPOINT} (and {@code DUSTCLOUD_GCS_ENDPOINT})
 * and serves until killed. Its Cloud Storage holds any object under {@code gs://dustcloud-test/},
 * with sha256 0…0. Lines on its standard input play GCE's failures:
 * <pre>
 * fail-creations CODE MESSAGE…      every instance creation fails (lastAttempt.errors), e.g.
 *                                   fail-creations ZONE_RESOURCE_POOL_EXHAUSTED The zone … does not have enough resources
 * fail-creations-quietly CODE MSG…  the same, told only by the group's listErrors
 * allow-creations                   creations succeed again
 * fail-operations METHOD N CODE MSG the next N operations of METHOD (e.g. instanceTemplates.insert) end in error
 * calls                             prints the calls made so far, by method
 * </pre>
 */
public final class FakeComputeMain {
  private FakeComputeMain() {}

  public static void main(String[] args) throws Exception {
    FakeCompute fake = new FakeCompute();
    fake.provisioningMillis = 500;
    fake.stagingMillis = 500;
    fake.bootMillis = args.length > 0 ? Long.parseLong(args[0]) : 1000;
    System.out.println("endpoint: " + fake.endpoint());
    Runtime.getRuntime().addShutdownHook(new Thread(fake::close));
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      try {
        System.out.println(command(fake, line.trim()));
      } catch (RuntimeException e) {
        System.out.println("refused: " + e.getMessage());
      }
    }
    Thread.currentThread().join(); // stdin closed (run in the background): serve until killed
  }

  static String command(FakeCompute fake, String line) {
    String[] w = line.split("\\s+", 2);
    String rest = w.length > 1 ? w[1] : "";
    switch (w[0]) {
      case "fail-creations", "fail-creations-quietly" -> {
        String[] cm = rest.split("\\s+", 2);
        if (cm.length < 2) {
          throw new IllegalArgumentException("usage: " + w[0] + " CODE MESSAGE");
        }
        if (w[0].endsWith("quietly")) {
          fake.failCreationsQuietly(cm[0], cm[1]);
        } else {
          fake.failCreations(cm[0], cm[1]);
        }
        return "creations fail with " + cm[0];
      }
      case "allow-creations" -> {
        fake.allowCreations();
        return "creations succeed";
      }
      case "fail-operations" -> {
        String[] m = rest.split("\\s+", 4);
        if (m.length < 4) {
          throw new IllegalArgumentException("usage: fail-operations METHOD N CODE MESSAGE");
        }
        fake.faults.failNextOperations(m[0], Integer.parseInt(m[1]), 400, m[2], m[3]);
        return "the next " + m[1] + " " + m[0] + " operations end in " + m[2];
      }
      case "calls" -> {
        return fake.calls().toString();
      }
      case "" -> {
        return "";
      }
      default -> throw new IllegalArgumentException("unknown command '" + w[0] + "'");
    }
  }
}
