package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.mayfly.provider.Wait;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The health probe against a real HTTP server on loopback. */
class HealthCheckTest {
  private static final Duration SHORT = Duration.ofMillis(400);
  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    answer("/ok", 200, "all good");
    answer("/broken", 500, "all good, says the error page");
    answer("/teapot", 418, "short and stout");
    answer("/moved", 302, "");
    answer("/target", 200, "all good");
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void answer(String path, int status, String body) {
    server.createContext(
        path,
        exchange -> {
          requests.incrementAndGet();
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          if (status == 302) {
            exchange.getResponseHeaders().add("Location", "/target");
          }
          exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private static String check(String url, int status, String expect) throws InterruptedException {
    return HealthCheck.await(url, status, expect, SHORT, SHORT, "healthy", Wait.Watcher.QUIET);
  }

  @Test
  void theExpectedStatusAndBodyIsHealthy() throws InterruptedException {
    assertNull(check(url("/ok"), 200, null));
    assertNull(check(url("/ok"), 200, "good"));
    assertEquals(2, requests.get());
  }

  @Test
  void anotherStatusIsNotHealthyAndIsNamed() throws InterruptedException {
    String failure = check(url("/broken"), 200, null);
    assertTrue(failure.contains(url("/broken") + " did not answer 200"), failure);
    assertTrue(failure.endsWith("(last: HTTP 500)"), failure);
  }

  @Test
  void theBodyIsCheckedAlsoOnAnErrorStatusTheTemplateExpects() throws InterruptedException {
    assertNull(check(url("/teapot"), 418, "stout"));
    String failure = check(url("/teapot"), 418, "tall");
    assertTrue(failure.endsWith("(last: HTTP 418, body without 'tall')"), failure);
  }

  @Test
  void aRedirectIsAnAnswerNotFollowed() throws InterruptedException {
    String failure = check(url("/moved"), 200, null);
    assertTrue(failure.endsWith("(last: HTTP 302)"), failure);
    assertNull(check(url("/moved"), 302, null));
  }

  @Test
  void nothingListeningIsRetriedUntilTheDeadlineThenNamed() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String failure = check("http://127.0.0.1:" + port + "/", 200, null);
    assertTrue(failure.contains("did not answer 200 within"), failure);
    assertTrue(failure.contains("Connection refused"), failure);
  }
}
