package dev.mayfly.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.MayflyCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets one clear line and a non-zero exit, and nothing is launched. */
class CommandLineTest {
  @TempDir Path home;
  DemoCopy demo;
  MayflyCli mayfly;

  @BeforeEach
  void setUp() {
    demo = new DemoCopy(home.resolve("checkout"));
    mayfly = new MayflyCli(home, demo.root());
  }

  private void assertRefused(int exit, String message, String... args) {
    MayflyCli.Result r = mayfly.run(args);
    assertEquals(exit, r.exit(), r::toString);
    assertEquals("mayfly: " + message + "\n", r.err(), r::toString);
    assertEquals("", r.out());
    assertNothingLaunched();
  }

  private void assertNothingLaunched() {
    MayflyCli.Result list = mayfly.run("list", "--output", "json");
    assertEquals("[ ]", list.out().trim(), "nothing recorded: " + list);
    assertTrue(
        !Files.exists(mayfly.stateDir().resolve("sandboxes"))
            || mayfly.stateDir().resolve("sandboxes").toFile().list().length == 0,
        "no sandbox created");
  }

  @Test
  void infoShowsTheSameRegistryIdEveryTime() {
    MayflyCli.Result first = mayfly.run("info", "--output", "json");
    assertEquals(0, first.exit(), first::toString);
    Matcher id = Pattern.compile("\"registry\"\\s*:\\s*\"([0-9a-f]{16})\"").matcher(first.out());
    assertTrue(id.find(), first.out());
    MayflyCli.Result again = mayfly.run("info");
    assertTrue(
        again.out().lines().anyMatch(l -> l.matches("registry\\s+" + id.group(1))), again.out());
  }

  @Test
  void unknownTemplateNamesWhereItLooked() {
    MayflyCli.Result r = mayfly.run("launch", "nope");
    assertEquals(2, r.exit());
    assertTrue(
        r.err()
            .startsWith(
                "mayfly: unknown template 'nope' (looked in: " + demo.root().resolve("templates")),
        r::toString);
    assertEquals(1, r.err().lines().count(), "one line");
    assertNothingLaunched();
  }

  @Test
  void badDurationIsRefused() {
    assertRefused(
        2,
        "--expires: '3x' is not a duration (like 30d, 72h) or a UTC time (like 2026-12-31T23:00Z)",
        "launch",
        "qa-results",
        "--expires",
        "3x");
  }

  @Test
  void missingRequiredParamIsRefused() {
    assertRefused(2, "param 'email': required (pass --param email=VALUE)", "launch", "open-qa");
  }

  @Test
  void serviceCommandsRefuseAnUnknownDeploymentAndMixedRollbacks() {
    for (String command : new String[] {"upgrade", "restart"}) {
      assertRefused(3, "unknown deployment 'nope' (see `mayfly list`)", command, "nope");
    }
    assertRefused(
        3, "unknown deployment 'nope' (see `mayfly list`)", "rollback", "nope", "--service");
    assertRefused(
        2,
        "rollback: --to picks a data release; --service goes back one service release",
        "rollback",
        "nope",
        "--service",
        "--to",
        "abcd");
  }

  @Test
  void unknownParamIsRefused() {
    assertRefused(
        2,
        "param 'colour': not a parameter of template 'qa-results' (it has: title)",
        "launch",
        "qa-results",
        "--param",
        "colour=red");
  }

  @Test
  void unknownTargetIsRefused() {
    MayflyCli.Result r = mayfly.run("launch", "qa-results", "--target", "mars");
    assertEquals(2, r.exit(), r::toString);
    assertTrue(r.err().startsWith("mayfly: --target: unknown target 'mars' (known: "), r::toString);
    assertNothingLaunched();
  }

  @Test
  void unreachableRepoNamesTheFieldAndUrl() throws Exception {
    String yaml =
        Files.readString(demo.template())
            .replace("name: qa-results", "name: lost-repo")
            .replace(
                "repo: ../apps/qa-results/service",
                "repo: file:///nonexistent/mayfly-test/service.git");
    demo.templateVariant("lost-repo", yaml);
    MayflyCli.Result r = mayfly.run("launch", "lost-repo");
    assertEquals(1, r.exit(), r::toString);
    assertTrue(
        r.err()
            .startsWith(
                "mayfly: service.repo: cannot reach file:///nonexistent/mayfly-test/service.git: "),
        r::toString);
    assertEquals(1, r.err().lines().count(), "one line");
    assertNothingLaunched();
  }

  @Test
  void brokenTemplateFileGetsFileLineColumn() throws Exception {
    Path broken = home.resolve("broken.yaml");
    Files.writeString(
        broken,
        Files.readString(demo.template())
            .replace("name: qa-results", "name: broken")
            .replace("  keep: 3", "  keep: 3\n  kep: 4"));
    MayflyCli.Result r = mayfly.run("template", "check", "--file", broken.toString());
    assertEquals(2, r.exit(), r::toString);
    assertTrue(
        r.err()
            .matches(
                "mayfly: "
                    + java.util.regex.Pattern.quote(broken.toString())
                    + ":\\d+:3: unknown key 'kep' in data .*\\n"),
        r::toString);
  }

  @Test
  void unknownDeploymentIsAWrongStateError() {
    assertRefused(3, "unknown deployment 'ghost' (see `mayfly list`)", "status", "ghost");
    assertRefused(3, "unknown deployment 'ghost' (see `mayfly list`)", "sync", "ghost");
    assertRefused(3, "unknown deployment 'ghost' (see `mayfly list`)", "terminate", "ghost");
  }

  @Test
  void helpListsCommandsAndExitCodes() {
    MayflyCli.Result r = mayfly.run("--help");
    assertEquals(0, r.exit());
    for (String word :
        new String[] {
          "launch", "list", "status", "sync", "terminate", "templates", "template", "Exit codes:"
        }) {
      assertTrue(r.out().contains(word), "help mentions " + word + ":\n" + r.out());
    }
    for (String code : new String[] {"2 +bad input", "3 +wrong state", "130 +interrupted"}) {
      assertTrue(
          Pattern.compile(code).matcher(r.out()).find(),
          "help lists exit code " + code + ":\n" + r.out());
    }
  }

  @Test
  void templatesListsTheBundledOnesAndTheyValidate() {
    MayflyCli.Result r = mayfly.run("templates");
    assertEquals(0, r.exit(), r::toString);
    assertTrue(r.out().contains("qa-results") && r.out().contains("open-qa"), r::toString);
    assertTrue(!r.out().contains("INVALID"), r::toString);
    assertEquals(0, mayfly.run("template", "check", "open-qa").exit());
    MayflyCli.Result show = mayfly.run("template", "show", "open-qa", "--output", "json");
    assertTrue(
        show.out().contains("\"cron\"") || show.out().contains("\"sync\" : \"1 0 * * *\""),
        show::toString);
  }
}
