package dev.mayfly.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.MayflyCli;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Users try `mayfly launch --help` before `mayfly help launch`: every command answers both flags.
 */
class HelpEverywhereTest {
  @TempDir Path home;

  @Test
  void everyCommandAnswersHelpAndH() {
    MayflyCli mayfly = new MayflyCli(home, new DemoCopy(home.resolve("checkout")).root());
    List<List<String>> paths = new ArrayList<>();
    collect(Main.commandLine(new Main(Map.of(), home)), new ArrayList<>(), paths);
    assertTrue(paths.size() > 15, "found the commands: " + paths);
    for (List<String> path : paths) {
      for (String flag : List.of("--help", "-h")) {
        List<String> args = new ArrayList<>(path);
        args.add(flag);
        MayflyCli.Result r = mayfly.run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), String.join(" ", args) + ": " + r);
        assertTrue(r.out().contains("Usage:"), String.join(" ", args) + ": " + r);
      }
    }
  }

  private static void collect(CommandLine command, List<String> path, List<List<String>> paths) {
    command
        .getSubcommands()
        .forEach(
            (name, sub) -> {
              if (sub.getCommandSpec().aliases().length > 0 && !name.equals(sub.getCommandName())) {
                return;
              }
              List<String> here = new ArrayList<>(path);
              here.add(name);
              paths.add(here);
              collect(sub, here, paths);
            });
  }
}
