package dev.mayfly.provider.metaleuca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.MayflyException;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.Registry;
import dev.mayfly.testing.MayflyCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two registries (two state folders, so two H2 files with two ids) on one real cobblerd ({@link
 * RealCobbler}): a machine one holds is never free to the other, in threads and in two processes,
 * because its claim word is in the Cobbler comment ({@link CobblerClaims}). Each test has its own
 * owner, so its pool is its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetalOwnershipIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RIVAL =
      "0000000000000000"; // lower than any real id: it wins every tie
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

  /**
   * One registry: its own home and state folder, with a target on the test's Cobbler for {@code
   * owner}'s pool.
   */
  private MayflyCli registry(String name, String owner, String settle) throws Exception {
    Path dir = home.resolve(name);
    Files.createDirectories(dir.resolve("state"));
    return MetalLab.cli(cobbler, dir, owner, "    claim-settle: " + settle + "\n");
  }

  private static JsonNode json(MayflyCli.Result r) throws Exception {
    assertEquals(0, r.exit(), r::toString);
    return JSON.readTree(r.out());
  }

  private String comment(String system) throws Exception {
    return String.valueOf(cobbler.systemView(system).get("comment"));
  }

  private List<String> fenceOf(String prefix) throws Exception {
    return cobbler.fenceCalls().stream().filter(c -> c.startsWith(prefix)).toList();
  }

  /**
   * What each of two launches got: hosts or the error message, with the registry ids in launch
   * order.
   */
  private record Race(List<String> ids, List<List<String>> hosts, List<String> errors) {
    int winner() {
      assertEquals(
          1, errors.stream().filter(e -> e != null).count(), "exactly one launch loses: " + this);
      return errors.get(0) == null ? 0 : 1;
    }
  }

  /**
   * Checks the outcome of two registries racing for 2 machines each of a group of 3: one got 2, the
   * other was told only one is free, no machine was power-cycled but the winner's (each once), and
   * each of the winner's machines carries the winner's word only.
   */
  private int assertOneWinner(Race race, String prefix) throws Exception {
    int w = race.winner();
    String winnerId = race.ids().get(w);
    List<String> won = race.hosts().get(w);
    assertEquals(2, won.size(), race::toString);
    assertTrue(
        race.errors()
            .get(1 - w)
            .contains(
                "-n: asked for 2 machine(s) of group 'web' but 1 of its 3 are free"
                    + " (2 in use by another registry: "
                    + winnerId
                    + "); nothing was reserved"),
        race::toString);
    List<String> expected = new ArrayList<>();
    for (String m : won) {
      expected.addAll(List.of(m + " off", m + " on"));
      List<Claim> claims = Claim.parse(comment(m));
      assertEquals(
          List.of(winnerId),
          claims.stream().map(Claim::registryId).toList(),
          m + ": " + comment(m));
    }
    assertEquals(
        expected.stream().sorted().toList(),
        fenceOf(prefix).stream().sorted().toList(),
        "only the winner's machines were power-cycled, once each");
    return w;
  }

  @Test
  void twoRegistriesRacingInThreadsNeverShareAMachineAndTheLoserGetsThemAfterTerminate()
      throws Exception {
    cobbler.system("th-1", "10.214.10.2", "wipe", "w1", "rack 3 group=web", true);
    cobbler.system("th-2", "10.214.11.2", "wipe", "w1", "group=web", true);
    cobbler.system("th-3", "10.214.12.2", "wipe", "w1", "group=web  spare", true);
    List<MayflyCli> clis = List.of(registry("a", "w1", "1s"), registry("b", "w1", "1s"));
    List<Registry> registries =
        List.of(Registry.open(clis.get(0).stateDir()), Registry.open(clis.get(1).stateDir()));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Provider> providers = new ArrayList<>();
      List<Future<List<Host>>> launches = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Path state = clis.get(i).stateDir();
        Provider p = MetalLab.provider(state, Optional.of(registries.get(i)));
        providers.add(p);
        String id = "d" + i;
        launches.add(
            pool.submit(
                () -> {
                  start.await();
                  return p.launch(MetalLab.request(id, 2, "web", "centos8")).hosts();
                }));
      }
      start.countDown();
      List<List<String>> hosts = new ArrayList<>();
      List<String> errors = new ArrayList<>();
      for (Future<List<Host>> f : launches) {
        try {
          hosts.add(f.get(120, TimeUnit.SECONDS).stream().map(Host::id).toList());
          errors.add(null);
        } catch (ExecutionException e) {
          hosts.add(List.of());
          errors.add(e.getCause().getMessage());
        }
      }
      Race race = new Race(registries.stream().map(Registry::id).toList(), hosts, errors);
      int w = assertOneWinner(race, "th-");
      MayflyCli loser = clis.get(1 - w);
      String winnerId = race.ids().get(w);

      JsonNode instances = json(loser.run("metal", "instances", "--output", "json"));
      assertEquals(2, instances.size(), instances::toString);
      for (JsonNode i : instances) {
        assertEquals(
            "in use by registry " + winnerId, i.get("state").asText(), instances::toString);
        assertEquals("d" + w, i.get("deployment").asText());
      }
      JsonNode groups = json(loser.run("metal", "groups", "--output", "json"));
      assertEquals(1, groups.get(0).get("free").size(), groups::toString);
      assertEquals(2, groups.get(0).get("foreign").size(), groups::toString);
      groups.get(0).get("foreign").forEach(id -> assertEquals(winnerId, id.asText()));

      providers.get(w).terminate("d" + w, List.of());
      assertEquals(
          "rack 3 group=web", comment("th-1"), "terminate leaves the lab's words as they were");
      assertEquals("group=web", comment("th-2"));
      assertEquals("group=web  spare", comment("th-3"));

      List<Host> second =
          providers.get(1 - w).launch(MetalLab.request("again", 2, "web", "centos8")).hosts();
      assertEquals(2, second.size());
      JsonNode free = json(clis.get(w).run("metal", "groups", "--free", "--output", "json"));
      assertEquals(
          1, free.get(0).get("free").size(), "the first registry sees them in use now: " + free);
    } finally {
      pool.shutdownNow();
      registries.forEach(Registry::close);
    }
  }

  /**
   * One launch in its own JVM: {@code STATE DEPLOYMENT COUNT GO}; prints "ready", waits for GO,
   * launches.
   */
  public static final class Launch {
    public static void main(String[] args) throws Exception {
      Path state = Path.of(args[0]);
      Path go = Path.of(args[3]);
      try (Registry registry = Registry.open(state)) {
        Provider provider = MetalLab.provider(state, Optional.of(registry));
        System.out.println("ready " + registry.id());
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(go) && System.nanoTime() < end) {
          Thread.sleep(5);
        }
        try {
          List<Host> hosts =
              provider
                  .launch(MetalLab.request(args[1], Integer.parseInt(args[2]), "web", "centos8"))
                  .hosts();
          System.out.println("won " + String.join(",", hosts.stream().map(Host::id).toList()));
        } catch (MayflyException e) {
          System.out.println("lost " + e.getMessage());
        }
      }
      System.exit(0);
    }
  }

  @Test
  void twoRegistriesInTwoProcessesNeverShareAMachine() throws Exception {
    cobbler.system("pc-1", "10.214.20.2", "wipe", "w2", "group=web", true);
    cobbler.system("pc-2", "10.214.21.2", "wipe", "w2", "group=web", true);
    cobbler.system("pc-3", "10.214.22.2", "wipe", "w2", "group=web", true);
    List<MayflyCli> clis = List.of(registry("pa", "w2", "1s"), registry("pb", "w2", "1s"));
    Path go = home.resolve("go");
    List<Process> processes = new ArrayList<>();
    List<Path> logs = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        Path log = home.resolve("launch-" + i + ".log");
        logs.add(log);
        ProcessBuilder pb =
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    Launch.class.getName(),
                    clis.get(i).stateDir().toString(),
                    "p" + i,
                    "2",
                    go.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = new HashMap<>(MetalLab.env(clis.get(i).stateDir()));
        env.put("PATH", System.getenv("PATH"));
        pb.environment().clear();
        pb.environment().putAll(env);
        processes.add(pb.start());
      }
      long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (!logs.stream().allMatch(l -> read(l).contains("ready"))) {
        assertTrue(
            System.nanoTime() < end,
            () -> "launch processes not ready: " + logs.stream().map(this::read).toList());
        Thread.sleep(50);
      }
      Files.writeString(go, "go\n");
      for (Process p : processes) {
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "a launch process hung");
      }
      List<String> ids = new ArrayList<>();
      List<List<String>> hosts = new ArrayList<>();
      List<String> errors = new ArrayList<>();
      for (Path log : logs) {
        String out = read(log);
        ids.add(out.replaceFirst("(?s).*ready (\\S+).*", "$1"));
        String won = out.replaceFirst("(?s).*\nwon (\\S+).*", "$1");
        hosts.add(out.contains("\nwon ") ? List.of(won.split(",")) : List.of());
        errors.add(
            out.contains("\nlost ") ? out.substring(out.indexOf("\nlost ") + 6).strip() : null);
        assertTrue(out.contains("\nwon ") || out.contains("\nlost "), out);
      }
      int w = assertOneWinner(new Race(ids, hosts, errors), "pc-");
      JsonNode held = json(clis.get(w).run("metal", "instances", "--output", "json"));
      assertEquals(List.of("running", "running"), held.findValuesAsText("state"), held::toString);
      JsonNode seen = json(clis.get(1 - w).run("metal", "instances", "--output", "json"));
      assertEquals(
          List.of("in use by registry " + ids.get(w), "in use by registry " + ids.get(w)),
          seen.findValuesAsText("state"),
          seen::toString);
    } finally {
      processes.forEach(Process::destroyForcibly);
    }
  }

  private String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aMachineAnotherRegistryHoldsIsNeverProvisionedOrRebootedAndTerminateClearsOnlyItsOwnWord()
      throws Exception {
    String theirs = "group=web mayfly:registry=" + RIVAL + ":theirs:1700000000";
    cobbler.system("fx-1", "10.214.30.2", "wipe", "w3", theirs, true);
    cobbler.system("fx-2", "10.214.31.2", "wipe", "w3", "group=web rack=3", true);
    MayflyCli mayfly = registry("c", "w3", "500ms");
    Map<String, Object> before = cobbler.systemView("fx-1");

    MayflyCli.Result two =
        mayfly.run(
            "launch",
            "qa-results",
            "--target",
            "lab",
            "-n",
            "2",
            "--group",
            "web",
            "--profile",
            "centos8");
    assertEquals(2, two.exit(), two::toString);
    assertTrue(
        two.err()
            .contains(
                "-n: asked for 2 machine(s) of group 'web' but 1 of its 2 are free (1 in use by"
                    + " another registry: "
                    + RIVAL
                    + "); nothing was reserved"),
        two::toString);

    MayflyCli.Result reboot = mayfly.run("metal", "reboot", "fx-1");
    assertEquals(3, reboot.exit(), reboot::toString);
    assertEquals(
        "mayfly: system 'fx-1' is in use by registry "
            + RIVAL
            + " (deployment 'theirs'): mayfly will not"
            + " reboot it",
        reboot.err().strip());

    JsonNode instances = json(mayfly.run("metal", "instances", "--output", "json"));
    assertEquals(1, instances.size(), instances::toString);
    assertEquals("fx-1", instances.get(0).get("system").asText());
    assertEquals("in use by registry " + RIVAL, instances.get(0).get("state").asText());
    assertEquals("theirs", instances.get(0).get("deployment").asText());
    assertEquals("2023-11-14T22:13:20Z", instances.get(0).get("reservedAt").asText());
    JsonNode groups = json(mayfly.run("metal", "groups", "--free", "--output", "json"));
    assertEquals(List.of("fx-2"), JSON.convertValue(groups.get(0).get("free"), List.class));
    assertEquals(Map.of("fx-1", RIVAL), JSON.convertValue(groups.get(0).get("foreign"), Map.class));

    try (Registry registry = Registry.open(mayfly.stateDir())) {
      Provider provider = MetalLab.provider(mayfly.stateDir(), Optional.of(registry));
      List<Host> hosts = provider.launch(MetalLab.request("mine", 1, "web", "centos8")).hosts();
      assertEquals(List.of("fx-2"), hosts.stream().map(Host::id).toList());
      assertEquals(
          "group=web rack=3 mayfly:registry=" + registry.id() + ":mine:",
          comment("fx-2").replaceFirst("[0-9]+$", ""));
      provider.terminate("mine", hosts);
      assertEquals("group=web rack=3", comment("fx-2"));
    }

    assertEquals(List.of(), fenceOf("fx-1"), "the other registry's machine was never power-cycled");
    Map<String, Object> after = cobbler.systemView("fx-1");
    for (String field : List.of("comment", "profile", "netboot_enabled")) {
      assertEquals(before.get(field), after.get(field), field);
    }
    assertEquals(theirs, comment("fx-1"));
  }

  @Test
  void aRivalWhoseWriteErasedTheClaimWhileItSettledKeepsTheMachine() throws Exception {
    cobbler.system("rv-1", "10.214.40.2", "wipe", "w4", "group=web", true);
    MayflyCli mayfly = registry("d", "w4", "3s");
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Registry registry = Registry.open(mayfly.stateDir())) {
      Provider provider = MetalLab.provider(mayfly.stateDir(), Optional.of(registry));
      Future<List<Host>> launch =
          pool.submit(() -> provider.launch(MetalLab.request("late", 1, "web", "centos8")).hosts());
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!comment("rv-1").contains("mayfly:registry=" + registry.id() + ":late:")) {
        assertTrue(System.nanoTime() < end, "the launch never wrote its claim");
        Thread.sleep(20);
      }
      // a registry that read the comment before our word was there writes the whole field back with
      // its own
      String theirs = "group=web mayfly:registry=" + RIVAL + ":theirs:1700000000";
      cobbler.comment("rv-1", theirs);

      ExecutionException lost =
          assertThrows(ExecutionException.class, () -> launch.get(60, TimeUnit.SECONDS));
      assertTrue(
          lost.getCause()
              .getMessage()
              .contains(
                  "asked for 1 machine(s) of group 'web' but 0 of its 1 are free"
                      + " (1 in use by another registry: "
                      + RIVAL
                      + ")"),
          lost.getCause()::toString);
      assertEquals(List.of(), fenceOf("rv-1"), "no power-cycle on a claim that did not hold");
      assertEquals("wipe", cobbler.systemView("rv-1").get("profile"), "nor a profile change");
      assertEquals(theirs, comment("rv-1"), "the rival's word is left alone");
      assertEquals(List.of(), provider.describe("late"), "and the reservation was given up");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aMetalLaunchWithoutARegistryIsRefusedBeforeCobblerIsTouched() throws Exception {
    cobbler.system("nr-1", "10.214.50.2", "wipe", "w5", "group=web", true);
    MayflyCli mayfly = registry("e", "w5", "500ms");
    Provider provider = MetalLab.provider(mayfly.stateDir(), Optional.empty());
    MayflyException e =
        assertThrows(
            MayflyException.class,
            () -> provider.launch(MetalLab.request("orphan", 1, "web", "centos8")));
    assertEquals(MayflyException.Exit.INTERNAL, e.exit());
    assertEquals(
        "target 'lab': metaleuca needs mayfly's registry: its reservations live there and its id marks the"
            + " machines a launch takes in Cobbler",
        e.getMessage());
    assertEquals("group=web", comment("nr-1"));
    assertFalse(cobbler.fenceCalls().stream().anyMatch(c -> c.startsWith("nr-1")));
  }
}
