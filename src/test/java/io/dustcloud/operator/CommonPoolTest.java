package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * On one or two CPUs the JDK gives every asynchronous {@code CompletableFuture} step its own
 * new thread; {@link CommonPool#ensureParallel()} at the start of {@code main} prevents it. Run
 * in a JVM that believes it has one CPU, with and without the call (the latter shows what the
 * test guards against).
 */
class CommonPoolTest {

  /** Prints the default executor of CompletableFuture; with "ensure", after the fix. */
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("ensure")) {
      CommonPool.ensureParallel();
    }
    System.out.println(new CompletableFuture<Void>().defaultExecutor().getClass().getSimpleName()
        + " threadPerTask=" + (java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() < 2));
  }

  @Test
  void aOneCpuJvmKeepsAsyncStepsOnThePool() throws Exception {
    assertThat(run("ensure")).isEqualTo("ForkJoinPool threadPerTask=false");
  }

  @Test
  void withoutItEveryAsyncStepGetsANewThread() throws Exception {
    assertThat(run("plain")).isEqualTo("ThreadPerTaskExecutor threadPerTask=true");
  }

  @Test
  void anExplicitSettingIsKept() throws Exception {
    assertThat(run("ensure", "-D" + CommonPool.PARALLELISM + "=1")).isEqualTo("ThreadPerTaskExecutor threadPerTask=true");
  }

  private static String run(String mode, String... jvmOptions) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:ActiveProcessorCount=1"));
    command.addAll(List.of(jvmOptions));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), CommonPoolTest.class.getName(), mode));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out;
  }
}
