package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled demo, launched for real on the local target: real git, real shell, a real Java
 * server.
 */
class LocalLaunchIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;

  /** Leaves no demo server running, whatever a test did. */
  @AfterEach
  void terminateEverything() throws Exception {
    new MayflyCli(home, home).terminateAll();
  }

  @Test
  void launchedDemoServesItsDataAndSyncPublishesEditsAtomically() throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    MayflyCli mayfly = new MayflyCli(home, demo.root());

    MayflyCli.Result launch =
        mayfly.run(
            "launch",
            "qa-results",
            "--param",
            "title=Lab nightly",
            "--expires",
            "2d",
            "--output",
            "json");
    assertEquals(0, launch.exit(), launch::toString);
    JsonNode launched = JSON.readTree(launch.out());
    String id = launched.get("id").asText();
    String url = launched.get("url").asText();
    String page = get(url);
    assertTrue(page.contains("Lab nightly"), page);
    assertTrue(
        page.contains("ec2-instance-lifecycle"), "content of the data repo is served: " + page);

    Path hostRoot = mayfly.stateDir().resolve("sandboxes").resolve(id).resolve("host-1/root");
    Path current = hostRoot.resolve("data/current");
    String firstRelease = Files.readSymbolicLink(current).getFileName().toString();

    MayflyCli.Result unchanged = mayfly.run("sync", id);
    assertEquals(0, unchanged.exit(), unchanged::toString);
    assertTrue(unchanged.out().contains("data unchanged"), unchanged::toString);

    // Publish three new data commits while a reader hammers the page: it must never see a broken
    // release.
    AtomicBoolean reading = new AtomicBoolean(true);
    List<String> badReads = new ArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              while (reading.get()) {
                try {
                  String body = get(url);
                  if (!body.contains("ec2-instance-lifecycle")
                      || body.contains("No data published")) {
                    badReads.add(body);
                  }
                } catch (Exception e) {
                  badReads.add(e.toString());
                }
              }
            });
    reader.start();
    List<String> releases = new ArrayList<>(List.of(firstRelease));
    for (int round = 1; round <= 3; round++) {
      Files.writeString(
          demo.dataDir().resolve("runs/2026-11-2" + (4 + round) + "-nightly.json"),
          "{\"suite\":\"sync-round-"
              + round
              + "\",\"started\":\"2026-11-2"
              + (4 + round)
              + "T00:01:00Z\","
              + "\"passed\":1,\"failed\":0,\"skipped\":0,\"cases\":[]}");
      MayflyCli.Result sync = mayfly.run("sync", id);
      assertEquals(0, sync.exit(), sync::toString);
      assertTrue(sync.out().contains("published data"), sync::toString);
      assertTrue(get(url).contains("sync-round-" + round), "new data is live after sync " + round);
      releases.add(Files.readSymbolicLink(current).getFileName().toString());
    }
    reading.set(false);
    reader.join();
    assertEquals(List.of(), badReads, "every read saw a complete release");

    // keep: 3 — the live release and the two before it; the first is gone
    List<String> kept = list(hostRoot.resolve("data/releases"));
    assertEquals(releases.subList(1, 4).stream().sorted().toList(), kept);
    assertEquals(releases.get(3), Files.readSymbolicLink(current).getFileName().toString());

    MayflyCli.Result status = mayfly.run("status", id, "--output", "json");
    JsonNode events = JSON.readTree(status.out()).get("events");
    long synced =
        Stream.iterate(0, i -> i + 1)
            .limit(events.size())
            .filter(i -> events.get(i).get("kind").asText().equals("synced"))
            .count();
    assertEquals(3, synced);
  }

  @Test
  void theDataIsFetchedWhileTheInstallerRunsAndPublishedAfterIt() throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    // the installer goes on only once the data has arrived, and fails if it is live already
    String waitForData =
        "for i in $(seq 200); do %s && break; sleep 0.05; done; %s || exit 9;"
            + " [ ! -e \"$MAYFLY_ROOT/data/current\" ] || exit 8; ./install.sh --title {{title}}";
    String fetched =
        "git --git-dir=\"$MAYFLY_ROOT/data/repo.git\" rev-parse -q --verify refs/mayfly/fetched";
    String released = "[ -n \"$(ls \"$MAYFLY_ROOT/data/releases\")\" ]";
    String template = Files.readString(demo.template());
    // with a publish command (run after the installer) the commit is fetched; without, unpacked
    demo.templateVariant(
        "data-ahead",
        template
            .replace("name: qa-results", "name: data-ahead")
            .replace(
                "install: ./install.sh --title {{title}}",
                "install: " + String.format(waitForData, fetched, fetched)));
    demo.templateVariant(
        "release-ahead",
        template
            .replace("name: qa-results", "name: release-ahead")
            .replace("  publish: ls runs/*.json >/dev/null\n", "")
            .replace(
                "install: ./install.sh --title {{title}}",
                "install: " + String.format(waitForData, released, released)));
    MayflyCli mayfly = new MayflyCli(home, demo.root());
    for (String name : List.of("data-ahead", "release-ahead")) {
      MayflyCli.Result launch = mayfly.run("launch", name, "--name", name, "--output", "json");
      assertEquals(0, launch.exit(), launch::toString);
      Path root = mayfly.stateDir().resolve("sandboxes/" + name + "/host-1/root");
      assertTrue(Files.isSymbolicLink(root.resolve("data/current")), "published after it");
      String url = JSON.readTree(launch.out()).get("url").asText();
      assertTrue(get(url).contains("ec2-instance-lifecycle"), name);
      assertEquals(0, mayfly.run("terminate", name).exit());
    }
  }

  @Test
  void failedPublishKeepsTheOldReleaseServing() throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    MayflyCli mayfly = new MayflyCli(home, demo.root());
    MayflyCli.Result launch = mayfly.run("launch", "qa-results", "--output", "json");
    assertEquals(0, launch.exit(), launch::toString);
    JsonNode launched = JSON.readTree(launch.out());
    String id = launched.get("id").asText();
    Path current =
        mayfly.stateDir().resolve("sandboxes").resolve(id).resolve("host-1/root/data/current");
    String before = Files.readSymbolicLink(current).toString();

    // the template's publish step refuses a release without runs/*.json
    try (Stream<Path> runs = Files.list(demo.dataDir().resolve("runs"))) {
      for (Path run : runs.toList()) {
        Files.delete(run);
      }
    }
    Files.writeString(demo.dataDir().resolve("runs/notes.txt"), "no runs tonight");
    MayflyCli.Result sync = mayfly.run("sync", id);
    assertEquals(1, sync.exit(), sync::toString);
    assertTrue(
        sync.err().contains("host-1: step sync failed, previous release still serving"),
        sync::toString);
    assertEquals(before, Files.readSymbolicLink(current).toString());
    assertTrue(get(launched.get("url").asText()).contains("ec2-instance-lifecycle"));
    assertEquals(
        List.of(Path.of(before).getFileName().toString()),
        list(current.getParent().resolve("releases")),
        "no half-published release is left behind");
  }

  @Test
  void terminateLeavesNoProcessAndNoFiles() throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    MayflyCli mayfly = new MayflyCli(home, demo.root());
    MayflyCli.Result launch =
        mayfly.run("launch", "qa-results", "--name", "short-lived", "--output", "json");
    assertEquals(0, launch.exit(), launch::toString);
    String url = JSON.readTree(launch.out()).get("url").asText();
    Path sandbox = mayfly.stateDir().resolve("sandboxes/short-lived");
    long pgid =
        Long.parseLong(Files.readString(sandbox.resolve("host-1/root/run/service.pid")).trim());
    assertTrue(ProcessHandle.of(pgid).isPresent());

    MayflyCli.Result terminate = mayfly.run("terminate", "short-lived");
    assertEquals(0, terminate.exit(), terminate::toString);

    assertFalse(Files.exists(sandbox), "sandbox removed");
    // the group's leader included; an orphan's zombie (not yet reaped by init) runs nothing
    assertTrue(processesInGroup(pgid).isEmpty(), "no process of the service's group is left");
    assertThrowsIo(url);
    MayflyCli.Result list = mayfly.run("list", "--all", "--output", "json");
    assertEquals("terminated", JSON.readTree(list.out()).get(0).get("state").asText());
    MayflyCli.Result again = mayfly.run("terminate", "short-lived");
    assertEquals(3, again.exit(), "terminating twice is a wrong-state error");
    assertEquals("mayfly: deployment 'short-lived' is terminated\n", again.err());
  }

  @Test
  void failingInstallerNamesHostStepAndLogTailAndTerminateStillCleansUp() throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    String yaml =
        Files.readString(demo.template())
            .replace("name: qa-results", "name: broken-install")
            .replace(
                "install: ./install.sh --title {{title}}",
                "install: echo preparing; echo 'disk full on /var/www' >&2; exit 3");
    demo.templateVariant("broken-install", yaml);
    MayflyCli mayfly = new MayflyCli(home, demo.root());

    MayflyCli.Result launch = mayfly.run("launch", "broken-install", "--name", "doomed");
    assertEquals(1, launch.exit(), launch::toString);
    assertTrue(
        launch.err().contains("mayfly: host-1: step install failed: exit 3"), launch::toString);
    assertTrue(launch.err().contains("| disk full on /var/www"), launch::toString);
    MayflyCli.Result status = mayfly.run("status", "doomed", "--output", "json");
    assertEquals("failed", JSON.readTree(status.out()).get("state").asText());
    assertFalse(
        Files.exists(mayfly.stateDir().resolve("sandboxes/doomed")),
        "the failed launch ended its host");
    assertTrue(launch.err().contains("every host of the failed launch ended"), launch::toString);

    assertEquals(0, mayfly.run("terminate", "doomed").exit());
    assertFalse(Files.exists(mayfly.stateDir().resolve("sandboxes/doomed")));

    MayflyCli.Result kept =
        mayfly.run(
            "launch",
            "broken-install",
            "--name",
            "kept",
            "--on-failure",
            "keep",
            "--keep-for",
            "30m");
    assertEquals(1, kept.exit(), kept::toString);
    assertTrue(kept.err().contains("kept for debugging until"), kept::toString);
    assertTrue(
        Files.isDirectory(mayfly.stateDir().resolve("sandboxes/kept/host-1/root")),
        "kept to look at");
    JsonNode keptStatus = JSON.readTree(mayfly.run("status", "kept", "--output", "json").out());
    Instant until = Instant.parse(keptStatus.get("expiresAt").asText());
    assertTrue(until.isBefore(Instant.now().plus(Duration.ofMinutes(31))), keptStatus::toString);
    assertEquals(0, mayfly.run("terminate", "kept").exit());
    assertFalse(Files.exists(mayfly.stateDir().resolve("sandboxes/kept")));
  }

  private static List<ProcessHandle> processesInGroup(long pgid)
      throws IOException, InterruptedException {
    Process ps = new ProcessBuilder("ps", "-e", "-o", "pgid=,pid=,stat=,args=").start();
    List<ProcessHandle> found = new ArrayList<>();
    for (String line : new String(ps.getInputStream().readAllBytes()).split("\n")) {
      String[] cols = line.trim().split("\\s+", 4);
      if (cols.length >= 3 && !cols[2].startsWith("Z") && cols[0].equals(Long.toString(pgid))) {
        ProcessHandle.of(Long.parseLong(cols[1])).ifPresent(found::add);
      }
    }
    ps.waitFor();
    return found;
  }

  private static void assertThrowsIo(String url) {
    try {
      get(url);
    } catch (IOException e) {
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new AssertionError("service still answers at " + url);
  }

  private static List<String> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith("."))
          .sorted()
          .toList();
    }
  }

  static String get(String url) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("HTTP " + response.statusCode() + " from " + url);
    }
    return response.body();
  }
}
