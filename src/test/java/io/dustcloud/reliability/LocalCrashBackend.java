package io.dustcloud.reliability;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.OperatorProcess;
import io.dustcloud.testing.Unikernels;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The local provider in the operator JVM: instances are example-app processes that outlive a
 * killed operator. They are told apart by their command line: the artifact lives under this
 * run's state directory and {@code --name=FLEET} is a boot argument.
 */
public final class LocalCrashBackend implements CrashHarness.Backend {
  private final Path stateDir;

  public LocalCrashBackend(Path dir) {
    this.stateDir = dir.resolve("state").toAbsolutePath();
    ExampleApp.binary();
  }

  @Override
  public Map<String, String> env() {
    // the operator runs the example's binary, so it trusts where it is (a cluster trusts no local file by default)
    return Map.of("DUSTCLOUD_LOCAL_PROVIDER", "true",
        "DUSTCLOUD_TRUSTED_ROOTS", ExampleApp.BINARY.toAbsolutePath().getParent().toString());
  }

  @Override
  public Unikernel fleet(String name, int replicas, String version) {
    return Unikernels.local(CrashHarness.NS, name, ExampleApp.BINARY, replicas, "--name=" + name, "--version=" + version);
  }

  /** Instance processes of the fleet, wherever they were re-parented. */
  public List<ProcessHandle> processes(String name) {
    return OperatorProcess.processesWith(stateDir.toString()).stream()
        .filter(p -> p.info().arguments().map(a -> Arrays.asList(a).contains("--name=" + name)).orElse(false))
        .toList();
  }

  @Override
  public int instances(String name) {
    return processes(name).size();
  }

  @Override
  public List<String> duplicates(String name, int replicas, KubernetesClient client) {
    List<ProcessHandle> running = processes(name);
    List<String> problems = new ArrayList<>();
    if (running.size() > replicas) {
      problems.add(running.size() + " processes for " + replicas + " replicas: "
          + running.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList());
    }
    return problems;
  }

  @Override
  public List<String> leftovers(String name) {
    List<String> left = new ArrayList<>();
    processes(name).forEach(p -> left.add("process " + p.pid() + " " + p.info().commandLine().orElse("?")));
    // <ns>.<name>_<hash>.json, or <ns>.<name>.json as operators before it named them
    String key = CrashHarness.NS + "." + name;
    Path fleets = stateDir.resolve("local/fleets");
    if (Files.isDirectory(fleets)) {
      try (var files = Files.list(fleets)) {
        files.filter(f -> f.getFileName().toString().startsWith(key + "_") || f.getFileName().toString().equals(key + ".json"))
            .forEach(f -> left.add("state file " + f));
      } catch (java.io.IOException e) {
        left.add("cannot list " + fleets + ": " + e);
      }
    }
    return left;
  }

  @Override
  public void close() {
    OperatorProcess.killAll(stateDir.toString());
  }
}
