package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.ReleaseApp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Service releases on the local target, for real: upgrade, its switch back, rollback --service,
 * restart, and the template keys a real application needs (url.path, health.expect, env, files).
 */
class ServiceUpgradeIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TITLE = "it's \"quoted\" $(touch /tmp/mayfly-pwned) `id`";

  @TempDir Path home;

  @AfterEach
  void terminateEverything() throws Exception {
    new MayflyCli(home, home).terminateAll();
  }

  @Test
  void launchServesAnExportedReleaseAtTheUrlPathWithEnvAndFilesVerbatim() throws Exception {
    ReleaseApp app = ReleaseApp.write(home.resolve("app"), "");
    MayflyCli mayfly = new MayflyCli(home, home);
    MayflyCli.Result launch = launch(mayfly, app, "web", "--param", "title=" + TITLE);
    assertEquals(0, launch.exit(), launch::toString);
    String url = JSON.readTree(launch.out()).get("url").asText();
    assertTrue(url.matches("http://127\\.0\\.0\\.1:[0-9]+/index\\.html"), "url.path: " + url);
    MayflyCli.Result table = mayfly.run("status", "web");
    assertTrue(table.out().contains(url), "status shows the URL with its path: " + table);

    String base = url.replace("/index.html", "");
    assertEquals("version 1\n", get(url).body());
    assertEquals(404, get(base + "/.git/HEAD").statusCode(), "no .git in the served release");
    assertEquals(404, get(base + "/mayfly.env").statusCode(), "mayfly.env stays outside");
    assertEquals(
        TITLE + " and $(echo not run) `id`", get(base + "/env").body(), "env: reaches it verbatim");
    assertEquals("title=" + TITLE, get(base + "/config.txt").body(), "files: rendered verbatim");
    assertFalse(Files.exists(Path.of("/tmp/mayfly-pwned")), "nothing in a value ran");

    Path service = hostRoot(mayfly, "web").resolve("service");
    String release = Files.readSymbolicLink(service.resolve("current")).toString();
    assertTrue(release.matches("releases/[0-9a-f]{40}"), release);
    assertTrue(Files.isDirectory(service.resolve("repo.git")), "git data kept beside the releases");
    assertFalse(Files.exists(service.resolve(release).resolve(".git")));
  }

  @Test
  void failedUpgradeKeepsTheOldReleaseServingAndAGoodOneIsServedUntilRolledBack() throws Exception {
    ReleaseApp app = ReleaseApp.write(home.resolve("app"), "");
    MayflyCli mayfly = new MayflyCli(home, home);
    MayflyCli.Result launch = launch(mayfly, app, "up");
    assertEquals(0, launch.exit(), launch::toString);
    String url = JSON.readTree(launch.out()).get("url").asText();
    Path current = hostRoot(mayfly, "up").resolve("service/current");
    Path v1 = Files.readSymbolicLink(current);

    app.failingInstaller("version 2");
    MayflyCli.Result refused = mayfly.run("upgrade", "up");
    assertEquals(1, refused.exit(), refused::toString);
    assertTrue(refused.err().contains("install: exit 1"), refused::toString);
    assertTrue(refused.err().contains("still serving"), refused::toString);
    assertEquals("version 1\n", get(url).body(), "the old release still serves");
    assertEquals(v1, Files.readSymbolicLink(current));

    app.errorPage("version 3");
    MayflyCli.Result unhealthy = mayfly.run("upgrade", "up");
    assertEquals(1, unhealthy.exit(), unhealthy::toString);
    assertTrue(
        unhealthy.err().contains("with 'all good' in the body")
            && unhealthy.err().contains("body without 'all good'"),
        "a 200 with an error page fails health: " + unhealthy);
    assertTrue(unhealthy.err().contains("switch-back"), "the switch back is a step of its own");
    assertEquals("version 1\n", get(url).body(), "switched back and restarted");
    assertEquals(v1, Files.readSymbolicLink(current));

    app.version("version 4");
    MayflyCli.Result good = mayfly.run("upgrade", "up", "--output", "json");
    assertEquals(0, good.exit(), good::toString);
    JsonNode upgraded = JSON.readTree(good.out());
    assertEquals(1, upgraded.get("updated").size(), good::toString);
    assertEquals(
        v1.getFileName().toString(), upgraded.get("previous").asText(), "json names the old one");
    for (String step : new String[] {"fetch-service", "install", "start", "health"}) {
      assertTrue(good.err().contains("host-1") && good.err().contains(step), step + ": " + good);
    }
    assertEquals("version 4\n", get(url).body(), "the new code is served");
    assertTrue(get(url.replace("index.html", "installed.txt")).body().startsWith("installed by"));

    MayflyCli.Result back = mayfly.run("rollback", "up", "--service");
    assertEquals(0, back.exit(), back::toString);
    assertTrue(back.out().contains("rolled back: service at"), back::toString);
    assertEquals("version 1\n", get(url).body(), "rollback --service restores the old release");
    assertEquals(v1, Files.readSymbolicLink(current));

    String history = mayfly.run("status", "up", "--output", "json").out();
    for (String kind : new String[] {"upgrade-failed", "upgraded", "service-rolled-back"}) {
      assertTrue(history.contains("\"" + kind + "\""), kind + " in history: " + history);
    }
    JsonNode row = JSON.readTree(mayfly.run("list", "--output", "json").out()).get(0);
    assertTrue(
        v1.getFileName().toString().startsWith(row.get("serviceCommit").asText("x")),
        "the registry follows the service back: " + row);
  }

  @Test
  void restartAndTemplateUpgradeApplyTheFrozenAndTheEditedCommands() throws Exception {
    ReleaseApp app = ReleaseApp.write(home.resolve("app"), "");
    MayflyCli mayfly = new MayflyCli(home, home);
    MayflyCli.Result launch = launch(mayfly, app, "tpl");
    assertEquals(0, launch.exit(), launch::toString);
    String url = JSON.readTree(launch.out()).get("url").asText();
    Path pid = hostRoot(mayfly, "tpl").resolve("run/service.pid");
    String before = Files.readString(pid);

    MayflyCli.Result restart = mayfly.run("restart", "tpl", "--output", "json");
    assertEquals(0, restart.exit(), restart::toString);
    assertEquals(1, JSON.readTree(restart.out()).get("updated").size(), restart::toString);
    assertFalse(before.equals(Files.readString(pid)), "a new service process");
    assertEquals("version 1\n", get(url).body());

    app.editTemplate(
        "install: sh install.sh", "install: sh install.sh && echo edited > edited.txt");
    MayflyCli.Result unchanged = mayfly.run("upgrade", "tpl");
    assertEquals(0, unchanged.exit(), unchanged::toString);
    assertTrue(unchanged.out().contains("service unchanged"), unchanged::toString);
    assertEquals(404, get(url.replace("index.html", "edited.txt")).statusCode());

    MayflyCli.Result applied = mayfly.run("upgrade", "tpl", "--template");
    assertEquals(0, applied.exit(), applied::toString);
    assertEquals("edited\n", get(url.replace("index.html", "edited.txt")).body());
    String history = mayfly.run("status", "tpl", "--output", "json").out();
    assertTrue(history.contains("\"template-upgraded\""), history);
    assertTrue(history.contains("\"restarted\""), history);

    // the edited install is frozen now: a restart keeps serving what it installed
    assertEquals(0, mayfly.run("restart", "tpl").exit());
    assertEquals("edited\n", get(url.replace("index.html", "edited.txt")).body());
  }

  @Test
  void aServiceThatAnswers200WithAnErrorPageFailsItsLaunch() throws Exception {
    ReleaseApp app = ReleaseApp.write(home.resolve("app"), "");
    app.errorPage("broken");
    MayflyCli mayfly = new MayflyCli(home, home);
    MayflyCli.Result launch =
        mayfly.run("launch", "--file", app.template().toString(), "--name", "err");
    assertEquals(1, launch.exit(), launch::toString);
    assertTrue(launch.err().contains("step health failed"), launch::toString);
    assertTrue(launch.err().contains("body without 'all good'"), launch::toString);
  }

  @Test
  void aFailingPublishIsReportedOnceAsAPublishFailure() throws Exception {
    ReleaseApp app = ReleaseApp.write(home.resolve("app"), "");
    app.editTemplate("  repo: ../data\n", "  repo: ../data\n  publish: echo publish-ran; exit 3\n");
    MayflyCli mayfly = new MayflyCli(home, home);
    MayflyCli.Result launch =
        mayfly.run("launch", "--file", app.template().toString(), "--name", "pub");
    assertEquals(1, launch.exit(), launch::toString);
    assertTrue(launch.err().contains("step publish-data failed"), launch::toString);
    Path log = mayfly.stateDir().resolve("logs/pub/host-1.log");
    String text = Files.readString(log);
    assertEquals(1, text.split("publish-ran", -1).length - 1, "publish ran once: " + text);
    assertFalse(text.contains("could not fetch"), "not mistaken for a fetch failure: " + text);
    assertFalse(launch.err().contains("pushing a bundle"), launch::toString);
  }

  private static MayflyCli.Result launch(
      MayflyCli mayfly, ReleaseApp app, String name, String... more) {
    String[] args = {
      "launch", "--file", app.template().toString(), "--name", name, "--output", "json"
    };
    String[] all = new String[args.length + more.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return mayfly.run(all);
  }

  private static Path hostRoot(MayflyCli mayfly, String id) {
    return mayfly.stateDir().resolve("sandboxes").resolve(id).resolve("host-1/root");
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
