package dev.mayfly.bench;

import dev.mayfly.deploy.Deployments;
import dev.mayfly.provider.Providers;
import dev.mayfly.store.Registry;
import dev.mayfly.template.TemplateCatalog;
import dev.mayfly.web.WebServer;
import dev.mayfly.web.WebSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code web-list-10k}: the server time (Javalin's own request timing, from the access log) of the
 * console's deployments page with 10,000 deployments in the registry. Target < 300 ms.
 */
final class WebBench {
  private WebBench() {}

  static void list10k(Path project, Path work) throws Exception {
    int count = 10_000;
    // the same registry list-10k reads: 3 hosts, 20 history entries and a schedule each
    SeededRegistry.seed(
        work,
        count,
        3,
        20,
        "file:///nonexistent/data",
        java.util.Optional.of("1".repeat(40)),
        java.time.Instant.now().plus(java.time.Duration.ofDays(7)));
    StringWriter logText = new StringWriter();
    PrintWriter log = new PrintWriter(logText, true);
    try (Registry registry = Registry.open(work)) {
      Deployments deployments =
          new Deployments(
              work,
              registry,
              new TemplateCatalog(List.of(project.resolve("templates"))),
              Providers.installed(),
              Clock.systemUTC());
      try (WebServer server =
          WebServer.start(
              new WebSettings("127.0.0.1", 0, null, null),
              deployments,
              work,
              Clock.systemUTC(),
              log)) {
        String token = Files.readString(work.resolve("web-token")).strip();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> login =
            http.send(
                HttpRequest.newBuilder(URI.create(server.url() + "login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("token=" + token))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        int runs = 21;
        for (int i = 0; i < runs; i++) {
          HttpResponse<String> page =
              http.send(
                  HttpRequest.newBuilder(URI.create(server.url() + "deployments"))
                      .header("Cookie", cookie)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (page.statusCode() != 200 || !page.body().contains("10000 deployment(s)")) {
            throw new IllegalStateException("the deployments page failed: " + page.statusCode());
          }
        }
      }
    }
    List<Double> ms = new ArrayList<>();
    Matcher m = Pattern.compile("web: 200 GET /deployments (\\d+)ms").matcher(logText.toString());
    while (m.find()) {
      ms.add(Double.parseDouble(m.group(1)));
    }
    System.out.printf("%-10s %s%n", "RUN", "SERVER MS");
    for (int i = 0; i < ms.size(); i++) {
      System.out.printf(
          Locale.ROOT, "%-10s %.0f%s%n", i + 1, ms.get(i), i == 0 ? " (cold, not counted)" : "");
    }
    List<Double> warm = ms.subList(1, ms.size()).stream().sorted().toList();
    double median = warm.get(warm.size() / 2);
    System.out.printf(
        Locale.ROOT,
        "deployments=%d page=%d rows, median=%.0f ms target<300 ms%n",
        count,
        50,
        median);
    System.out.printf(Locale.ROOT, "RESULT web-list-10k ms=%.0f%n", median);
  }
}
