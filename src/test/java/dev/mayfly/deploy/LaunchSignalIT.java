package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.MayflyProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Ctrl-C or SIGTERM during a launch ends what it started, records it as failed and exits 130. */
class LaunchSignalIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;

  @ParameterizedTest
  @ValueSource(strings = {"INT", "TERM"})
  void signalDuringInstallEndsTheHostsAndRecordsTheLaunchAsFailed(String signal) throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    demo.templateVariant(
        "slow-install",
        Files.readString(demo.template())
            .replace("name: qa-results", "name: slow-install")
            .replace(
                "install: ./install.sh --title {{title}}", "install: echo installing; sleep 300"));
    MayflyCli mayfly = new MayflyCli(home, demo.root());

    List<ProcessHandle> installers;
    try (MayflyProcess launch =
        MayflyProcess.start(
            home, demo.root(), "launch", "slow-install", "--name", "cut", "-n", "2")) {
      // both hosts exist and their installers run
      launch.await(
          "two sleeping installers", Duration.ofSeconds(90), () -> sleepers(launch).size() == 2);
      installers = sleepers(launch);
      launch.signal(signal);

      assertEquals(130, launch.exit(Duration.ofSeconds(60)), launch::err);
      assertTrue(
          launch
              .err()
              .contains(
                  "mayfly: launch interrupted by SIG"
                      + signal
                      + ": ended the 2 host(s) it had started; deployment cut is recorded as failed"),
          launch::err);
    }
    for (ProcessHandle installer : installers) {
      assertTrue(
          MayflyProcess.ended(installer, Duration.ofSeconds(10)),
          "installer " + installer.pid() + " ended");
    }
    assertFalse(Files.exists(mayfly.stateDir().resolve("sandboxes/cut")), "no sandbox is left");

    JsonNode listed = JSON.readTree(mayfly.run("list", "--output", "json").out()).get(0);
    assertEquals("failed", listed.get("state").asText());
    JsonNode status = JSON.readTree(mayfly.run("status", "cut", "--output", "json").out());
    boolean interrupted = false;
    for (JsonNode event : status.get("events")) {
      interrupted |= event.get("kind").asText().equals("interrupted");
    }
    assertTrue(interrupted, "the history says why: " + status);
    for (JsonNode host : status.get("hostDetails")) {
      assertEquals("terminated", host.get("state").asText(), status::toString);
    }
  }

  private static List<ProcessHandle> sleepers(MayflyProcess launch) {
    return launch.descendants().stream()
        .filter(p -> p.info().command().map(c -> c.endsWith("/sleep")).orElse(false))
        .toList();
  }
}
