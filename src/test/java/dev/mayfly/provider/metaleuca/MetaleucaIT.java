package dev.mayfly.provider.metaleuca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.MayflyException;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.Registry;
import dev.mayfly.testing.MayflyCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metaleuca provider and `mayfly metal` against a real cobblerd (PyPI cobbler 3.3.10, see
 * {@link RealCobbler}): not a stand-in, so tokens, {@code <<inherit>>} owners, save_system, power
 * through a fence agent and pxe_just_once's disable_netboot behave as in a lab. One cobblerd serves
 * the class; each test has its own owner, so its pool is its own. Hosts are not bootstrapped here
 * (that needs the SSH harness): the provider's part ends when the machines are installed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetaleucaIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private RealCobbler cobbler;

  @TempDir Path home;

  @BeforeAll
  void startCobbler(@TempDir Path root) throws Exception {
    cobbler = MetalLab.startCobbler(root);
  }

  @AfterAll
  void stopCobbler() throws Exception {
    cobbler.close();
  }

  /** A target on the test's Cobbler whose pool is the systems owned by {@code owner}. */
  private MayflyCli cli(String owner, String extraSettings) throws Exception {
    return MetalLab.cli(cobbler, home, owner, extraSettings);
  }

  private static Provider provider(MayflyCli cli, Registry registry) {
    return MetalLab.provider(cli.stateDir(), Optional.of(registry));
  }

  private static JsonNode json(MayflyCli.Result r) throws Exception {
    assertEquals(0, r.exit(), r::toString);
    return JSON.readTree(r.out());
  }

  @Test
  void launchTwoOfAGroupProvisionsRebootsAndWaitsFromPendingToRunning() throws Exception {
    cobbler.system("pr-1", "10.213.40.2", "wipe", "q1", "group=web", true);
    cobbler.system("pr-2", "10.213.41.2", "wipe", "q1", "rack 3 group=web", true);
    cobbler.system("pr-3", "10.213.42.2", "wipe", "q1", "group=db", true);
    MayflyCli mayfly = cli("q1", "");
    Files.createDirectories(mayfly.stateDir());
    ExecutorService pool = Executors.newSingleThreadExecutor();
    cobbler.pauseAutoInstall("pr-1", "pr-2");
    try (Registry registry = Registry.open(mayfly.stateDir())) {
      Future<List<Host>> launch =
          pool.submit(
              () ->
                  provider(mayfly, registry)
                      .launch(MetalLab.request("d1", 2, "web", "centos8"))
                      .hosts());
      cobbler.awaitFence("pr-1 on", "pr-2 on");

      JsonNode pending = json(mayfly.run("metal", "instances", "--output", "json"));
      assertEquals(2, pending.size(), pending::toString);
      for (JsonNode i : pending) {
        assertEquals(
            "pending", i.get("state").asText(), "installing until netboot is cleared: " + pending);
        assertEquals("d1", i.get("deployment").asText());
        assertEquals("centos8", i.get("profile").asText());
      }
      assertFalse(launch.isDone(), "launch waits for the install");

      cobbler.finishInstall("pr-1");
      cobbler.finishInstall("pr-2");
      List<Host> hosts = launch.get();
      assertEquals(List.of("pr-1", "pr-2"), hosts.stream().map(Host::id).toList());
      assertEquals(
          List.of("10.213.40.2", "10.213.41.2"), hosts.stream().map(Host::address).toList());
      assertTrue(
          cobbler.fenceCalls().containsAll(List.of("pr-1 off", "pr-1 on", "pr-2 off", "pr-2 on")));
      assertFalse(
          cobbler.fenceCalls().stream().anyMatch(c -> c.startsWith("pr-3")),
          "db machine untouched");

      JsonNode running =
          json(mayfly.run("metal", "instances", "--user", "alice", "--output", "json"));
      assertEquals(List.of("running", "running"), running.findValuesAsText("state"));
      assertEquals(
          0, json(mayfly.run("metal", "instances", "--user", "bob", "--output", "json")).size());
      JsonNode groups = json(mayfly.run("metal", "groups", "--free", "--output", "json"));
      assertEquals(1, groups.size(), "web has no free machine left: " + groups);
      assertEquals("db", groups.get(0).get("name").asText());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void noFreeMachineIsSaidAndInstancesNameTheLauncherWhenTheEnvironmentHasNoUser()
      throws Exception {
    cobbler.system("nf-1", "10.213.120.2", "wipe", "q11", "group=web", true);
    MayflyCli mayfly = cli("q11", "");
    Files.createDirectories(mayfly.stateDir());
    Map<String, String> env = new java.util.HashMap<>(MetalLab.env(mayfly.stateDir()));
    env.remove("USER"); // as under cron or sudo: neither USER nor LOGNAME
    try (Registry registry = Registry.open(mayfly.stateDir())) {
      MetalLab.provider(mayfly.stateDir(), Optional.of(registry), env)
          .launch(MetalLab.request("nf", 1, "web", "centos8"));
    }
    MayflyCli.Result free = mayfly.run("metal", "groups", "--free");
    assertEquals(0, free.exit(), free::toString);
    assertEquals("", free.out(), "no bare header");
    assertEquals("no free machines in target 'lab'\n", free.err());
    assertEquals(0, json(mayfly.run("metal", "groups", "--free", "--output", "json")).size());

    JsonNode held = json(mayfly.run("metal", "instances", "--output", "json"));
    assertEquals(1, held.size(), held::toString);
    assertEquals(System.getProperty("user.name"), held.get(0).get("user").asText());
    assertNotEquals("unknown", held.get(0).get("user").asText());
    MayflyCli.Result table = mayfly.run("metal", "instances");
    assertTrue(table.out().contains(" " + System.getProperty("user.name") + " "), table::toString);
  }

  @Test
  void concurrentLaunchesRacingForTheLastFreeMachineNeverShareIt() throws Exception {
    cobbler.system("race-1", "10.213.50.2", "wipe", "q2", "group=web", true);
    MayflyCli mayfly = cli("q2", "");
    Files.createDirectories(mayfly.stateDir());
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<List<Host>>> launches = new ArrayList<>();
    try {
      for (String id : List.of("ra", "rb")) {
        launches.add(
            pool.submit(
                () -> {
                  // each launch has its own registry connection, as two mayfly processes would
                  try (Registry registry = Registry.open(mayfly.stateDir())) {
                    Provider provider = provider(mayfly, registry);
                    start.await();
                    return provider.launch(MetalLab.request(id, 1, "web", "centos8")).hosts();
                  }
                }));
      }
      start.countDown();
      List<String> won = new ArrayList<>();
      List<String> lost = new ArrayList<>();
      for (Future<List<Host>> f : launches) {
        try {
          won.add(f.get().get(0).id());
        } catch (java.util.concurrent.ExecutionException e) {
          lost.add(e.getCause().getMessage());
        }
      }
      assertEquals(List.of("race-1"), won);
      assertEquals(1, lost.size());
      assertTrue(
          lost.get(0).contains("asked for 1 machine(s) of group 'web' but 0 of its 1 are free"),
          lost::toString);
      JsonNode held = json(mayfly.run("metal", "instances", "--output", "json"));
      assertEquals(1, held.size(), held::toString);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void terminateReleasesTheMachinesAndReprovisionsThemWithTheCleanProfile() throws Exception {
    cobbler.system("tm-1", "10.213.60.2", "wipe", "q3", "group=web", true);
    MayflyCli mayfly = cli("q3", "    clean-profile: wipe\n");
    Files.createDirectories(mayfly.stateDir());
    try (Registry registry = Registry.open(mayfly.stateDir())) {
      Provider provider = provider(mayfly, registry);
      List<Host> hosts = provider.launch(MetalLab.request("t1", 1, "web", "centos8")).hosts();
      assertEquals("centos8", cobbler.systemView("tm-1").get("profile"));
      int fenceBefore = cobbler.fenceCalls().size();

      provider.terminate("t1", hosts);

      assertEquals(List.of(), provider.describe("t1"));
      assertEquals("wipe", cobbler.systemView("tm-1").get("profile"));
      assertTrue(
          cobbler
              .fenceCalls()
              .subList(fenceBefore, cobbler.fenceCalls().size())
              .contains("tm-1 on"));
      JsonNode groups = json(mayfly.run("metal", "groups", "--free", "--output", "json"));
      assertEquals("tm-1", groups.get(0).get("free").get(0).asText(), "free again: " + groups);
    }
  }

  @Test
  void aLaunchThatDiesMidInstallKeepsItsReservationWhereTheReaperFindsIt() throws Exception {
    cobbler.system("cr-1", "10.213.70.2", "wipe", "q4", "group=web", true);
    cobbler.pauseAutoInstall("cr-1");
    MayflyCli mayfly = cli("q4", "");
    Files.writeString(
        home.resolve("targets.yaml"),
        Files.readString(home.resolve("targets.yaml"))
            .replace("install-timeout: 60s", "install-timeout: 1s"));
    Files.createDirectories(mayfly.stateDir());
    try (Registry registry = Registry.open(mayfly.stateDir())) {
      Provider provider = provider(mayfly, registry);
      MayflyException e =
          assertThrows(
              MayflyException.class,
              () -> provider.launch(MetalLab.request("c1", 1, "web", "centos8")));
      assertTrue(
          e.getMessage().startsWith("\"installed (cr-1 on target 'lab')\" not reached within 1s"),
          e.getMessage());

      assertEquals(
          List.of("c1 cr-1"),
          provider.owned().stream().map(o -> o.deploymentId() + " " + o.host().id()).toList());
      assertEquals(List.of("cr-1"), provider.describe("c1").stream().map(Host::id).toList());
      JsonNode held = json(mayfly.run("metal", "instances", "--output", "json"));
      assertEquals("c1", held.get(0).get("deployment").asText());
      assertEquals("pending", held.get(0).get("state").asText());

      // the reaper makes the provider of the target the reservation names, and judges c1 (no
      // deployment
      // row: "unknown") once, although the bare "metaleuca" provider lists every pool's
      // reservations too
      JsonNode reap = json(mayfly.run("reap", "--dry-run", "--output", "json"));
      List<String> c1 = new ArrayList<>();
      reap.forEach(
          f -> {
            if (f.get("deployment").asText().equals("c1")) {
              c1.add(f.get("target").asText() + " " + f.get("hosts") + " " + f.get("why").asText());
            }
          });
      assertEquals(List.of("lab [\"cr-1\"] unknown"), c1, reap::toString);
    }
  }

  @Test
  void metalCommandsListProfilesAndOnlyThePoolsSystemsWithOwnersResolved() throws Exception {
    cobbler.system("ls-1", "10.213.80.2", "wipe", "q5", "group=web", true);
    cobbler.system(
        "ls-2", "10.213.81.2", "wipe", null, "group=web", true); // owners <<inherit>>: admin
    cobbler.system("ls-3", "10.213.82.2", "wipe", "q5", "", false);
    MayflyCli mayfly = cli("q5", "");

    JsonNode profiles = json(mayfly.run("metal", "profiles", "--output", "json"));
    assertTrue(
        profiles.findValuesAsText("name").containsAll(List.of("centos8", "wipe")),
        profiles::toString);
    JsonNode systems = json(mayfly.run("metal", "systems", "--output", "json"));
    assertEquals(List.of("ls-1", "ls-3"), systems.findValuesAsText("name"));
    assertEquals("web", systems.get(0).get("group").asText());
    assertTrue(systems.get(1).get("powerType").isNull());
    MayflyCli.Result table = mayfly.run("metal", "groups");
    assertEquals(0, table.exit(), table::toString);
    assertTrue(
        table.out().lines().anyMatch(l -> l.matches("web\\s+1\\s+1\\s+ls-1")), table::toString);

    MayflyCli.Result reboot = mayfly.run("metal", "reboot", "ls-1");
    assertEquals(0, reboot.exit(), reboot::toString);
    assertTrue(cobbler.fenceCalls().contains("ls-1 on"));
  }

  @Test
  void wrongCredentialsAreOneLineThatNeverShowsThePassword() throws Exception {
    MayflyCli mayfly = cli("q6", "").env("COBBLER_PASSWORD", "hunter2-wrong");
    MayflyCli.Result r = mayfly.run("metal", "systems");
    assertEquals(2, r.exit(), r::toString);
    assertEquals(
        "mayfly: target 'lab': Cobbler at "
            + cobbler.url()
            + " refused the login of user 'cobbler'"
            + " (wrong user or password)",
        r.err().strip());
    assertFalse((r.out() + r.err()).contains("hunter2"));

    MayflyCli.Result unset = cli("q6", "").env("COBBLER_PASSWORD", "").run("metal", "systems");
    assertEquals(2, unset.exit(), unset::toString);
    assertTrue(
        unset.err().contains("the Cobbler password is not set: export COBBLER_PASSWORD"),
        unset::toString);
  }

  @Test
  void unknownProfileOrGroupIsBadInputNamingTheChoices() throws Exception {
    cobbler.system("bi-1", "10.213.90.2", "wipe", "q7", "group=web", true);
    MayflyCli mayfly = cli("q7", "");
    MayflyCli.Result profile =
        mayfly.run(
            "launch", "qa-results", "--target", "lab", "--group", "web", "--profile", "windows95");
    assertEquals(2, profile.exit(), profile::toString);
    assertTrue(
        profile
            .err()
            .contains("--profile: unknown profile 'windows95' on target 'lab' (known: centos8,"),
        profile::toString);

    MayflyCli.Result group =
        mayfly.run(
            "launch", "qa-results", "--target", "lab", "--group", "gpu", "--profile", "centos8");
    assertEquals(2, group.exit(), group::toString);
    assertTrue(
        group.err().contains("--group: unknown group 'gpu' on target 'lab' (known: web)"),
        group::toString);
    assertEquals(0, json(mayfly.run("metal", "instances", "--output", "json")).size());
  }

  @Test
  void askingForMoreMachinesThanAreFreeReservesNothingAndSaysHowManyAreFree() throws Exception {
    cobbler.system("fw-1", "10.213.100.2", "wipe", "q8", "group=web", true);
    cobbler.system("fw-2", "10.213.101.2", "wipe", "q8", "group=web", true);
    MayflyCli mayfly = cli("q8", "");
    MayflyCli.Result r =
        mayfly.run(
            "launch",
            "qa-results",
            "--target",
            "lab",
            "-n",
            "3",
            "--group",
            "web",
            "--profile",
            "centos8");
    assertEquals(2, r.exit(), r::toString);
    assertTrue(
        r.err()
            .contains(
                "-n: asked for 3 machine(s) of group 'web' but 2 of its 2 are free; nothing was"
                    + " reserved"),
        r::toString);
    assertEquals(0, json(mayfly.run("metal", "instances", "--output", "json")).size());
    assertFalse(
        cobbler.fenceCalls().stream().anyMatch(c -> c.startsWith("fw-")), "nothing rebooted");
    JsonNode list = json(mayfly.run("list", "--output", "json"));
    assertNotEquals(
        "launching", list.get(0).get("state").asText(), "a refused launch is not left launching");
  }

  @Test
  void aMachineWithoutPowerManagementIsNamedNotRebooted() throws Exception {
    cobbler.system("np-1", "10.213.110.2", "wipe", "q9", "group=web", false);
    MayflyCli mayfly = cli("q9", "");
    MayflyCli.Result reboot = mayfly.run("metal", "reboot", "np-1");
    assertEquals(2, reboot.exit(), reboot::toString);
    assertEquals(
        "mayfly: system 'np-1' (10.213.110.2) has no power management (power_type is empty in Cobbler):"
            + " mayfly cannot reboot it",
        reboot.err().strip());

    MayflyCli.Result launch =
        mayfly.run(
            "launch", "qa-results", "--target", "lab", "--group", "web", "--profile", "centos8");
    assertEquals(2, launch.exit(), launch::toString);
    assertTrue(
        launch.err().contains("system 'np-1' (10.213.110.2) has no power management"),
        launch::toString);
    assertEquals(0, json(mayfly.run("metal", "instances", "--output", "json")).size());

    MayflyCli.Result unknown = mayfly.run("metal", "reboot", "nope");
    assertEquals(2, unknown.exit(), unknown::toString);
    assertTrue(
        unknown.err().contains("system 'nope' is not in the pool of owner 'q9'"),
        unknown::toString);
  }
}
