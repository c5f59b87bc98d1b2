package io.dustcloud.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.BuildSpec;
import io.dustcloud.api.v1alpha1.ImageSource;
import io.dustcloud.api.v1alpha1.UnikernelRevisionSpec;
import io.dustcloud.build.ArtifactResolution;
import io.dustcloud.build.BuildIsolation;
import io.dustcloud.build.LocalArtifactResolver;
import io.dustcloud.build.LocalArtifactStore;
import io.dustcloud.build.LocalBuilder;
import io.dustcloud.build.SourceTree;
import io.dustcloud.build.TrustedRoots;
import io.dustcloud.core.Reason;
import io.dustcloud.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attacks on the local provider's artifacts and builds by whoever may write a Unikernel: make
 * the operator (often root) read, store, run or build files it should not. Only files under
 * the trusted roots are read, by their real path; a mismatching digest is never shown; a build
 * artifact is a regular file inside the source; make never runs as root. A bystander artifact
 * inside the roots resolves before and after every attack, and is all the store ever holds.
 */
class LocalArtifactTrustTest {
  @TempDir Path dir;
  Path trusted;
  Path outside;
  Path secret;
  String secretSha;
  LocalArtifactStore store;
  LocalBuilder builder;
  LocalArtifactResolver resolver;
  Path bystander;
  String bystanderSha;

  @BeforeEach
  void setUp() throws IOException {
    trusted = Files.createDirectories(dir.resolve("trusted"));
    outside = Files.createDirectories(dir.resolve("outside"));
    secret = Files.writeString(outside.resolve("secret"), "root:$6$not-for-you:19000:0:99999:7:::\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    secretSha = LocalArtifactStore.sha256(secret);
    store = new LocalArtifactStore(dir.resolve("state/artifacts"));
    // the operator's own user decides: as root (this machine, some CI) make runs as nobody
    builder = new LocalBuilder(store, dir.resolve("state/builds"), Duration.ofSeconds(60), new MutableClock(),
        BuildIsolation.forCurrentUser());
    resolver = new LocalArtifactResolver(store, builder, new TrustedRoots(List.of(trusted)));
    bystander = Files.writeString(trusted.resolve("bystander.bin"), "#!/bin/sh\necho bystander\n");
    bystanderSha = LocalArtifactStore.sha256(bystander);
    assertBystanderResolves();
  }

  /**
   * Revision status can be written through /status by others: a location recorded there (a
   * file outside the roots, with its real digest) is never what the local provider is given.
   */
  @Test
  void aLocationRecordedInARevisionsStatusIsNeverRead() {
    assertThat(resolver.location(secret.toString(), secretSha)).isEqualTo(store.pathOf(secretSha).toString());
    assertThat(resolver.location("file://" + secret, secretSha)).doesNotContain(outside.toString());
    assertThat(resolver.location(secret.toString(), "../../outside/secret")).as("not a digest").isNull();
    assertThat(resolver.location(secret.toString(), null)).isNull();
  }

  @AfterEach
  void tearDown() {
    assertBystanderResolves();
    builder.close();
  }

  void assertBystanderResolves() {
    assertThat(resolver.resolve("bystander", image(bystander.toUri().toString(), bystanderSha), null))
        .isEqualTo(new ArtifactResolution.Resolved(store.pathOf(bystanderSha).toString(), bystanderSha, false));
  }

  /** A path naming a file outside the roots, one way or another. */
  record Escape(String name, Function<LocalArtifactTrustTest, String> url) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Escape> imagesOutsideTheRoots() {
    return Stream.of(
        new Escape("file:// URL", t -> t.secret.toUri().toString()),
        new Escape("absolute path", t -> t.secret.toString()),
        new Escape(".. out of a root", t -> t.trusted + "/../outside/secret"),
        new Escape("symlink in a root to a file outside", t -> t.link("shadow-link", t.secret).toString()),
        new Escape("file under a symlinked directory in a root", t -> t.link("out-dir", t.outside) + "/secret"),
        new Escape("file that does not exist outside", t -> t.outside.resolve("nothing-here").toUri().toString()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("imagesOutsideTheRoots")
  void anImageOutsideTheRootsIsRefusedWithoutItsDigestEvenWithTheRightOne(Escape escape) throws IOException {
    String url = escape.url().apply(this);
    for (String declared : List.of("a".repeat(64), secretSha)) {
      var result = resolver.resolve("attack", image(url, declared), null);

      var failed = failed(result, Reason.UNTRUSTED_PATH);
      assertThat(failed.message()).as("names the roots, never a digest")
          .contains(trusted.toString()).doesNotContain(secretSha);
    }
    assertStoreHoldsOnly(bystanderSha);
  }

  @Test
  void etcShadowIsRefusedWithoutItsDigest() throws IOException {
    Path shadow = Path.of("/etc/shadow");
    String sha = Files.isReadable(shadow) ? LocalArtifactStore.sha256(shadow) : null;

    var failed = failed(resolver.resolve("shadow", image("file:///etc/shadow", "a".repeat(64)), null), Reason.UNTRUSTED_PATH);

    assertThat(failed.message()).contains("/etc/shadow", trusted.toString());
    if (sha != null) { // where it exists and we can read it, its digest is what must not leak
      assertThat(failed.message()).doesNotContain(sha);
      failed(resolver.resolve("shadow", image("file:///etc/shadow", sha), null), Reason.UNTRUSTED_PATH);
    }
    assertStoreHoldsOnly(bystanderSha);
  }

  @Test
  void aMismatchingFileInsideTheRootsDoesNotShowItsDigest() throws IOException {
    Path inside = Files.writeString(trusted.resolve("app.bin"), "inside");
    String actual = LocalArtifactStore.sha256(inside);

    var failed = failed(resolver.resolve("k", image(inside.toString(), "b".repeat(64)), null), Reason.ARTIFACT_DIGEST_MISMATCH);

    assertThat(failed.message()).contains("does not match", "b".repeat(64)).doesNotContain(actual);
    assertStoreHoldsOnly(bystanderSha);
  }

  static Stream<Escape> sourcesOutsideTheRoots() {
    return Stream.of(
        new Escape("absolute path", t -> t.outsideSource().toString()),
        new Escape(".. out of a root", t -> t.trusted + "/../outside/" + t.outsideSource().getFileName()),
        new Escape("symlink in a root to a directory outside", t -> t.link("src-link", t.outsideSource()).toString()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sourcesOutsideTheRoots")
  void aBuildSourceOutsideTheRootsIsNeverBuilt(Escape escape) throws IOException {
    var result = resolver.resolve("attack", build(escape.url().apply(this), "app.bin", null), null);

    failed(result, Reason.UNTRUSTED_PATH);
    assertThat(outside.resolve("src/ran")).as("make never started").doesNotExist();
    assertStoreHoldsOnly(bystanderSha);
  }

  static Stream<Escape> lockFilesLeadingOut() {
    return Stream.of(
        new Escape(".. out of the source", t -> "../../outside/secret"),
        new Escape("absolute path", t -> t.secret.toString()),
        new Escape("symlink in the source to a file outside", t -> {
          t.link("src/lock", t.secret);
          return "lock";
        }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("lockFilesLeadingOut")
  void aLockFileLeadingOutOfTheSourceIsRefused(Escape escape) throws IOException {
    Path src = source("all:\n\t@printf ok > app.bin\n");

    var result = resolver.resolve("lock", build(src.toString(), "app.bin", escape.url().apply(this)), null);

    failed(result, Reason.BUILD_SOURCE_NOT_FOUND);
    assertStoreHoldsOnly(bystanderSha);
  }

  static Stream<Escape> artifactsLeadingOut() {
    return Stream.of(
        new Escape("symlink to /bin/sh", t -> "all:\n\tln -sf /bin/sh shlink\n"),
        new Escape("file behind a symlinked directory", t -> "all:\n\tln -sfn /bin bin\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("artifactsLeadingOut")
  void aBuiltArtifactThatIsALinkOutIsNotStoredOrRun(Escape escape) throws IOException {
    Path src = source(escape.url().apply(this));
    String artifact = escape.name().startsWith("symlink") ? "shlink" : "bin/sh";

    var failed = failed(settle("link", build(src.toString(), artifact, null)), Reason.UNTRUSTED_PATH);

    assertThat(failed.message()).contains(artifact);
    assertStoreHoldsOnly(bystanderSha);
  }

  @Test
  void aSymlinkedIgnoreFileIsNotFollowedOutOfTheSource() throws IOException {
    // if .dustcloudignore were followed, the operator would read a file outside the tree (and
    // here: stop counting data.txt, so editing it would not change the build key)
    Files.writeString(outside.resolve("ignore"), "data.txt\n");
    Path src = source("all:\n\t@printf ok > app.bin\n");
    Files.writeString(src.resolve("data.txt"), "one");
    Files.createSymbolicLink(src.resolve(".dustcloudignore"), outside.resolve("ignore"));
    String before = SourceTree.hash(src, "app.bin");

    Files.writeString(src.resolve("data.txt"), "two");

    assertThat(SourceTree.hash(src, "app.bin")).isNotEqualTo(before);
  }

  @Test
  void aSourceAnotherUserOwnsNeverRunsCodeAsRoot() throws Exception {
    int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    Path src = source("all:\n\tid -u > app.bin\n");
    if (uid == 0) {
      // the attack: a directory nobody owns (so nobody writes its Makefile), built by a root operator
      for (Path p : List.of(src, src.resolve("Makefile"))) {
        Files.setOwner(p, p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
      }
    }

    // the build's workspace in a directory of our own, to see that it is removed afterwards
    Path work = Files.createTempDirectory("dustcloud-trust-test-");
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
    builder.close();
    builder = new LocalBuilder(store, dir.resolve("state/builds"), Duration.ofSeconds(60), new MutableClock(),
        BuildIsolation.forUid(uid, work));
    resolver = new LocalArtifactResolver(store, builder, new TrustedRoots(List.of(trusted)));

    var built = (ArtifactResolution.Resolved) settle("owned", build(src.toString(), "app.bin", null));
    try (Stream<Path> left = Files.list(work)) {
      assertThat(left).as("the workspace is removed").isEmpty();
    }
    Files.delete(work);

    String ranAs = Files.readString(Path.of(built.location())).trim();
    // root drops to nobody (65534); anyone else builds as themselves, never as anyone more
    assertThat(ranAs).isEqualTo(uid == 0 ? "65534" : Integer.toString(uid));
    assertThat(Integer.parseInt(ranAs)).isNotZero();
    // the rule itself, whoever runs this test: only root drops privileges
    assertThat(BuildIsolation.forUid(0, dir).dropsPrivileges()).isTrue();
    assertThat(BuildIsolation.forUid(1000, dir).dropsPrivileges()).isFalse();
  }

  @Test
  void aLegitimateBuildInsideTheRootsStillBuilds() throws Exception {
    Path src = source("all:\n\tprintf 'built\\n' > app.bin\n");

    var built = (ArtifactResolution.Resolved) settle("legit", build(src.toString(), "app.bin", null));

    assertThat(Files.readString(Path.of(built.location()))).isEqualTo("built\n");
  }

  // --- helpers

  Path link(String name, Path target) {
    try {
      return Files.createSymbolicLink(trusted.resolve(name), target);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  Path outsideSource() {
    try {
      Path src = Files.createDirectories(outside.resolve("src"));
      Files.writeString(src.resolve("Makefile"), "all:\n\ttouch ran\n\tprintf evil > app.bin\n");
      return src;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  Path source(String makefile) throws IOException {
    Path src = Files.createDirectories(trusted.resolve("src"));
    Files.writeString(src.resolve("Makefile"), makefile);
    return src;
  }

  ArtifactResolution settle(String key, UnikernelRevisionSpec spec) {
    return await().atMost(Duration.ofSeconds(60)).until(() -> resolver.resolve(key, spec, null),
        r -> !(r instanceof ArtifactResolution.Pending));
  }

  void assertStoreHoldsOnly(String... shas) throws IOException {
    Path dirOfShas = dir.resolve("state/artifacts/sha256");
    try (Stream<Path> files = Files.list(dirOfShas)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(shas);
    }
  }

  static ArtifactResolution.Failed failed(ArtifactResolution result, Reason reason) {
    assertThat(result).isInstanceOf(ArtifactResolution.Failed.class);
    var failed = (ArtifactResolution.Failed) result;
    assertThat(failed.reason()).as(failed.message()).isEqualTo(reason);
    return failed;
  }

  static UnikernelRevisionSpec image(String url, String sha256) {
    UnikernelRevisionSpec spec = new UnikernelRevisionSpec();
    spec.image = new ImageSource();
    spec.image.url = url;
    spec.image.sha256 = sha256;
    return spec;
  }

  static UnikernelRevisionSpec build(String source, String artifact, String lockFile) {
    UnikernelRevisionSpec spec = new UnikernelRevisionSpec();
    spec.build = new BuildSpec();
    spec.build.source = new BuildSpec.LocalSource();
    spec.build.source.path = source;
    spec.build.source.artifact = artifact;
    spec.build.lockFile = lockFile;
    return spec;
  }
}
