package io.dustcloud.build;

import io.dustcloud.core.Reason;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.api.v1alpha1.UnikernelRevisionSpec;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves a revision's artifact for the local provider: a prebuilt file checked against its
 * declared sha256, or local source built with make. Either way the result is copied into the
 * content-addressed store. Builds use the same key and cache semantics as in-cluster builds:
 * the key covers the source tree's content, and a key built before is reused without make.
 */
public final class LocalArtifactResolver implements ArtifactResolver {

  private final LocalArtifactStore store;
  private final LocalBuilder builder;
  /**
   * The build key of each revision whose build is running, fixed when the build starts: the
   * build writes into the source tree, and a key recomputed from a half-built tree would start
   * another build. Dropped once the build settles, so an edited source gets a new key.
   */
  private final Map<String, String> runningKeys = new ConcurrentHashMap<>();

  private final TrustedRoots trusted;

  /** @param trusted where local artifacts and build sources may come from; nothing else is read */
  public LocalArtifactResolver(LocalArtifactStore store, LocalBuilder builder, TrustedRoots trusted) {
    this.store = store;
    this.builder = builder;
    this.trusted = trusted;
  }

  @Override
  public ArtifactResolution resolve(String key, UnikernelRevisionSpec spec, String recordedSha256) {
    if (recordedSha256 != null) {
      // immutable: once recorded, a revision runs exactly that content
      var stored = store.get(recordedSha256);
      if (stored.isPresent()) {
        return new ArtifactResolution.Resolved(stored.get().toString(), recordedSha256, false);
      }
    }
    if (spec.image != null) {
      return prebuilt(spec.image.url, spec.image.sha256);
    }
    return build(key, spec);
  }

  private ArtifactResolution prebuilt(String url, String expectedSha) {
    Path file;
    try {
      file = trusted.realPathInside(localPath(url), "artifact");
    } catch (IllegalArgumentException e) {
      return new ArtifactResolution.Failed(Reason.UNSUPPORTED_ARTIFACT_URL, e.getMessage());
    } catch (TrustedRoots.Untrusted e) {
      return new ArtifactResolution.Failed(Reason.UNTRUSTED_PATH, e.getMessage());
    } catch (IOException e) {
      return new ArtifactResolution.Failed(Reason.ARTIFACT_NOT_FOUND, "artifact " + url + " does not exist on the operator's host");
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return new ArtifactResolution.Failed(Reason.ARTIFACT_NOT_FOUND, "artifact " + file + " is not a regular file on the operator's host");
    }
    try {
      // never the actual digest of a file that does not match: whoever can write a spec could
      // otherwise learn the digest of any file the operator can read, then name it exactly
      if (!LocalArtifactStore.sha256(file).equals(expectedSha)) {
        return new ArtifactResolution.Failed(
            Reason.ARTIFACT_DIGEST_MISMATCH,
            "the sha256 of artifact " + file + " does not match spec.image.sha256 " + expectedSha + "; refusing to run it");
      }
      LocalArtifactStore.Stored stored = store.put(file);
      if (!stored.sha256().equals(expectedSha)) {
        return new ArtifactResolution.Failed(Reason.ARTIFACT_DIGEST_MISMATCH, "artifact " + file + " changed while it was being stored");
      }
      return new ArtifactResolution.Resolved(stored.path().toString(), stored.sha256(), false);
    } catch (IOException | java.io.UncheckedIOException e) {
      return new ArtifactResolution.Failed(Reason.ARTIFACT_NOT_FOUND, "cannot read artifact " + file + ": " + e.getMessage());
    }
  }

  private ArtifactResolution build(String revisionKey, UnikernelRevisionSpec spec) {
    if (spec.build.git != null) {
      return new ArtifactResolution.Failed(Reason.BUILD_UNSUPPORTED,
          "the local provider builds spec.build.source on the operator's host; spec.build.git is"
              + " built by in-cluster Jobs for the gce provider");
    }
    Path source;
    try {
      source = trusted.realPathInside(Path.of(spec.build.source.path), "build source");
    } catch (TrustedRoots.Untrusted e) {
      return new ArtifactResolution.Failed(Reason.UNTRUSTED_PATH, e.getMessage());
    } catch (IOException | java.nio.file.InvalidPathException e) {
      return new ArtifactResolution.Failed(Reason.BUILD_SOURCE_NOT_FOUND,
          "build source " + spec.build.source.path + " is not a directory on the operator's host");
    }
    if (!Files.isDirectory(source)) {
      return new ArtifactResolution.Failed(Reason.BUILD_SOURCE_NOT_FOUND, "build source " + source + " is not a directory on the operator's host");
    }
    if (TrustedRoots.realChild(source, "Makefile") == null && TrustedRoots.realChild(source, "makefile") == null) {
      return new ArtifactResolution.Failed(Reason.BUILD_SOURCE_NOT_FOUND,
          "build source " + source + " has no Makefile (a regular file in it, not a link out of it)");
    }
    if (spec.build.lockFile != null && TrustedRoots.realChild(source, spec.build.lockFile) == null) {
      return new ArtifactResolution.Failed(Reason.BUILD_SOURCE_NOT_FOUND,
          "lock file " + spec.build.lockFile + " is not a regular file inside build source " + source
              + " (a path with .. or a link that leads out of it does not count)");
    }
    boolean building = runningKeys.containsKey(revisionKey);
    String key = runningKeys.computeIfAbsent(revisionKey, r -> BuildKeys.key(
        BuildKeys.local(spec.build, source.toString(), SourceTree.hash(source, spec.build.source.artifact))));
    var cached = building ? java.util.Optional.<LocalArtifactStore.Stored>empty() : store.lookup(key);
    if (cached.isPresent()) {
      runningKeys.remove(revisionKey);
      return new ArtifactResolution.Resolved(cached.get().path().toString(), cached.get().sha256(), false, key);
    }
    BuildResult state = builder.state(key, source, spec.build.source.artifact);
    if (state instanceof BuildResult.Running r) {
      return new ArtifactResolution.Pending(Reason.BUILDING, r.message() + " (build key " + key + ")");
    }
    runningKeys.remove(revisionKey);
    if (state instanceof BuildResult.Succeeded s) {
      return new ArtifactResolution.Resolved(s.artifact().toString(), s.sha256(), true, key);
    }
    var f = (BuildResult.Failed) state;
    return new ArtifactResolution.Failed(f.reason(), f.message());
  }

  /**
   * The content-addressed store's path for the digest: a recorded location is never read, and a
   * recorded digest that is not one names nothing.
   */
  @Override
  public String location(String recordedUrl, String sha256) {
    return sha256 != null && sha256.matches("[a-f0-9]{64}") ? store.pathOf(sha256).toString() : null;
  }

  @Override
  public String cancel(UnikernelRevision revision) {
    String key = revision.getSpec() == null ? null : runningKeys.remove(revision.getSpec().hash);
    return key != null && builder.cancel(key) ? "cancelled the local build " + key : null;
  }

  /**
   * Accepts {@code file:///abs}, absolute paths and paths relative to the operator's working
   * directory; URLs of other schemes are for other providers.
   */
  static Path localPath(String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      return Path.of(url).toAbsolutePath();
    }
    if (uri.getScheme() == null) {
      return Path.of(url).toAbsolutePath();
    }
    if ("file".equals(uri.getScheme())) {
      return Path.of(uri);
    }
    throw new IllegalArgumentException(
        "the local provider reads artifacts from file paths (file:///… or a path), not "
            + uri.getScheme() + ":// URLs");
  }
}
