package io.dustcloud.dev;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The dev API server's TLS identity: a self-signed certificate made at start, trusted by name in the kubeconfig
 * (certificate-authority-data). TLS is there because kubectl (client-go) sends no credentials at all to an
 * http:// server, so a token alone would lock kubectl out; it also keeps the token off the wire in clear.
 * The JDK's keytool makes the certificate (the JDK has no public API for it); the key store never leaves a
 * private directory and is deleted once read.
 *
 * @param pkcs12 the key store with the key and certificate
 * @param password the key store's password (random)
 * @param caPem the certificate, PEM, for clients to trust
 */
record DevTls(byte[] pkcs12, String password, String caPem) {

  private static final String ALIAS = "dustcloud-dev";
  private static final String PASSWORD_VARIABLE = "DUSTCLOUD_DEV_STOREPASS";
  private static final long KEYTOOL_TIMEOUT_SECONDS = 60;

  @Override
  public String toString() {
    return "DevTls[redacted]";
  }

  /** @param host the address the server listens on; the certificate names it, localhost and 127.0.0.1 */
  static DevTls generate(String host, SecureRandom random) {
    byte[] secret = new byte[24];
    random.nextBytes(secret);
    String password = HexFormat.of().formatHex(secret);
    Path dir = null;
    try {
      dir = Files.createTempDirectory("dustcloud-dev-tls",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path store = dir.resolve("dev.p12");
      String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
      // the password through the environment (:env), not argv, which every local user can read in ps
      ProcessBuilder command = new ProcessBuilder(List.of(keytool, "-genkeypair", "-noprompt", "-alias", ALIAS,
          "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-dname", "CN=dustcloud-dev",
          "-ext", "SAN=" + subjectAltNames(host), "-validity", "3650", "-storetype", "PKCS12",
          "-keystore", store.toString(), "-storepass:env", PASSWORD_VARIABLE, "-keypass:env", PASSWORD_VARIABLE))
          .redirectErrorStream(true);
      command.environment().put(PASSWORD_VARIABLE, password);
      Process keytoolProcess = command.start();
      String output = new String(keytoolProcess.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!keytoolProcess.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS) || keytoolProcess.exitValue() != 0) {
        keytoolProcess.destroyForcibly();
        throw new IllegalStateException("cannot make the dev API server's TLS certificate with " + keytool + ": "
            + output.strip());
      }
      byte[] pkcs12 = Files.readAllBytes(store);
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(new ByteArrayInputStream(pkcs12), password.toCharArray());
      Certificate certificate = keyStore.getCertificate(ALIAS);
      String pem = "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
      return new DevTls(pkcs12, password, pem);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make the dev API server's TLS certificate: " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot read the dev API server's TLS certificate: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while making the dev API server's TLS certificate", e);
    } finally {
      deleteTree(dir);
    }
  }

  /** The CA for a kubeconfig's certificate-authority-data and fabric8's caCertData. */
  String caBase64() {
    return Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));
  }

  private static String subjectAltNames(String host) {
    String names = "dns:localhost,ip:127.0.0.1";
    if (host.equals("localhost") || host.equals("127.0.0.1")) {
      return names;
    }
    boolean ip = host.contains(":") || host.matches("[0-9.]+");
    return names + "," + (ip ? "ip:" : "dns:") + host;
  }

  private static void deleteTree(Path dir) {
    if (dir == null) {
      return;
    }
    try (var files = Files.list(dir)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
      Files.deleteIfExists(dir);
    } catch (IOException ignored) {
      // a private directory left in the temp dir is harmless; failing dev mode for it would not be
    }
  }
}
