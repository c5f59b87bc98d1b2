package io.dustcloud;

import io.dustcloud.dev.DevMode;
import io.dustcloud.wiring.ClusterMode;
import java.util.Arrays;

/** {@code java -jar dustcloud.jar COMMAND [options]}. */
public final class Main {
  private Main() {}

  static final String USAGE =
      """
      usage: java -jar dustcloud.jar COMMAND [options]

      commands:
        dev       run an in-process Kubernetes API and the operator with the local provider
                  --api-port N       API port (default: any free port)
                  --kubeconfig FILE  where to write the kubeconfig (default: .dustcloud/kubeconfig)
                  --state-dir DIR    instance state, logs and artifacts (default: .dustcloud/state)
                  --http-port N      /healthz, /readyz, /metrics (default: 8081)
                  --trust DIR        also read local images and build sources under DIR (repeatable;
                                     the working and state directories are always trusted)
        run       run the operator against the cluster of the current kubeconfig or service account
                  (settings from DUSTCLOUD_* environment variables; see docs/configuration.md)
        doctor    probe what the local provider can boot on this host (QEMU, KVM or TCG,
                  Solo5 tenders, network namespaces and tap) and print why each "no"
        simulate  replay a demand trace through the autoscaler and the KPA, HPA and GCE-like
                  peers: --trace FILE [--boot-seconds N] [--saturate] (simulate --help for all)
        version   print the version
      """;

  public static void main(String[] args) throws Exception {
    io.dustcloud.operator.CommonPool.ensureParallel();
    // before the first logger exists: logback reads this once
    if ("json".equalsIgnoreCase(System.getenv("DUSTCLOUD_LOG_FORMAT"))
        && System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "logback-json.xml");
    }
    if (args.length == 0) {
      System.err.print(USAGE);
      System.exit(2);
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "dev" -> DevMode.main(rest);
      case "run" -> ClusterMode.main(rest);
      case "doctor" -> System.out.print(doctor());
      case "simulate" -> System.exit(io.dustcloud.sim.Simulator.main(rest, System.out, System.err));
      case "version" -> System.out.println(version());
      case "help", "-h", "--help" -> System.out.print(USAGE);
      default -> {
        System.err.println("unknown command: " + args[0]);
        System.err.print(USAGE);
        System.exit(2);
      }
    }
  }

  static String doctor() throws java.io.IOException {
    java.nio.file.Path scratch = java.nio.file.Files.createTempDirectory("dustcloud-doctor");
    try {
      return io.dustcloud.provider.local.LocalProvider.doctor(scratch);
    } finally {
      try (var files = java.nio.file.Files.walk(scratch)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  public static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return "dustcloud " + (v == null ? "dev" : v);
  }
}
