package dev.mayfly.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.MayflyCli;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the daemon tests share: a demo copy, the in-process CLI, real daemon processes, clean-up.
 */
abstract class DaemonTestBase {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  /** Settings that make a daemon react in seconds. */
  static final String[] FAST = DaemonProcess.FAST.toArray(String[]::new);

  @TempDir Path home;
  DemoCopy demo;
  MayflyCli mayfly;
  final List<DaemonProcess> daemons = new ArrayList<>();

  @BeforeEach
  void demo() {
    demo = new DemoCopy(home.resolve("checkout"));
    mayfly = new MayflyCli(home, demo.root());
  }

  @AfterEach
  void stopEverything() throws IOException {
    daemons.forEach(DaemonProcess::close);
    mayfly.terminateAll();
  }

  DaemonProcess daemon(String name, String... extra) {
    return daemon(name, List.of(FAST), extra);
  }

  /** A daemon whose sync rounds follow their crons, not {@code --sync-every}. */
  DaemonProcess daemonOnCrons(String name) {
    List<String> fast = new ArrayList<>(List.of(FAST));
    int at = fast.indexOf("--sync-every");
    fast.subList(at, at + 2).clear();
    return daemon(name, fast);
  }

  private DaemonProcess daemon(String name, List<String> settings, String... extra) {
    Map<String, String> env = new HashMap<>();
    env.put("HOME", home.toString());
    env.put("MAYFLY_HOME", mayfly.stateDir().toString());
    env.put("PATH", System.getenv("PATH"));
    String db = dbEnv();
    if (db != null) {
      env.put("MAYFLY_DB", db);
    }
    List<String> args = new ArrayList<>(settings);
    args.addAll(List.of(extra));
    DaemonProcess d =
        DaemonProcess.start(env, home.resolve(name + ".log"), args.toArray(String[]::new));
    daemons.add(d);
    return d;
  }

  /** The registry the CLI and daemons share; null: the embedded H2 file. */
  abstract String dbEnv();

  String launch(String name, String... options) throws IOException {
    List<String> args =
        new ArrayList<>(List.of("launch", "qa-results", "--name", name, "--output", "json"));
    args.addAll(List.of(options));
    MayflyCli.Result r = mayfly.run(args.toArray(String[]::new));
    assertEquals(0, r.exit(), r::toString);
    return JSON.readTree(r.out()).get("url").asText();
  }

  JsonNode status(String id) throws IOException {
    MayflyCli.Result r = mayfly.run("status", id, "--output", "json");
    assertEquals(0, r.exit(), r::toString);
    return JSON.readTree(r.out());
  }

  List<String> events(String id) throws IOException {
    List<String> kinds = new ArrayList<>();
    status(id).get("events").forEach(e -> kinds.add(e.get("kind").asText()));
    return kinds;
  }

  long count(List<String> kinds, String kind) {
    return kinds.stream().filter(kind::equals).count();
  }

  String state(String id) throws IOException {
    return status(id).get("state").asText();
  }

  Path current(String id) {
    return mayfly.stateDir().resolve("sandboxes").resolve(id).resolve("host-1/root/data/current");
  }

  static String get(String url) throws IOException, InterruptedException {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  void addRun(String suite) throws IOException {
    Files.writeString(
        demo.dataDir().resolve("runs/2026-12-01-" + suite + ".json"),
        "{\"suite\":\""
            + suite
            + "\",\"started\":\"2026-12-01T00:01:00Z\",\"passed\":1,\"failed\":0,"
            + "\"skipped\":0,\"cases\":[]}");
  }
}
