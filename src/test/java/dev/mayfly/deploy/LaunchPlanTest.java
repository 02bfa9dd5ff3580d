package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import dev.mayfly.template.Template;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    MayflyException e =
        assertThrows(
            MayflyException.class, () -> home.deployments.launch(options, Progress.SILENT));
    assertEquals(MayflyException.Exit.BAD_INPUT, e.exit(), e.getMessage());
    assertEquals(List.of(), home.registry.list(), "nothing recorded");
    assertEquals(List.of(), home.provider.launches, "no host asked for");
    return e;
  }

  @Test
  void countBelowOneIsRejected() {
    assertEquals(
        "--count: must be at least 1",
        rejected(DeployHome.options(home.template, "2d", 0, 4)).getMessage());
  }

  @Test
  void parallelBelowOneIsRejectedBeforeAnythingIsRecorded() {
    assertEquals(
        "--parallel: must be at least 1",
        rejected(DeployHome.options(home.template, "2d", 2, 0)).getMessage());
  }

  @Test
  void unreadableExpiryIsRejected() {
    assertTrue(
        rejected(DeployHome.options(home.template, "soon", 1, 4))
            .getMessage()
            .startsWith("--expires"));
  }

  @Test
  void unknownGitModeIsRejected() {
    LaunchOptions options =
        new LaunchOptions(
            null,
            home.template,
            List.of(),
            "2d",
            null,
            FakeProvider.NAME,
            1,
            4,
            List.of(),
            null,
            null,
            "carrier-pigeon",
            null);
    assertEquals(
        "--git-mode: 'carrier-pigeon' must be pull, push or auto", rejected(options).getMessage());
  }

  @Test
  void badNameIsRejected() {
    LaunchOptions options =
        new LaunchOptions(
            null, home.template, List.of(), "2d", "Not A Name", FakeProvider.NAME, 1, 4, List.of());
    assertTrue(rejected(options).getMessage().startsWith("--name:"));
  }

  @Test
  void neverMustBeAskedForAndMeansNoExpiry() {
    LaunchPlan never = LaunchPlan.of(DeployHome.options(home.template, " never ", 1, 4), context());
    assertNull(never.expiresAt());
    LaunchPlan byDefault = LaunchPlan.of(DeployHome.options(home.template, null, 1, 4), context());
    assertEquals(
        DeployHome.NOW.plus(Duration.ofDays(7)), byDefault.expiresAt(), "the template's lifetime");
    assertEquals(List.of(), home.registry.list(), "planning records nothing");
  }

  @Test
  void planCarriesTheCheckedInputsAndTheHostOption() {
    LaunchOptions options =
        new LaunchOptions(
            null,
            home.template,
            List.of(),
            "2d",
            null,
            FakeProvider.NAME,
            3,
            2,
            List.of("me@example.org"),
            "0 1 * * *",
            null,
            "push",
            "30s");
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

  @Test
  void countAboveTheTargetsBoundIsRejectedUnlessRaised() {
    MayflyException local =
        rejected(
            new LaunchOptions(
                null, home.template, List.of(), "2d", null, "local", 100_000, 4, List.of()));
    assertEquals(
        "--count: 100000 on target 'local': the local provider allows at most 16 hosts per launch"
            + " (pass --max-hosts N to allow more)",
        local.getMessage());
    MayflyException fake =
        rejected(DeployHome.options(home.template, "2d", LaunchPlan.DEFAULT_MAX_HOSTS + 1, 4));
    assertTrue(
        fake.getMessage().contains("declares no limit; mayfly's default is 256"),
        fake.getMessage());
    LaunchPlan raised =
        LaunchPlan.of(
            new LaunchOptions(
                null,
                home.template,
                List.of(),
                "2d",
                null,
                FakeProvider.NAME,
                300,
                4,
                List.of(),
                null,
                null,
                null,
                null,
                Map.of(),
                300,
                null,
                Map.of(),
                null,
                null),
            context());
    assertEquals(300, raised.count());
  }

  @Test
  void oversizedParameterIsRejectedByNameWithoutItsValue() {
    String value = "v".repeat(64 * 1024) + "TAIL";
    MayflyException e =
        rejected(
            new LaunchOptions(
                null,
                home.template,
                List.of("title=" + value),
                "2d",
                null,
                FakeProvider.NAME,
                1,
                4,
                List.of()));
    assertEquals("param 'title': value is 65540 bytes, at most 65536 (64 KiB)", e.getMessage());
  }

  @Test
  void expiryBeyondTenYearsIsRejectedButNeverIsNot() {
    assertTrue(
        rejected(DeployHome.options(home.template, "99999d", 1, 4))
            .getMessage()
            .startsWith("--expires: at most 3650d (10 years) from now"));
    assertTrue(
        rejected(DeployHome.options(home.template, "2100-01-01", 1, 4))
            .getMessage()
            .startsWith("--expires: at most 3650d"));
    assertEquals(
        DeployHome.NOW.plus(Duration.ofDays(3650)),
        LaunchPlan.of(DeployHome.options(home.template, "3650d", 1, 4), context()).expiresAt());
    MayflyException extend =
        assertThrows(
            MayflyException.class,
            () -> Lifecycle.newExpiry(Optional.empty(), "999999999d", null, false, DeployHome.NOW));
    assertTrue(
        extend.getMessage().startsWith("--by: the expiry may be at most 3650d"),
        extend.getMessage());
  }

  @Test
  void paramFileHoldingASecretMustBePrivate() throws IOException {
    Path template = secretTemplate();
    Path file = dir.resolve("params.env");
    Files.writeString(file, "# the token\ntoken=from-a-file\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    LaunchOptions options =
        new LaunchOptions(
            null,
            template,
            List.of(),
            "2d",
            null,
            FakeProvider.NAME,
            1,
            4,
            List.of(),
            null,
            null,
            null,
            null,
            Map.of(),
            null,
            file,
            Map.of(),
            null,
            null);
    MayflyException e = rejected(options);
    assertEquals(
        "--param-file "
            + file
            + ": holds secret param 'token' but other users may read or write it"
            + " (chmod 600 "
            + file
            + ")",
        e.getMessage());

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertEquals("from-a-file", LaunchPlan.of(options, context()).params().get("token"));
    Files.writeString(file, "token: \"yaml value\"\n");
    assertEquals("yaml value", LaunchPlan.of(options, context()).params().get("token"));
  }

  @Test
  void paramGivenTwiceAcrossSourcesIsRejected() throws IOException {
    Path template = secretTemplate();
    LaunchOptions options =
        new LaunchOptions(
            null,
            template,
            List.of("token=on-the-line"),
            "2d",
            null,
            FakeProvider.NAME,
            1,
            4,
            List.of(),
            null,
            null,
            null,
            null,
            Map.of(),
            null,
            null,
            Map.of("token", "from-stdin"),
            null,
            null);
    assertEquals("param 'token': given more than once", rejected(options).getMessage());
  }

  @Test
  void theSyncZoneComesFromTzElseTheTemplateElseUtc() throws IOException {
    Path berlin = dir.resolve("berlin.yaml");
    Files.writeString(
        berlin,
        Files.readString(home.template).replace("name: demo", "name: berlin")
            + "sync:\n  schedule: '30 2 * * *'\n  timezone: Europe/Berlin\n");

    assertEquals(
        "CRON_TZ=Europe/Berlin 30 2 * * *",
        LaunchPlan.of(sync(berlin, null, null), context()).syncCron());
    assertEquals(
        "CRON_TZ=Europe/Berlin 0 0 15 * MON",
        LaunchPlan.of(sync(berlin, "0 0 15 * MON", null), context()).syncCron(),
        "--sync keeps the template's zone");
    assertEquals(
        "CRON_TZ=America/New_York 30 2 * * *",
        LaunchPlan.of(sync(berlin, null, "America/New_York"), context()).syncCron());
    assertEquals(
        "@daily", LaunchPlan.of(sync(berlin, "@daily", "UTC"), context()).syncCron(), "UTC: bare");
    assertEquals(
        "0 0 1 * 1",
        LaunchPlan.of(sync(home.template, "0 0 1 * 1", null), context()).syncCron(),
        "no zone anywhere: UTC");
  }

  @Test
  void aBadOrPointlessTzIsRejected() {
    assertEquals(
        "--tz: 'Mars/Olympus' is not a time zone (like 'Europe/Berlin' or 'UTC')",
        rejected(sync(home.template, "@daily", "Mars/Olympus")).getMessage());
    assertEquals(
        "--tz: the deployment has no sync schedule (--sync or sync:)",
        rejected(sync(home.template, null, "Europe/Berlin")).getMessage());
  }

  private static LaunchOptions sync(Path template, String cron, String tz) {
    return new LaunchOptions(
        null,
        template,
        List.of(),
        "2d",
        null,
        FakeProvider.NAME,
        1,
        4,
        List.of(),
        cron,
        null,
        null,
        null,
        Map.of(),
        null,
        null,
        Map.of(),
        null,
        null,
        null,
        tz);
  }

  private Path secretTemplate() throws IOException {
    Path file = dir.resolve("secretive.yaml");
    Files.writeString(
        file,
        Files.readString(home.template).replace("name: demo", "name: secretive")
            + "params:\n  token:\n    secret: true\n    required: true\n");
    return file;
  }

  private DeploymentContext context() {
    return home.deployments.deploymentContext();
  }
}
