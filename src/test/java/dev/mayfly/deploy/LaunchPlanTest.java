package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import dev.mayfly.template.Template;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad launch input fails before anything is recorded or any host is asked for. */
class LaunchPlanTest {
  // one home for all: no test here may record anything, which each asserts
  @TempDir static Path dir;
  private static DeployHome home;

  @BeforeAll
  static void open() {
    home = new DeployHome(dir);
  }

  @AfterAll
  static void close() {
    home.close();
  }

  private MayflyException rejected(LaunchOptions options) {
    MayflyException e = assertThrows(MayflyException.class, () -> home.deployments.launch(options, Progress.SILENT));
    assertEquals(MayflyException.Exit.BAD_INPUT, e.exit(), e.getMessage());
    assertEquals(List.of(), home.registry.list(), "nothing recorded");
    assertEquals(List.of(), home.provider.launches, "no host asked for");
    return e;
  }

  @Test
  void countBelowOneIsRejected() {
    assertEquals("--count: must be at least 1", rejected(DeployHome.options(home.template, "2d", 0, 4)).getMessage());
  }

  @Test
  void parallelBelowOneIsRejectedBeforeAnythingIsRecorded() {
    assertEquals("--parallel: must be at least 1",
        rejected(DeployHome.options(home.template, "2d", 2, 0)).getMessage());
  }

  @Test
  void unreadableExpiryIsRejected() {
    assertTrue(rejected(DeployHome.options(home.template, "soon", 1, 4)).getMessage().startsWith("--expires"));
  }

  @Test
  void unknownGitModeIsRejected() {
    LaunchOptions options = new LaunchOptions(null, home.template, List.of(), "2d", null, FakeProvider.NAME, 1, 4,
        List.of(), null, null, "carrier-pigeon", null);
    assertEquals("--git-mode: 'carrier-pigeon' must be pull, push or auto", rejected(options).getMessage());
  }

  @Test
  void badNameIsRejected() {
    LaunchOptions options = new LaunchOptions(null, home.template, List.of(), "2d", "Not A Name", FakeProvider.NAME,
        1, 4, List.of());
    assertTrue(rejected(options).getMessage().startsWith("--name:"));
  }

  @Test
  void neverMustBeAskedForAndMeansNoExpiry() {
    LaunchPlan never = LaunchPlan.of(DeployHome.options(home.template, " never ", 1, 4), context());
    assertNull(never.expiresAt());
    LaunchPlan byDefault = LaunchPlan.of(DeployHome.options(home.template, null, 1, 4), context());
    assertEquals(DeployHome.NOW.plus(Duration.ofDays(7)), byDefault.expiresAt(), "the template's lifetime");
    assertEquals(List.of(), home.registry.list(), "planning records nothing");
  }

  @Test
  void planCarriesTheCheckedInputsAndTheHostOption() {
    LaunchOptions options = new LaunchOptions(null, home.template, List.of(), "2d", null, FakeProvider.NAME, 3, 2,
        List.of("me@example.org"), "0 1 * * *", null, "push", "30s");
    LaunchPlan plan = LaunchPlan.of(options, context());
    assertTrue(plan.id().matches("demo-[0-9a-f]{6}"), plan.id());
    assertEquals(3, plan.count());
    assertEquals(2, plan.parallel());
    assertEquals("0 1 * * *", plan.syncCron());
    assertEquals(Template.GitMode.PUSH, plan.gitMode());
    assertEquals(Duration.ofSeconds(30), plan.sshDeadline());
    assertEquals(List.of("me@example.org"), plan.providerOptions().get("host"));
    assertEquals(List.of(), home.registry.list(), "planning records nothing");
  }

  private DeploymentContext context() {
    return home.deployments.deploymentContext();
  }
}
