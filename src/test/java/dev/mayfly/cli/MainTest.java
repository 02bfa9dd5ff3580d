package dev.mayfly.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What a user sees when mayfly itself fails, and the exit-code table. */
class MainTest {
  @TempDir Path home;

  private record Run(int exit, String out, String err) {}

  private Run run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(args, env, home, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(exit, out.toString(), err.toString());
  }

  /** An environment whose targets-file lookup throws, as a bug deep inside a command would. */
  private Map<String, String> brokenEnv() {
    return new HashMap<>(
        Map.of(
            "HOME",
            home.toString(),
            "MAYFLY_HOME",
            home.resolve("state").toString(),
            "TERM",
            "dumb")) {
      @Override
      public String get(Object key) {
        if ("MAYFLY_TARGETS".equals(key)) {
          throw new NullPointerException(
              "Cannot invoke \"String.isBlank()\" because \"explicit\" is null");
        }
        return super.get(key);
      }
    };
  }

  @Test
  void anUnexpectedExceptionIsOneLineWithoutItsClassNameOrText() {
    Run r = run(brokenEnv(), "list");
    assertEquals(4, r.exit(), r::toString);
    assertEquals(
        "mayfly: internal error (a value that should be there is missing in `mayfly list`);"
            + " run with --verbose for details\n",
        r.err());
    for (String leak : new String[] {"Exception", "java.", "Cannot invoke", "explicit"}) {
      assertFalse(r.err().contains(leak), "no " + leak + " in: " + r.err());
    }
    assertEquals("", r.out());
  }

  @Test
  void verboseAddsTheStackTrace() {
    Run r = run(brokenEnv(), "list", "--verbose");
    assertEquals(4, r.exit(), r::toString);
    assertTrue(r.err().startsWith(NullPointerException.class.getName()), r::toString);
    assertTrue(
        r.err()
            .endsWith(
                "mayfly: internal error (a value that should be there is missing in `mayfly list`)\n"),
        r::toString);
  }

  @Test
  void helpListsEveryExitCodeOfTheEnum() {
    Run r =
        run(
            Map.of("HOME", home.toString(), "MAYFLY_HOME", home.resolve("state").toString()),
            "--help");
    assertEquals(0, r.exit(), r::toString);
    String help = r.out().replaceAll("\\s+", " ");
    for (MayflyException.Exit exit : MayflyException.Exit.values()) {
      assertTrue(help.contains(" " + exit.code + " " + exit.meaning), exit + " in:\n" + r.out());
    }
  }

  @Test
  void aRunOfOneCommandBuildsOnlyThatCommandButHelpAndCompletionSeeTheWholeTree() {
    CommandLine.Model.CommandSpec root =
        new CommandLine(new Main(Map.of(), Path.of("").toAbsolutePath())).getCommandSpec();
    assertEquals("list", Main.only(root, new String[] {"list"}));
    assertEquals("status", Main.only(root, new String[] {"-v", "--profile", "p", "status", "x"}));
    assertEquals("list", Main.only(root, new String[] {"--profile=p", "list"}));
    for (String[] whole :
        new String[][] {{"completion"}, {"help", "list"}, {"--help"}, {"lsit"}, {"metal"}, {}}) {
      assertEquals(null, Main.only(root, whole), String.join(" ", whole));
    }
  }

  @Test
  void aMistypedCommandStillGetsTheWholeTreesSuggestions() {
    Map<String, String> env =
        Map.of("HOME", home.toString(), "MAYFLY_HOME", home.resolve("state").toString());
    Run typo = run(env, "lsit");
    assertEquals(2, typo.exit(), typo::toString);
    assertTrue(typo.err().contains("list"), typo::toString);
    Run list = run(env, "-v", "list");
    assertEquals(0, list.exit(), list::toString);
  }
}
