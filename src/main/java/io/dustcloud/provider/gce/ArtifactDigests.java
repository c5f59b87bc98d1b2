package io.dustcloud.provider.gce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.gax.core.CredentialsProvider;
import com.google.auth.Credentials;
import io.dustcloud.core.Reason;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.RevisionImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Makes {@code spec.image.sha256} true for images in Cloud Storage: before a revision's image
 * is imported, the object's digest is checked against it. The object's custom metadata {@code
 * sha256} (the build writes it on upload) is read with one metadata request; an object without
 * it is read once and hashed. A mismatch, an unreadable or missing object, refuses the import
 * ({@code Stalled}). The actual digest is never shown: the operator reads with its own
 * credentials, and must not tell a user the digest of an object the user may not read.
 *
 * <p>What it guarantees: the object had that digest when it was checked, just before the
 * import; an object replaced between the check and GCE's read is not caught (use a bucket with
 * object versioning or retention, or the build's never-overwritten names, as the builder does).
 */
final class ArtifactDigests {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> SCOPE = List.of("https://www.googleapis.com/auth/devstorage.read_only");

  private final String endpoint;
  private final CredentialsProvider credentials;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** @param endpoint the Cloud Storage JSON API's root ({@code https://storage.googleapis.com}, or a fake's) */
  ArtifactDigests(String endpoint, CredentialsProvider credentials) {
    this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    this.credentials = credentials;
  }

  /** Checks the revision's artifact; returns quietly when it matches (or is not in Cloud Storage). */
  void verify(RevisionImage image) {
    String url = image.artifact();
    if (!url.startsWith("gs://")) {
      return; // https:// sources are imported as given: GCE reads them, the operator cannot vouch for them
    }
    String rest = url.substring(5);
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      throw refused(image, "is not a gs://BUCKET/OBJECT URL");
    }
    String bucket = rest.substring(0, slash);
    String object = rest.substring(slash + 1);
    String base = endpoint + "/storage/v1/b/" + enc(bucket) + "/o/" + enc(object);
    JsonNode meta = json(get(base + "?fields=metadata,size", image));
    String recorded = meta.path("metadata").path("sha256").asText("").toLowerCase(java.util.Locale.ROOT);
    String actual = recorded.isEmpty() ? hash(base + "?alt=media", image) : recorded;
    if (!actual.equals(image.sha256())) {
      throw new ProviderException(Reason.ARTIFACT_DIGEST_MISMATCH, "the object " + url + " does not have the sha256 "
          + image.sha256() + " that revision " + image.revision() + " names (checked "
          + (recorded.isEmpty() ? "by reading it" : "against its sha256 metadata") + "); it is not imported", false);
    }
  }

  private HttpResponse<InputStream> get(String uri, RevisionImage image) {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofMinutes(5)).GET();
    try {
      Credentials c = credentials == null ? null : credentials.getCredentials();
      if (c != null) {
        Credentials scoped = c instanceof com.google.auth.oauth2.GoogleCredentials g ? g.createScoped(SCOPE) : c;
        for (Map.Entry<String, List<String>> h : scoped.getRequestMetadata(URI.create(uri)).entrySet()) {
          h.getValue().forEach(v -> req.header(h.getKey(), v));
        }
      }
      HttpResponse<InputStream> r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() == 200) {
        return r;
      }
      String body = new String(r.body().readNBytes(2048), StandardCharsets.UTF_8);
      r.body().close();
      String message = body.isBlank() ? "HTTP " + r.statusCode() : message(body, r.statusCode());
      boolean retry = r.statusCode() == 429 || r.statusCode() >= 500;
      throw new ProviderException(retry ? Reason.backend("Gcs", "unavailable") : Reason.ARTIFACT_DIGEST_MISMATCH,
          "cannot check the digest of " + image.artifact() + ": Cloud Storage answered " + message, retry);
    } catch (IOException e) {
      throw new ProviderException(Reason.backend("Gcs", "unavailable"), "cannot check the digest of "
          + image.artifact() + ": " + e.getMessage(), true, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderException(Reason.INTERRUPTED, "interrupted checking " + image.artifact(), true, e);
    }
  }

  private String hash(String uri, RevisionImage image) {
    try (InputStream in = get(uri, image).body()) {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        d.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (IOException e) {
      throw new ProviderException(Reason.backend("Gcs", "unavailable"), "cannot read " + image.artifact() + ": "
          + e.getMessage(), true, e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode json(HttpResponse<InputStream> r) {
    try (InputStream in = r.body()) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String message(String body, int status) {
    try {
      return status + " " + JSON.readTree(body).path("error").path("message").asText(body.strip());
    } catch (IOException e) {
      return status + " " + body.strip();
    }
  }

  private static ProviderException refused(RevisionImage image, String why) {
    return new ProviderException(Reason.ARTIFACT_DIGEST_MISMATCH, image.artifact() + " " + why, false);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
