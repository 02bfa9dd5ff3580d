package dev.mayfly.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.testing.MayflyCli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The help screens and the version line read well. */
class HelpTextTest {
  @TempDir Path home;

  private MayflyCli.Result run(String... args) {
    return new MayflyCli(home, home).run(args);
  }

  @Test
  void profileAppearsOnlyOnTheCommandsThatReachATarget() {
    for (String command : List.of("list", "templates", "info", "status", "forget-host")) {
      MayflyCli.Result help = run(command, "--help");
      assertFalse(help.out().contains("--profile"), command + ": " + help.out());
    }
    for (String command :
        List.of("launch", "terminate", "extend", "reap", "sync", "rollback", "daemon")) {
      MayflyCli.Result help = run(command, "--help");
      assertEquals(
          3,
          help.out().split("--profile", -1).length,
          command + " shows --profile in its synopsis and once described: " + help.out());
    }
  }

  @Test
  void theFooterBreaksLinesBetweenWordsNeverInsideAPath() {
    String help = run("--help").out();
    for (String path :
        List.of(
            "$XDG_DATA_HOME/mayfly",
            "~/.local/share/mayfly",
            "~/.config/mayfly/templates",
            "$MAYFLY_TEMPLATES",
            "$XDG_CONFIG_HOME/mayfly/targets.yaml",
            "~/.config/mayfly/targets.yaml")) {
      assertTrue(help.contains(path), "whole on one line: " + path + "\n" + help);
    }
    help.lines().forEach(line -> assertTrue(line.length() <= 80, "fits 80 columns: " + line));
  }

  @Test
  void everyCommandsHelpListsTheExitCodesUnderItsHeading() {
    String help = run("list", "--help").out();
    assertTrue(help.contains("Exit codes:\n  0     success\n"), help);
  }

  @Test
  void versionNamesTheReleaseAndTheCommitItWasBuiltFrom() throws Exception {
    MayflyCli.Result r = run("--version");
    assertEquals(0, r.exit(), r::toString);
    Matcher m =
        Pattern.compile("mayfly (\\d+\\.\\d+\\.\\d+\\S*) \\(commit ([0-9a-f]{12})(-dirty)?\\)\n")
            .matcher(r.out());
    assertTrue(m.matches(), r.out());
    Process git = new ProcessBuilder("git", "rev-parse", "HEAD").start();
    String head = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals(0, git.waitFor());
    assertTrue(head.startsWith(m.group(2)), "built from HEAD " + head + ": " + r.out());
  }
}
