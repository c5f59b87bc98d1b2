package io.dustcloud.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.BuildSpec;
import io.dustcloud.api.v1alpha1.ImageSource;
import io.dustcloud.api.v1alpha1.UnikernelRevisionSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import io.dustcloud.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalArtifactResolverTest {
  @TempDir Path dir;
  LocalArtifactStore store;
  LocalBuilder builder;
  LocalArtifactResolver resolver;
  final MutableClock clock = new MutableClock();

  @BeforeEach
  void setUp() {
    store = new LocalArtifactStore(dir.resolve("store"));
    // in place, as whoever runs the test: these builds leave marks in and next to the source
    // (flags, pid files); building as nobody in a copy is LocalArtifactTrustTest's business
    builder = new LocalBuilder(store, dir.resolve("logs"), Duration.ofSeconds(30), clock, BuildIsolation.inPlace());
    resolver = new LocalArtifactResolver(store, builder, new TrustedRoots(java.util.List.of(dir)));
  }

  @AfterEach
  void tearDown() {
    builder.close();
  }

  static UnikernelRevisionSpec image(String url, String sha256) {
    UnikernelRevisionSpec spec = new UnikernelRevisionSpec();
    spec.image = new ImageSource();
    spec.image.url = url;
    spec.image.sha256 = sha256;
    return spec;
  }

  static UnikernelRevisionSpec build(Path source, String artifact) {
    UnikernelRevisionSpec spec = new UnikernelRevisionSpec();
    spec.build = new BuildSpec();
    spec.build.source = new BuildSpec.LocalSource();
    spec.build.source.path = source.toString();
    spec.build.source.artifact = artifact;
    return spec;
  }

  Path artifact(String content) throws Exception {
    return Files.writeString(dir.resolve("app.bin"), content);
  }

  @Test
  void prebuiltFileWithMatchingDigestIsStoredAndResolved() throws Exception {
    Path file = artifact("hello");
    String sha = LocalArtifactStore.sha256(file);

    var result = resolver.resolve("k1", image(file.toString(), sha), null);

    assertThat(result).isEqualTo(new ArtifactResolution.Resolved(store.pathOf(sha).toString(), sha, false));
    assertThat(store.get(sha)).isPresent();
  }

  @Test
  void cancellingARevisionStopsItsRunningBuild() throws Exception {
    Path source = Files.createDirectories(dir.resolve("slow"));
    Files.writeString(source.resolve("Makefile"), "all:\n\tsleep 300 & echo $$! > sleep.pid; wait\n");
    var rev = new io.dustcloud.api.v1alpha1.UnikernelRevision();
    rev.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("web-1").build());
    rev.setSpec(build(source, "app"));
    rev.getSpec().hash = "k1";
    assertThat(resolver.cancel(rev)).as("nothing runs yet").isNull();

    assertThat(resolver.resolve(rev)).isInstanceOf(ArtifactResolution.Pending.class);
    Path pidFile = source.resolve("sleep.pid");
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
    long pid = Long.parseLong(Files.readString(pidFile).trim());

    assertThat(resolver.cancel(rev)).startsWith("cancelled the local build ");

    await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    assertThat(resolver.cancel(rev)).as("cancelled once").isNull();
  }

  @Test
  void fileUrlIsAccepted() throws Exception {
    Path file = artifact("hello");
    String sha = LocalArtifactStore.sha256(file);
    assertThat(resolver.resolve("k1", image(file.toUri().toString(), sha), null))
        .isInstanceOf(ArtifactResolution.Resolved.class);
  }

  @Test
  void missingFileIsNotFound() {
    var result = resolver.resolve("k1", image(dir.resolve("nope.bin").toString(), "a".repeat(64)), null);

    var failed = failed(result, "ArtifactNotFound");
    assertThat(failed.message()).contains(dir.resolve("nope.bin").toString());
  }

  @Test
  void wrongDigestIsRefusedNamingTheDeclaredDigestOnly() throws Exception {
    Path file = artifact("hello");
    String actual = LocalArtifactStore.sha256(file);
    String declared = "b".repeat(64);

    var result = resolver.resolve("k1", image(file.toString(), declared), null);

    var failed = failed(result, "ArtifactDigestMismatch");
    // the actual digest would tell a spec's author the digest of any file it can name
    assertThat(failed.message()).contains(declared, "does not match").doesNotContain(actual);
    assertThat(store.get(actual)).as("nothing stored").isEmpty();
  }

  @Test
  void cloudUrlIsUnsupported() {
    var result = resolver.resolve("k1", image("gs://bucket/app.tar.gz", "a".repeat(64)), null);

    var failed = failed(result, "UnsupportedArtifactURL");
    assertThat(failed.message()).contains("gs://");
  }

  @Test
  void recordedDigestWinsOverTheChangedOriginal() throws Exception {
    Path file = artifact("v1");
    String sha = LocalArtifactStore.sha256(file);
    resolver.resolve("k1", image(file.toString(), sha), null);
    Files.writeString(file, "v2");

    var result = resolver.resolve("k1", image(file.toString(), sha), sha);

    assertThat(result).isEqualTo(new ArtifactResolution.Resolved(store.pathOf(sha).toString(), sha, false));
    assertThat(Files.readString(store.pathOf(sha))).isEqualTo("v1");
  }

  /** Asserts {@code result} failed for {@code reason} and returns it. */
  static ArtifactResolution.Failed failed(ArtifactResolution result, String reason) {
    assertThat(result).isInstanceOf(ArtifactResolution.Failed.class);
    var failed = (ArtifactResolution.Failed) result;
    assertThat(failed.reason().value()).isEqualTo(reason);
    return failed;
  }

  /** A source directory holding {@code makefile}. */
  Path source(String makefile) throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("Makefile"), makefile);
    return src;
  }

  ArtifactResolution awaitSettled(String key, UnikernelRevisionSpec spec) {
    AtomicReference<ArtifactResolution> last = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> {
          last.set(resolver.resolve(key, spec, null));
          return !(last.get() instanceof ArtifactResolution.Pending);
        });
    return last.get();
  }

  @Test
  void buildIsPendingThenResolved() throws Exception {
    // the build waits (at most ~10 s) for a go file, so the first answer is reliably Pending
    Path src =
        source(
            "all:\n\tmkdir -p out\n\tfor i in $$(seq 500); do [ -f go ] && break; sleep 0.02; done\n"
                + "\tprintf 'built' > out/app.bin\n");
    UnikernelRevisionSpec spec = build(src, "out/app.bin");

    var first = resolver.resolve("build-ok", spec, null);
    assertThat(first).isInstanceOf(ArtifactResolution.Pending.class);
    assertThat(((ArtifactResolution.Pending) first).reason().value()).isEqualTo("Building");
    Files.writeString(src.resolve("go"), "");

    var settled = awaitSettled("build-ok", spec);

    assertThat(settled).isInstanceOf(ArtifactResolution.Resolved.class);
    var resolved = (ArtifactResolution.Resolved) settled;
    assertThat(resolved.built()).isTrue();
    assertThat(resolved.sha256()).isEqualTo(LocalArtifactStore.sha256(src.resolve("out/app.bin")));
    assertThat(Path.of(resolved.location())).isEqualTo(store.pathOf(resolved.sha256()));
    assertThat(Files.readString(Path.of(resolved.location()))).isEqualTo("built");
  }

  @Test
  void failingBuildReportsTheLogTail() throws Exception {
    Path src = source("all:\n\t@echo compiling-step-one\n\t@echo boom-marker >&2\n\t@exit 3\n");

    var settled = awaitSettled("build-bad", build(src, "app.bin"));

    var failed = failed(settled, "BuildFailed");
    assertThat(failed.message()).contains("log tail", "compiling-step-one", "boom-marker");
  }

  @Test
  void unchangedFailingSourceIsRetriedAfterItsBackoffOnly() throws Exception {
    // fails until a file outside the hashed tree appears: same key, so only the backoff retries it
    Path flag = dir.resolve("flag");
    Path src = source("all:\n\t@test -f " + flag + "\n\t@printf fixed > app.bin\n");
    failed(awaitSettled("build-retry", build(src, "app.bin")), "BuildFailed");
    Files.writeString(flag, "");

    assertThat(resolver.resolve("build-retry", build(src, "app.bin"), null))
        .as("before the backoff the failure stands").isInstanceOf(ArtifactResolution.Failed.class);

    clock.advance(LocalBuilder.FIRST_RETRY_DELAY);
    var settled = awaitSettled("build-retry", build(src, "app.bin"));
    assertThat(settled).isInstanceOf(ArtifactResolution.Resolved.class);
  }

  @Test
  void editedSourceHasANewKeyAndBuildsAtOnce() throws Exception {
    Path src = source("all:\n\t@exit 3\n");
    failed(awaitSettled("build-edit", build(src, "app.bin")), "BuildFailed");

    Files.writeString(src.resolve("Makefile"), "all:\n\t@printf fixed > app.bin\n");

    var settled = awaitSettled("build-edit", build(src, "app.bin"));
    assertThat(settled).isInstanceOf(ArtifactResolution.Resolved.class);
    assertThat(((ArtifactResolution.Resolved) settled).built()).isTrue();
  }

  @Test
  void aKeyBuiltBeforeIsReusedWithoutMake() throws Exception {
    Path src = source("all:\n\t@printf once >> ../make-runs\n\t@printf built > app.bin\n");
    var first = (ArtifactResolution.Resolved) awaitSettled("rev-a", build(src, "app.bin"));
    assertThat(first.built()).isTrue();
    assertThat(first.buildKey()).matches("[a-f0-9]{64}");

    // another revision (say, new boot args) with the same build inputs
    var second = resolver.resolve("rev-b", build(src, "app.bin"), null);

    assertThat(second).isEqualTo(new ArtifactResolution.Resolved(first.location(), first.sha256(), false, first.buildKey()));
    assertThat(Files.readString(dir.resolve("make-runs"))).isEqualTo("once");
  }

  @Test
  void theKeyCoversTheSourceButNotTheArtifactOrIgnoredFiles() throws Exception {
    Path src = source("all:\n");
    Files.writeString(src.resolve("main.ml"), "let () = ()");
    String before = SourceTree.hash(src, "app.bin");

    Files.writeString(src.resolve("app.bin"), "built output");
    Files.createDirectories(src.resolve("_build")).resolve("x.o").toFile().createNewFile();
    Files.writeString(src.resolve(".dustcloudignore"), "# outputs\nlogs/\n");
    String withIgnoreFile = SourceTree.hash(src, "app.bin");
    Files.createDirectories(src.resolve("logs")).resolve("build.log").toFile().createNewFile();
    assertThat(SourceTree.hash(src, "app.bin")).isEqualTo(withIgnoreFile);
    assertThat(withIgnoreFile).as("the ignore file itself is source").isNotEqualTo(before);

    Files.writeString(src.resolve("main.ml"), "let () = print_endline \"hi\"");
    assertThat(SourceTree.hash(src, "app.bin")).isNotEqualTo(withIgnoreFile);
  }

  @Test
  void gitBuildsAreNotForTheLocalProvider() {
    UnikernelRevisionSpec spec = new UnikernelRevisionSpec();
    spec.build = new BuildSpec();
    spec.build.git = new BuildSpec.GitSource();
    assertThat(failed(resolver.resolve("k1", spec, null), "BuildUnsupported").message()).contains("gce");
  }

  @Test
  void buildThatDoesNotProduceTheArtifactFails() throws Exception {
    Path src = source("all:\n\t@true\n");

    var settled = awaitSettled("build-empty", build(src, "app.bin"));

    assertThat(failed(settled, "BuildFailed").message()).contains("app.bin");
  }

  @Test
  void missingSourceDirectoryIsBuildSourceNotFound() {
    var result = resolver.resolve("k1", build(dir.resolve("absent"), "app.bin"), null);

    assertThat(failed(result, "BuildSourceNotFound").message()).contains("absent");
  }

  @Test
  void sourceWithoutMakefileIsBuildSourceNotFound() throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("README"), "no makefile here");

    var result = resolver.resolve("k1", build(src, "app.bin"), null);

    assertThat(failed(result, "BuildSourceNotFound").message()).contains("no Makefile");
  }
}
