package dev.mayfly.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.TinyService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real long wait: the service answers its health check only seconds after it starts, and the
 * launch says so while it waits.
 */
class ProgressIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;

  @AfterEach
  void terminateEverything() throws Exception {
    new MayflyCli(home, home).terminateAll();
  }

  /** The tiny service, answering only after {@code seconds}. */
  private MayflyCli lateService(int seconds) throws Exception {
    Path root = TinyService.write(home.resolve("work"));
    Path template = root.resolve("templates/tiny.yaml");
    Files.writeString(
        template,
        Files.readString(template)
            .replace("start: python3", "start: sleep " + seconds + " && exec python3"));
    return new MayflyCli(home, root).env("MAYFLY_HEARTBEAT_MS", "300");
  }

  @Test
  void verboseLaunchPrintsHeartbeatsWithElapsedTimeAndReasonDuringALateHealthCheck()
      throws Exception {
    MayflyCli.Result launch = lateService(4).run("--verbose", "launch", "tiny", "--expires", "1h");
    assertEquals(0, launch.exit(), launch::toString);
    String err = launch.err();
    assertTrue(err.contains("waiting for healthy (host-1), up to 1m\n"), err);
    var beat =
        Pattern.compile(
                "still waiting for healthy \\(host-1\\): (\\d+\\.\\d)s so far, last: (.+)\n")
            .matcher(err);
    int beats = 0;
    while (beat.find()) {
      beats++;
      assertFalse(beat.group(2).isBlank(), "a heartbeat names what the check last saw: " + err);
    }
    // 4 s of silence at a 0.3 s beat: even a loaded machine shows several
    assertTrue(beats >= 3, "heartbeats during the wait: " + err);
    assertTrue(err.contains("done waiting for healthy (host-1) after "), err);
    assertTrue(
        err.indexOf("still waiting") < err.indexOf("done waiting"),
        "heartbeats come while waiting, not after: " + err);
  }

  @Test
  void withoutATerminalOrVerboseAWaitSaysOnlyThatItStarted() throws Exception {
    MayflyCli.Result launch = lateService(2).run("launch", "tiny", "--expires", "1h");
    assertEquals(0, launch.exit(), launch::toString);
    assertTrue(launch.err().contains("waiting for healthy (host-1), up to 1m\n"), launch.err());
    assertFalse(launch.err().contains("still waiting"), launch.err());
  }
}
