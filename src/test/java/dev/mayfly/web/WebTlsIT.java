package dev.mayfly.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.testing.Peers;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --tls-cert}/{@code --tls-key}: the console over HTTPS only, its cookie marked Secure. */
class WebTlsIT {
  @Test
  void theConsoleServesHttpsWithASecureCookieAndNoPlainHttp(@TempDir Path home) throws Exception {
    Peers.require(
        Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl, to make a test certificate");
    Files.createDirectories(home.resolve("tls"));
    try (WebLab lab = new WebLab(home, WebLab.Tls.make(home.resolve("tls")))) {
      assertTrue(lab.url.startsWith("https://127.0.0.1:"), lab.url);
      assertEquals(200, lab.get("/deployments").status());
      WebLab.Response login = lab.form("/login", Map.of("token", lab.token), null);
      assertEquals(303, login.status(), login.body());
      assertTrue(login.header("Set-Cookie").contains("; Secure"), login.header("Set-Cookie"));
      String plain = lab.url.replace("https://", "http://");
      assertThrows(
          UncheckedIOException.class,
          () -> lab.send(HttpRequest.newBuilder(URI.create(plain + "api/v1/deployments")).GET()));
    }
  }
}
