package dev.mayfly.provider.metaleuca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.SshdHosts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on "bare metal": a real cobblerd ({@link RealCobbler}) whose pool systems have
 * the ip_address of real sshd hosts ({@link SshdHosts}, each in its own network namespace), so
 * {@code mayfly launch qa-results --target lab -n 2} reserves them, reinstalls them through
 * Cobbler, waits for the install, then bootstraps the demo over SSH on each, and terminate frees
 * them again.
 */
class MetalLaunchIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  @TempDir Path home;

  @Test
  void launchTwoMachinesOfAGroupServesTheDemoOnEachAndTerminateFreesThem() throws Exception {
    try (SshdHosts hosts = SshdHosts.start(home.resolve("hosts"), 2, 0);
        RealCobbler cobbler = RealCobbler.start(home.resolve("cobbler"))) {
      cobbler.distro("el8");
      cobbler.profile("centos8", "el8");
      cobbler.system("lab-1", hosts.host(0).address(), "centos8", "qa", "group=web", true);
      cobbler.system("lab-2", hosts.host(1).address(), "centos8", "qa", "group=web", true);
      cobbler.autoInstall();
      Path targets = home.resolve("targets.yaml");
      Files.writeString(
          targets,
          "targets:\n  lab:\n    provider: metaleuca\n    url: "
              + cobbler.url()
              + "\n    user: "
              + RealCobbler.USER
              + "\n    ssh-user: "
              + System.getProperty("user.name")
              + "\n    install-timeout: 60s\n    poll: 200ms\n");
      DemoCopy demo = new DemoCopy(home.resolve("checkout"));
      MayflyCli mayfly =
          new MayflyCli(home, demo.root())
              .env("MAYFLY_TARGETS", targets.toString())
              .env("COBBLER_PASSWORD", RealCobbler.PASSWORD);

      MayflyCli.Result launch =
          mayfly.run(
              "launch",
              "qa-results",
              "--target",
              "lab",
              "-n",
              "2",
              "--group",
              "web",
              "--profile",
              "centos8",
              "--identity",
              hosts.userKey().toString(),
              "--name",
              "metal",
              "--output",
              "json");
      assertEquals(0, launch.exit(), launch::toString);
      JsonNode launched = JSON.readTree(launch.out());
      assertEquals(List.of("lab-1", "lab-2"), launched.get("hosts").findValuesAsText("id"));
      for (SshdHosts.Host h : hosts.all()) {
        String page =
            HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://" + h.address() + ":8080/")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        assertTrue(
            page.contains("ec2-instance-lifecycle"), "the data repo is served on " + h.address());
      }
      JsonNode running = JSON.readTree(mayfly.run("metal", "instances", "--output", "json").out());
      assertEquals(List.of("running", "running"), running.findValuesAsText("state"));

      MayflyCli.Result terminate = mayfly.run("terminate", "metal");
      assertEquals(0, terminate.exit(), terminate::toString);
      assertEquals(
          0, JSON.readTree(mayfly.run("metal", "instances", "--output", "json").out()).size());
      JsonNode free =
          JSON.readTree(mayfly.run("metal", "groups", "--free", "--output", "json").out());
      assertEquals(
          List.of("lab-1", "lab-2"), JSON.convertValue(free.get(0).get("free"), List.class));
    }
  }
}
