package dev.mayfly.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mayfly.testing.MayflyProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping the daemon while a launch started over the API is in flight: the launch is cancelled,
 * its hosts ended and the deployment recorded as failed, and the daemon exits without waiting for
 * the installer.
 */
class WebStopIT {
  @TempDir Path home;

  @Test
  void sigtermDuringAWebLaunchEndsItsHostsRecordsItFailedAndExits() throws Exception {
    List<ProcessHandle> installers;
    try (WebLab lab = new WebLab(home)) {
      WebLab.Response accepted =
          lab.post("/deployments", "{\"template\":\"slow\",\"name\":\"cut\"}");
      assertEquals(202, accepted.status(), accepted.body());
      lab.await("the sleeping installer", Duration.ofSeconds(90), () -> sleepers(lab).size() == 1);
      installers = sleepers(lab);
      assertEquals(
          "launching", lab.cliJson("status", "cut", "--output", "json").get("state").asText());

      // far below the installer's 300 s; generous for a loaded machine
      long t0 = System.nanoTime();
      OptionalInt exit = lab.daemon.terminate(Duration.ofSeconds(60));
      System.out.printf(
          "WebStopIT: the daemon exited %d ms after SIGTERM%n",
          (System.nanoTime() - t0) / 1_000_000);
      assertTrue(exit.isPresent(), "the daemon still runs 60 s after SIGTERM:\n" + lab.log());
      assertEquals(0, exit.getAsInt(), lab.log());
      assertTrue(
          lab.log()
              .contains(
                  "web: launch cut failed: launch interrupted by the daemon stopping: ended the 1"
                      + " host(s) it had started; deployment cut is recorded as failed"),
          lab.log());

      for (ProcessHandle installer : installers) {
        assertTrue(
            MayflyProcess.ended(installer, Duration.ofSeconds(10)),
            "installer " + installer.pid() + " ended");
      }
      assertFalse(Files.exists(lab.cli.stateDir().resolve("sandboxes/cut")), "no sandbox is left");

      JsonNode status = lab.cliJson("status", "cut", "--output", "json");
      assertEquals("failed", status.get("state").asText(), status::toString);
      boolean interrupted = false;
      for (JsonNode event : status.get("events")) {
        interrupted |= event.get("kind").asText().equals("interrupted");
      }
      assertTrue(interrupted, "the history says why: " + status);
      assertEquals(1, status.get("hostDetails").size(), status::toString);
      for (JsonNode host : status.get("hostDetails")) {
        assertEquals("terminated", host.get("state").asText(), status::toString);
      }
    }
  }

  private static List<ProcessHandle> sleepers(WebLab lab) {
    return lab.daemon.hostSteps().stream()
        .filter(p -> p.info().command().map(c -> c.endsWith("/sleep")).orElse(false))
        .toList();
  }
}
