package dev.mayfly.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.schedule.DaemonProcess;
import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.TinyService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real {@code mayfly daemon --http 127.0.0.1:0} with the tiny template and one whose description
 * and param hold HTML payloads, plus the CLI on the same state folder, and HTTP helpers.
 */
final class WebLab implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String XSS = "<script>alert(1)</script> \"><img src=x onerror=alert(2)>";
  static final String SECRET = "s3cr3t-Value-9f2c";

  final Path home;
  final Path root;
  final MayflyCli cli;
  final DaemonProcess daemon;
  final String url;
  final String token;
  final HttpClient http;

  WebLab(Path home) {
    this(home, null);
  }

  /**
   * @param tls null for plain HTTP; else the daemon serves with this certificate and key, and the
   *     client trusts that certificate alone
   */
  WebLab(Path home, Tls tls) {
    HttpClient.Builder client =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER);
    if (tls != null) {
      client.sslContext(tls.trusting());
    }
    this.http = client.build();
    this.home = home;
    this.root = TinyService.write(home.resolve("lab"));
    try {
      String tiny = Files.readString(root.resolve("templates/tiny.yaml"));
      Files.writeString(
          root.resolve("templates/xss.yaml"),
          tiny.replace("name: tiny", "name: xss")
                  .replace(
                      "description: a static file server that starts at once",
                      "description: " + JSON.writeValueAsString(XSS))
              + "params:\n  motto:\n    description: "
              + JSON.writeValueAsString(XSS)
              + "\n    default: "
              + JSON.writeValueAsString(XSS)
              + "\n  password:\n    secret: true\n    required: true\n    description: a secret\n");
      Files.writeString(root.resolve("templates/broken.yaml"), "name: broken\nservice: [\n");
      // its installer sleeps, so its launches are in flight as long as a test needs
      Files.writeString(
          root.resolve("templates/slow.yaml"),
          tiny.replace("name: tiny", "name: slow")
              .replace("install: \"true\"", "install: echo installing; sleep 300"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String templates = root.resolve("templates").toString();
    // the CLI runs where the daemon does, so both see one catalog
    this.cli = new MayflyCli(home, DemoCopy.PROJECT).env("MAYFLY_TEMPLATES", templates);
    Map<String, String> env = new HashMap<>();
    env.put("HOME", home.toString());
    env.put("MAYFLY_HOME", cli.stateDir().toString());
    env.put("PATH", System.getenv("PATH"));
    env.put("MAYFLY_TEMPLATES", templates);
    List<String> args = new java.util.ArrayList<>(List.of("--http", "127.0.0.1:0"));
    if (tls != null) {
      args.addAll(List.of("--tls-cert", tls.cert().toString(), "--tls-key", tls.key().toString()));
    }
    args.addAll(
        List.of(
            "--poll",
            "1s",
            "--reconcile",
            "1s",
            "--misfire",
            "1s",
            "--reap-every",
            "1h",
            "--shutdown-grace",
            "5s"));
    this.daemon = DaemonProcess.start(env, home.resolve("daemon.log"), args.toArray(String[]::new));
    daemon.awaitLog("web console at", Duration.ofSeconds(30));
    Matcher m = Pattern.compile("web console at (https?://[0-9.:]+/)").matcher(daemon.log());
    assertTrue(m.find(), daemon.log());
    this.url = m.group(1);
    try {
      this.token = Files.readString(cli.stateDir().resolve("web-token")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A self-signed certificate for 127.0.0.1 and its PKCS#8 key, made by openssl. */
  record Tls(Path cert, Path key) {
    static Tls make(Path dir) throws IOException, InterruptedException {
      Tls t = new Tls(dir.resolve("cert.pem"), dir.resolve("key.pem"));
      Process p =
          new ProcessBuilder(
                  "openssl",
                  "req",
                  "-x509",
                  "-newkey",
                  "rsa:2048",
                  "-nodes",
                  "-days",
                  "1",
                  "-subj",
                  "/CN=127.0.0.1",
                  "-addext",
                  "subjectAltName=IP:127.0.0.1",
                  "-keyout",
                  t.key().toString(),
                  "-out",
                  t.cert().toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("openssl.log").toFile())
              .start();
      assertEquals(0, p.waitFor(), Files.readString(dir.resolve("openssl.log")));
      return t;
    }

    javax.net.ssl.SSLContext trusting() {
      try (var in = Files.newInputStream(cert)) {
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry(
            "lab",
            java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        javax.net.ssl.TrustManagerFactory tmf =
            javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
      } catch (IOException | java.security.GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  record Response(int status, String body, Map<String, List<String>> headers) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    String header(String name) {
      return headers.getOrDefault(name.toLowerCase(), List.of()).stream().findFirst().orElse(null);
    }
  }

  Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r =
          http.send(
              request.timeout(Duration.ofSeconds(60)).build(),
              HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body(), r.headers().map());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpRequest.Builder api(String path) {
    return HttpRequest.newBuilder(URI.create(url + "api/v1" + path))
        .header("Authorization", "Bearer " + token);
  }

  Response get(String path) {
    return send(api(path).GET());
  }

  Response post(String path, String json) {
    return send(
        api(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  Response delete(String path) {
    return send(api(path).DELETE());
  }

  /** A browser session: its cookie and its CSRF token. */
  record Session(String cookie, String csrf) {}

  Session login() {
    Response r = form("/login", Map.of("token", token), null);
    assertEquals(303, r.status(), r.body());
    String cookie = r.header("Set-Cookie").split(";")[0];
    Response page = page("/deployments", cookie);
    Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page.body());
    assertTrue(m.find(), page.body());
    return new Session(cookie, m.group(1));
  }

  Response page(String path, String cookie) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path.substring(1))).GET();
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return send(b);
  }

  Response form(String path, Map<String, String> fields, String cookie, String... headers) {
    String body =
        fields.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url + path.substring(1)))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b);
  }

  /** Launches over the API and waits (bounded) until it ended; returns the id. */
  String launch(String json) {
    Response r = post("/deployments", json);
    assertEquals(202, r.status(), r.body());
    String id = r.json().get("id").asText();
    await(
        "launch of " + id + " to end",
        Duration.ofSeconds(120),
        () -> get("/launches/" + id).json().get("done").asBoolean());
    return id;
  }

  /** A plain GET of a deployment's own URL: what its visitors see. */
  String fetch(String address) {
    return send(HttpRequest.newBuilder(URI.create(address)).GET()).body();
  }

  JsonNode cliJson(String... args) {
    MayflyCli.Result r = cli.run(args);
    assertEquals(0, r.exit(), r::toString);
    try {
      return JSON.readTree(r.out());
    } catch (IOException e) {
      throw new AssertionError(r.toString(), e);
    }
  }

  void await(String what, Duration limit, BooleanSupplier condition) {
    long end = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("no " + what + " within " + limit + "\n" + daemon.log());
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  String log() {
    return daemon.log();
  }

  @Override
  public void close() {
    try {
      for (JsonNode d : cliJson("list", "--output", "json")) {
        if (!d.get("state").asText().equals("terminated")) {
          cli.run("terminate", d.get("id").asText());
        }
      }
    } finally {
      daemon.close();
    }
  }
}
