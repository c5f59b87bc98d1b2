package io.dustcloud.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dustcloud.api.CrdFiles;
import io.dustcloud.dev.DevApiServer;
import io.dustcloud.dev.DevHttp;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dev mode's API server answers only whoever holds the token from the kubeconfig it wrote: before it, any
 * local user could {@code kubectl --server http://127.0.0.1:PORT apply} a Unikernel and make the operator
 * (often root) build and run it. The bystander Unikernel must come out of every attempt untouched.
 */
class DevAuthTest {

  /** kube-apiserver's answer to a request it cannot authenticate, byte for byte. */
  private static final String UNAUTHORIZED = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
      + "\"status\":\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}";
  private static final String GROUP_VERSION = "dustcloud.io/v1alpha1";
  private static final String COLLECTION = "/apis/dustcloud.io/v1alpha1/namespaces/default/unikernels";
  private static final String BYSTANDER = "bystander";
  private static final String INTRUDER = "intruder";
  private static final String NOBODY = "65534";

  private static DevApiServer server;
  private static KubernetesClient client;
  private static String bystanderVersion;
  /** Trusts the server's certificate: an attacker can fetch it too, so it is no secret and no defence. */
  private static HttpClient http;

  @BeforeAll
  static void start() throws IOException {
    server = DevApiServer.start("127.0.0.1", 0);
    server.installCrds(CrdFiles.load());
    client = server.client();
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
        .sslContext(DevHttp.trusting(client.getConfiguration().getCaCertData())).build();
    GenericKubernetesResource bystander = unikernel(BYSTANDER, "--version=v1");
    bystanderVersion = client.resource(bystander).create().getMetadata().getResourceVersion();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** One request an attacker might send: every verb, discovery, openapi, watches, subresources. */
  private record Probe(String method, String path, String contentType, String body) {
    static Probe get(String path) {
      return new Probe("GET", path, null, "");
    }
  }

  private static List<Probe> probes() {
    String intruder = json(unikernel(INTRUDER, "--version=evil"));
    String changed = json(unikernel(BYSTANDER, "--version=evil"));
    return List.of(
        Probe.get("/"), Probe.get("/version"), Probe.get("/api"), Probe.get("/api/v1"), Probe.get("/apis"),
        Probe.get("/apis/" + GROUP_VERSION), Probe.get("/openapi/v2"), Probe.get("/openapi/v3"),
        Probe.get("/openapi/v3/apis/" + GROUP_VERSION), Probe.get("/api/v1/namespaces"),
        Probe.get(COLLECTION), Probe.get(COLLECTION + "/" + BYSTANDER), Probe.get(COLLECTION + "?watch=true"),
        Probe.get(COLLECTION + "?watch=1&resourceVersion=0"), Probe.get("/api/v1/namespaces/default/events?watch=true"),
        Probe.get(COLLECTION + "/" + BYSTANDER + "/status"), Probe.get("/no/such/path"),
        new Probe("POST", COLLECTION, "application/json", intruder),
        new Probe("PUT", COLLECTION + "/" + BYSTANDER, "application/json", changed),
        new Probe("PUT", COLLECTION + "/" + BYSTANDER + "/status", "application/json", changed),
        new Probe("PATCH", COLLECTION + "/" + BYSTANDER, "application/merge-patch+json",
            "{\"spec\":{\"bootArgs\":[\"--version=evil\"]}}"),
        new Probe("PATCH", COLLECTION + "/" + INTRUDER + "?fieldManager=kubectl", "application/apply-patch+yaml",
            intruder),
        new Probe("DELETE", COLLECTION + "/" + BYSTANDER, null, ""),
        new Probe("DELETE", COLLECTION, null, ""),
        new Probe("DELETE", "/api/v1/namespaces/default", null, ""),
        new Probe("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", "application/json",
            "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\",\"spec\":{}}"));
  }

  /** Authorization headers that must not pass: none at all (null), guesses, and near misses of the token. */
  private static List<String> wrongCredentials(String token) {
    List<String> wrong = new ArrayList<>();
    wrong.add(null);
    wrong.add("Bearer " + HexFormat.of().formatHex(new SecureRandom().generateSeed(32)));
    wrong.add("Bearer ");
    wrong.add("Bearer");
    wrong.add("Bearer " + token.substring(0, token.length() - 1));
    wrong.add("Bearer " + token + "0");
    wrong.add("Bearer  " + token);
    wrong.add(token);
    wrong.add("Basic " + Base64.getEncoder().encodeToString(("admin:" + token).getBytes(StandardCharsets.UTF_8)));
    return wrong;
  }

  @Test
  void everyPathAndVerbWithoutTheTokenIsUnauthorizedAndChangesNothing(@TempDir Path dir) throws Exception {
    String token = tokenFromKubeconfig(dir);
    List<String> failures = new ArrayList<>();
    for (Probe probe : probes()) {
      for (String authorization : wrongCredentials(token)) {
        // the body as a stream: an admitted watch would never end, and the test must fail, not hang
        HttpResponse<InputStream> response = http.send(request(probe, authorization),
            HttpResponse.BodyHandlers.ofInputStream());
        String body = "";
        try (InputStream in = response.body()) {
          if (response.statusCode() == 401) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          }
        }
        if (response.statusCode() != 401 || !body.equals(UNAUTHORIZED)
            || !response.headers().firstValue("Content-Type").orElse("").equals("application/json")) {
          failures.add(probe.method() + " " + probe.path() + " with " + describe(authorization, token) + ": "
              + response.statusCode() + " " + body);
        }
      }
    }
    assertThat(failures).isEmpty();
    assertBystanderUntouched();
  }

  @Test
  void aWebsocketWatchWithoutTheTokenIsRefusedAtTheHandshake() {
    URI watch = URI.create(server.url().replace("https://", "wss://") + COLLECTION + "?watch=true");
    assertThatThrownBy(() -> http.newWebSocketBuilder().buildAsync(watch, new WebSocket.Listener() { }).join())
        .isInstanceOf(CompletionException.class)
        .cause().isInstanceOfSatisfying(WebSocketHandshakeException.class, e -> {
          assertThat(e.getResponse().statusCode()).isEqualTo(401);
          assertThat(e.getResponse().body()).hasToString(UNAUTHORIZED);
        });
  }

  @Test
  void theTokenFromTheKubeconfigWorks(@TempDir Path dir) throws Exception {
    String token = tokenFromKubeconfig(dir);
    for (String path : List.of("/version", "/apis", "/apis/" + GROUP_VERSION, "/openapi/v2", COLLECTION + "/" + BYSTANDER)) {
      HttpResponse<String> response = send(Probe.get(path), "Bearer " + token);
      assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    }
    // the scheme's case does not matter to kube-apiserver either
    assertThat(send(Probe.get("/version"), "bearer " + token).statusCode()).isEqualTo(200);
    HttpResponse<InputStream> watch = http.send(request(Probe.get(COLLECTION + "?watch=true"), "Bearer " + token),
        HttpResponse.BodyHandlers.ofInputStream());
    watch.body().close();
    assertThat(watch.statusCode()).isEqualTo(200);
    // and a second client built from the kubeconfig alone, as kubectl or a user's program would
    Config config = Config.fromKubeconfig(Files.readString(server.writeKubeconfig(dir.resolve("again"))));
    try (KubernetesClient user = new KubernetesClientBuilder().withConfig(config).build()) {
      assertThat(user.genericKubernetesResources(GROUP_VERSION, "Unikernel").inNamespace("default")
          .withName(BYSTANDER).get()).isNotNull();
    }
  }

  @Test
  void kubectlWithoutTheTokenIsToldItMustLogInAndCreatesNothing(@TempDir Path dir) throws Exception {
    assumeTrue(onPath("kubectl"), "kubectl is not on PATH");
    // What another local user can write: the server's address, a guess at the token (they cannot read ours),
    // and no trust in a certificate they have no copy of. With no credential at all kubectl asks for a password.
    Path theirs = Files.writeString(dir.resolve("theirs"), """
        apiVersion: v1
        kind: Config
        clusters:
        - name: dev
          cluster:
            server: %s
            insecure-skip-tls-verify: true
        users:
        - name: them
          user: {token: "%s"}
        contexts:
        - name: dev
          context: {cluster: dev, user: them, namespace: default}
        current-context: dev
        """.formatted(server.url(), HexFormat.of().formatHex(new SecureRandom().generateSeed(32))));
    Path manifest = Files.writeString(dir.resolve("attack.json"), "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":["
        + json(unikernel(BYSTANDER, "--version=evil")) + "," + json(unikernel(INTRUDER, "--version=evil")) + "]}");
    Path intruder = Files.writeString(dir.resolve("intruder.json"), json(unikernel(INTRUDER, "--version=evil")));

    Result raw = kubectl(dir, theirs, "create", "--raw", COLLECTION, "-f", intruder.toString());
    assertThat(raw.exitCode()).as(raw.toString()).isNotZero();
    assertThat(raw.stderr()).as(raw.toString()).contains("error: You must be logged in to the server (Unauthorized)");
    // Commands that need discovery or the OpenAPI document first fail there, where client-go words the
    // same 401 "the server has asked for the client to provide credentials".
    for (List<String> command : List.of(List.of("apply", "-f", manifest.toString()),
        List.of("apply", "--server-side", "--validate=false", "-f", manifest.toString()),
        List.of("delete", "unikernel", BYSTANDER), List.of("get", "unikernels"),
        List.of("get", "--raw", COLLECTION + "/" + BYSTANDER),
        List.of("--token", HexFormat.of().formatHex(new SecureRandom().generateSeed(32)), "get", "unikernels"))) {
      Result result = kubectl(dir, theirs, command.toArray(String[]::new));
      assertThat(result.exitCode()).as(result.toString()).isNotZero();
      assertThat(result.stderr()).as(result.toString())
          .containsAnyOf("You must be logged in to the server (Unauthorized)",
              "the server has asked for the client to provide credentials");
    }
    assertBystanderUntouched();

    // the control: the kubeconfig dev mode writes does get through
    Result ours = kubectl(dir, server.writeKubeconfig(dir.resolve("ours")), "get", "unikernel", BYSTANDER,
        "-o", "jsonpath={.metadata.name}");
    assertThat(ours.exitCode()).as(ours.toString()).isZero();
    assertThat(ours.stdout()).isEqualTo(BYSTANDER);
  }

  @Test
  void theKubeconfigIsReadableAndWritableByItsOwnerOnly(@TempDir Path dir) throws Exception {
    Path kubeconfig = server.writeKubeconfig(dir.resolve("sub").resolve("kubeconfig"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kubeconfig))).isEqualTo("rw-------");
    // the directory it had to make is private too
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kubeconfig.getParent())))
        .isEqualTo("rwx------");
    Path mine = Files.createFile(dir.resolve("mine"));
    assertThat(Files.getAttribute(kubeconfig, "unix:uid")).isEqualTo(Files.getAttribute(mine, "unix:uid"));
    String token = tokenFromKubeconfig(dir);
    assertThat(token).as("256 bits, hex").matches("[0-9a-f]{64}");
    try (DevApiServer other = DevApiServer.start("127.0.0.1", 0)) {
      assertThat(other.client().getConfiguration().getOauthToken()).isNotEqualTo(token);
    }
    // nothing left beside it (the temporary file it was written through)
    try (var files = Files.list(kubeconfig.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("kubeconfig");
    }
  }

  @Test
  void anotherUserCannotReadTheKubeconfig(@TempDir Path dir) throws Exception {
    // the directories open to everyone, so that only the file's own mode stands in the way
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path kubeconfig = server.writeKubeconfig(dir.resolve("kubeconfig"));
    assertThat(Files.getPosixFilePermissions(kubeconfig)).as("no bit for group or others")
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    if (!isRoot() || !onPath("setpriv")) {
      // Without root there is no other user to become; the mode bits above are the rule that stops them.
      return;
    }
    Path readable = Files.writeString(dir.resolve("readable"), "x");
    Files.setPosixFilePermissions(readable, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(asNobody(dir, "cat", readable.toString()).exitCode()).as("the control: nobody reads a 0644 file")
        .isZero();
    Result denied = asNobody(dir, "cat", kubeconfig.toString());
    assertThat(denied.exitCode()).as(denied.toString()).isNotZero();
    assertThat(denied.stderr()).contains("Permission denied");
  }

  @Test
  void aSymlinkPlantedAtTheKubeconfigPathIsReplacedNotFollowed(@TempDir Path dir) throws Exception {
    Path victim = Files.writeString(dir.resolve("victim"), "the victim's file\n");
    Path kubeconfig = Files.createSymbolicLink(dir.resolve("kubeconfig"), victim);
    Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("created-through-the-link"));

    server.writeKubeconfig(kubeconfig);
    server.writeKubeconfig(dangling);

    assertThat(Files.readString(victim)).isEqualTo("the victim's file\n");
    assertThat(dir.resolve("created-through-the-link")).doesNotExist();
    for (Path written : List.of(kubeconfig, dangling)) {
      assertThat(Files.isSymbolicLink(written)).isFalse();
      assertThat(Files.readString(written)).contains("token: ");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(written, LinkOption.NOFOLLOW_LINKS)))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void aForeignFileAtTheKubeconfigPathIsReplacedNotWrittenInto(@TempDir Path dir) throws Exception {
    Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), "someone else's\n");
    Files.setPosixFilePermissions(kubeconfig, PosixFilePermissions.fromString("rw-rw-rw-"));
    // a second name for the same inode: had the write gone into that file, this name would show it
    Path sameInode = Files.createLink(dir.resolve("their-name"), kubeconfig);
    if (isRoot()) {
      Files.setAttribute(kubeconfig, "unix:uid", Integer.parseInt(NOBODY));
    }
    Path mine = Files.createFile(dir.resolve("mine"));

    server.writeKubeconfig(kubeconfig);

    assertThat(Files.readString(sameInode)).isEqualTo("someone else's\n");
    assertThat(Files.readString(kubeconfig)).contains("token: ");
    assertThat(Files.getAttribute(kubeconfig, "unix:uid")).isEqualTo(Files.getAttribute(mine, "unix:uid"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kubeconfig))).isEqualTo("rw-------");
  }

  @Test
  void aDirectoryAtTheKubeconfigPathIsAPreciseError(@TempDir Path dir) throws Exception {
    Path directory = Files.createDirectory(dir.resolve("kubeconfig"));
    assertThatThrownBy(() -> server.writeKubeconfig(directory)).isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("cannot write kubeconfig").hasMessageContaining(directory.toString())
        .hasMessageContaining("is a directory");
  }

  private static void assertBystanderUntouched() {
    GenericKubernetesResource bystander = client.genericKubernetesResources(GROUP_VERSION, "Unikernel")
        .inNamespace("default").withName(BYSTANDER).get();
    assertThat(bystander).isNotNull();
    assertThat(bystander.getMetadata().getResourceVersion()).isEqualTo(bystanderVersion);
    assertThat(bystander.getMetadata().getDeletionTimestamp()).isNull();
    assertThat(client.genericKubernetesResources(GROUP_VERSION, "Unikernel").inNamespace("default")
        .withName(INTRUDER).get()).isNull();
    assertThat(client.namespaces().withName("default").get().getMetadata().getDeletionTimestamp()).isNull();
  }

  /** The token as a user gets it: from the kubeconfig dev mode writes. */
  private static String tokenFromKubeconfig(Path dir) throws IOException {
    Path kubeconfig = server.writeKubeconfig(dir.resolve("kubeconfig-for-token"));
    Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
    // fabric8 keeps a kubeconfig user's token as the "auto" token and sends it as the bearer token
    String token = config.getOauthToken() != null ? config.getOauthToken() : config.getAutoOAuthToken();
    assertThat(token).as("the token in " + kubeconfig).isNotBlank();
    return token;
  }

  private static GenericKubernetesResource unikernel(String name, String bootArg) {
    GenericKubernetesResource uk = new GenericKubernetesResource();
    uk.setApiVersion(GROUP_VERSION);
    uk.setKind("Unikernel");
    uk.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace("default")
        .build());
    uk.setAdditionalProperty("spec", Map.of(
        "image", Map.of("url", "file:///tmp/never-used", "sha256", "0".repeat(64)),
        "provider", Map.of("local", Map.of("runtime", "process")), "bootArgs", List.of(bootArg), "port", 8080));
    return uk;
  }

  private static String json(GenericKubernetesResource resource) {
    return client.getKubernetesSerialization().asJson(resource);
  }

  private static HttpRequest request(Probe probe, String authorization) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + probe.path()))
        .timeout(Duration.ofSeconds(30))
        .method(probe.method(), probe.body().isEmpty() ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(probe.body()));
    if (probe.contentType() != null) {
      request.header("Content-Type", probe.contentType());
    }
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return request.build();
  }

  private static HttpResponse<String> send(Probe probe, String authorization) throws Exception {
    return http.send(request(probe, authorization), HttpResponse.BodyHandlers.ofString());
  }

  /** The header with the token itself masked, for a failure message that could end up in a CI log. */
  private static String describe(String authorization, String token) {
    return authorization == null ? "no Authorization" : "Authorization: " + authorization.replace(token, "<token>");
  }

  private record Result(int exitCode, String stdout, String stderr) { }

  private static Result kubectl(Path dir, Path kubeconfig, String... args) {
    List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(),
        "--cache-dir", dir.resolve("kube-cache-" + kubeconfig.getFileName()).toString(), "--request-timeout", "30s"));
    command.addAll(List.of(args));
    return run(dir, command);
  }

  private static Result asNobody(Path dir, String... args) {
    List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
        "--clear-groups", "--"));
    command.addAll(List.of(args));
    return run(dir, command);
  }

  private static Result run(Path dir, List<String> command) {
    try {
      Path out = Files.createTempFile(dir, "out", ".txt");
      Path err = Files.createTempFile(dir, "err", ".txt");
      // stdin from /dev/null: kubectl without credentials would wait for a password typed there
      Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(command + " did not finish in 60 s");
      }
      return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean isRoot() throws IOException {
    Path probe = Files.createTempFile("dev-auth-uid", ".probe");
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(probe, "unix:uid"));
    } finally {
      Files.delete(probe);
    }
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
