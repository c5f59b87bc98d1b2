package io.dustcloud.dev;

import java.net.URI;
import java.net.http.HttpRequest;

/** Raw HTTP requests to a dev API server, with the token its own client holds (users get it from the kubeconfig). */
final class DevHttp {

  private DevHttp() {
  }

  /** {@code path} with its query string, from "/" on. */
  static HttpRequest.Builder request(DevApiServer server, String path) {
    return HttpRequest.newBuilder(URI.create(server.url() + path))
        .header("Authorization", "Bearer " + server.client().getConfiguration().getOauthToken());
  }
}
