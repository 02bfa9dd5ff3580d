package dev.mayfly.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.TinyService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed step on a host says where, why, what it printed last and where the full log is. */
class FailureMessagesIT {
  @TempDir Path home;
  MayflyCli mayfly;

  @AfterEach
  void terminate() {
    if (mayfly != null) {
      mayfly.run("terminate", "picky");
    }
  }

  @Test
  void aSyncWhosePublishFailsNamesTheStepHostReasonLastLinesAndLog() throws Exception {
    Path root = TinyService.write(home.resolve("work"));
    mayfly = new MayflyCli(home, root);
    MayflyCli.Result launch = mayfly.run("launch", "tiny", "--name", "picky", "--expires", "1h");
    assertEquals(0, launch.exit(), launch::toString);

    // the template's publish check (`ls greeting.txt`) refuses the new data
    Path data = root.resolve("apps/tiny/data");
    Files.delete(data.resolve("greeting.txt"));
    Files.writeString(data.resolve("other.txt"), "no greeting\n");
    MayflyCli.Result sync = mayfly.run("sync", "picky");
    assertEquals(1, sync.exit(), sync::toString);
    String err = sync.err();
    assertTrue(
        err.contains("mayfly: host-1: step sync failed, previous release still serving: "), err);
    Matcher log = Pattern.compile("\n  last lines \\(full log: (\\S+)\\):\n").matcher(err);
    assertTrue(log.find(), err);
    Path file = Path.of(log.group(1));
    assertEquals(mayfly.stateDir().resolve("logs/picky/host-1.log"), file);
    assertTrue(Files.isRegularFile(file), "the log is where it says");
    assertTrue(
        Pattern.compile("\n  \\| .*greeting\\.txt").matcher(err).find(),
        "the failing command's own words are shown: " + err);
  }
}
