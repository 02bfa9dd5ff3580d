package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.ReleaseApp;
import dev.mayfly.testing.SshdHosts;
import dev.mayfly.testing.SshdHostsFixture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Upgrade and rollback --service on two real OpenSSH servers ({@link SshdHosts}). */
class SshServiceUpgradeIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  @RegisterExtension static final SshdHostsFixture hosts = new SshdHostsFixture(2, 0);

  @TempDir Path home;

  @Test
  void upgradeThatFailsOnEveryHostKeepsThemServingAndAGoodOneRollsBack() throws Exception {
    ReleaseApp app = ReleaseApp.write(home.resolve("app"), "");
    MayflyCli mayfly = new MayflyCli(home, home);
    MayflyCli.Result launch =
        mayfly.run(
            "launch",
            "--file",
            app.template().toString(),
            "--name",
            "fleet",
            "--target",
            "ssh",
            "--identity",
            hosts.userKey().toString(),
            "--host",
            hosts.host(0).login(),
            "--host",
            hosts.host(1).login());
    assertEquals(0, launch.exit(), launch::toString);
    assertServes("version 1\n");
    for (SshdHosts.Host h : hosts.all()) {
      assertEquals(404, get(h, "/.git/HEAD").statusCode(), "no .git served on " + h.login());
    }

    app.failingInstaller("version 2");
    MayflyCli.Result refused = mayfly.run("upgrade", "fleet");
    assertEquals(1, refused.exit(), refused::toString);
    assertTrue(refused.err().contains(hosts.host(0).login()), "names the host: " + refused);
    assertServes("version 1\n");

    // the second host refuses the new release: the first one, already switched, goes back too
    app.version("version 3");
    assertEquals(0, mayfly.run("upgrade", "fleet").exit());
    assertServes("version 3\n");
    Path refuse = hosts.host(1).home().resolve("refuse-install");
    Files.writeString(refuse, "");
    try {
      app.version("version 4");
      MayflyCli.Result half = mayfly.run("upgrade", "fleet", "--output", "json");
      assertEquals(1, half.exit(), half::toString);
      com.fasterxml.jackson.databind.JsonNode json =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(half.out());
      assertEquals(hosts.host(0).login(), json.get("reverted").get(0).asText(), half::toString);
      assertTrue(json.get("failures").has(hosts.host(1).login()), half::toString);
      assertTrue(half.err().contains("switched back to service"), half::toString);
      assertServes("version 3\n");
    } finally {
      Files.deleteIfExists(refuse);
    }

    app.version("version 5");
    MayflyCli.Result good = mayfly.run("upgrade", "fleet");
    assertEquals(0, good.exit(), good::toString);
    for (SshdHosts.Host h : hosts.all()) {
      assertTrue(good.err().contains(h.login()), "a progress line per host: " + good);
    }
    assertServes("version 5\n");

    MayflyCli.Result back = mayfly.run("rollback", "fleet", "--service");
    assertEquals(0, back.exit(), back::toString);
    assertServes("version 3\n");
    assertEquals(0, mayfly.run("terminate", "fleet").exit());
  }

  private void assertServes(String body) throws Exception {
    for (SshdHosts.Host h : hosts.all()) {
      assertEquals(body, get(h, "/index.html").body(), "on " + h.login());
    }
  }

  private static HttpResponse<String> get(SshdHosts.Host h, String path)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + h.address() + ":8080" + path))
            .timeout(Duration.ofSeconds(5))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
