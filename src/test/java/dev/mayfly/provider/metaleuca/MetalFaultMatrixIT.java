package dev.mayfly.provider.metaleuca;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.faults.FaultCells;
import dev.mayfly.faults.FaultTemplates;
import dev.mayfly.faults.LaunchProcess;
import dev.mayfly.faults.Leftovers;
import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.SshdHosts;
import dev.mayfly.testing.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fault matrix on the metaleuca target: a real cobblerd ({@link RealCobbler}) whose machines
 * have the address of a real sshd host, as in {@code MetalLaunchIT}. {@code mayfly launch} runs as
 * a process of its own and is killed with SIGKILL at a named step, the first while the machine is
 * reserved, claimed in Cobbler and power-cycled but still installing. Then {@code list} says {@code
 * launching}, and {@code mayfly reap --stale-launch 0s} leaves no reservation, no claim word in
 * Cobbler, no process, no root, the machine free in {@code metal groups --free} and a {@code
 * terminated} deployment. One cobblerd and two sshd hosts serve every cell: {@code fc-1} (group
 * claim, never finishes installing) and {@code fm-1} (group faults).
 */
class MetalFaultMatrixIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final FaultCells.Table TABLE =
      new FaultCells.Table(
          "fault matrix on metaleuca (cobblerd + sshd; SIGKILL of `mayfly launch`, then"
              + " `mayfly reap --stale-launch 0s`)",
          40,
          50);

  /** The lab's own words in each machine's comment: after reap, exactly these are left. */
  private static final Map<String, String> COMMENTS =
      Map.of("fc-1", "group=claim", "fm-1", "group=faults");

  private static Path shared;
  private static Path templates;
  private static SshdHosts sshd;
  private static RealCobbler cobbler;

  @TempDir Path home;
  private String deploymentId;
  private MayflyCli mayfly;

  /**
   * Where mayfly is when it dies: the template, the machine's group and the step whose end it waits
   * for.
   */
  enum Fault {
    CLAIM("after the reservation and Cobbler claim", "plain", "claim", null, false),
    HOSTS("after hosts exist", "plain", "faults", "connect", false),
    BOOTSTRAP("during bootstrap", "plain", "faults", "prepare", false),
    INSTALLER("during the installer", "install", "faults", "configure", true),
    HEALTH("during the health check", "health", "faults", "start", false);

    final String label;
    final String template;
    final String group;
    final Pattern killAfter;

    /**
     * Kill only once the step's command runs on the host (its {@code sleep}), not while mayfly
     * uploads for it.
     */
    final boolean awaitCommand;

    Fault(String label, String template, String group, String previousStep, boolean awaitCommand) {
      this.label = label;
      this.template = template;
      this.group = group;
      this.killAfter =
          previousStep == null
              ? null
              : Pattern.compile("(?m)^\\S+\\s+" + previousStep + "\\s+done\\b");
      this.awaitCommand = awaitCommand;
    }

    String machine() {
      return group.equals("claim") ? "fc-1" : "fm-1";
    }

    /**
     * The sshd host the machine's ip_address is: Cobbler wants one address (and MAC) per system.
     */
    SshdHosts.Host host() {
      return sshd.host(group.equals("claim") ? 1 : 0);
    }
  }

  @BeforeAll
  static void setUp() throws Exception {
    shared = Files.createTempDirectory("mayfly-metal-faults-");
    templates = FaultTemplates.write(shared);
    sshd = SshdHosts.start(shared.resolve("hosts"), 2, 0);
    cobbler = RealCobbler.start(shared.resolve("cobbler"));
    cobbler.distro("el8");
    cobbler.profile("centos8", "el8");
    cobbler.profile("wipe", "el8");
    // on another profile, a launch reinstalls them; on fc-1 it stays between the power-cycle and
    // the install's end
    for (Fault fault : List.of(Fault.CLAIM, Fault.HOSTS)) {
      cobbler.system(
          fault.machine(),
          fault.host().address(),
          "wipe",
          "qa",
          COMMENTS.get(fault.machine()),
          true);
    }
    cobbler.pauseAutoInstall("fc-1");
    cobbler.autoInstall();
  }

  @AfterAll
  static void tearDown() throws Exception {
    TABLE.print();
    if (cobbler != null) {
      cobbler.close();
    }
    if (sshd != null) {
      sshd.close();
    }
    Trees.delete(shared);
  }

  @AfterEach
  void leaveNothingRunning() {
    if (mayfly != null) {
      mayfly.run(
          "terminate",
          deploymentId); // a cell that failed before its kill must not hold the next one's machine
    }
    FaultCells.leaveNothingRunning(deploymentId, sshd);
  }

  @ParameterizedTest(name = "{0} on metaleuca")
  @EnumSource(Fault.class)
  void reapLeavesNothingAfterLaunchIsKilled(Fault fault) throws Exception {
    deploymentId = FaultCells.deploymentId(fault, "metal");
    Path targets = writeTarget();
    mayfly =
        new MayflyCli(home, home)
            .env("MAYFLY_TARGETS", targets.toString())
            .env("COBBLER_PASSWORD", RealCobbler.PASSWORD);
    List<String> args =
        List.of(
            "launch",
            "--file",
            templates.resolve("fm-" + fault.template + ".yaml").toString(),
            "--name",
            deploymentId,
            "--target",
            "lab",
            "--expires",
            "2h",
            "--group",
            fault.group,
            "--profile",
            "centos8",
            "--identity",
            sshd.userKey().toString());
    int fenceBefore = cobbler.fenceCalls().size();
    try (LaunchProcess launch =
        LaunchProcess.start(
            env(targets), home, home.resolve("launch.log"), "dev.mayfly.cli.Main", args)) {
      if (fault.killAfter == null) {
        awaitPowerOn(launch, fault.machine(), fenceBefore);
      } else {
        launch.awaitLine(fault.killAfter, Duration.ofSeconds(90));
      }
      if (fault.awaitCommand) {
        FaultCells.awaitStepCommand(launch, deploymentId);
      }
      launch.kill9();
    }

    String stateAfterKill = FaultCells.state(mayfly, deploymentId);
    List<String> reservedAfterKill = reservedMachines();
    List<String> claimedAfterKill = claimedMachines();
    SshdHosts.Host host = fault.host();
    Path root = host.home().resolve(".mayfly").resolve(deploymentId);
    int lost = lost(fault.machine(), host, root);

    MayflyCli.Result reap = mayfly.run("reap", "--stale-launch", "0s");
    List<Long> processes = FaultCells.awaitNoProcesses(deploymentId, Duration.ofSeconds(3));
    boolean rootLeft = Files.exists(root);
    List<String> reserved = reservedMachines();
    List<String> claimed = claimedMachines();
    List<String> free = freeMachines(fault.group);
    String stateAfterReap = FaultCells.state(mayfly, deploymentId);

    Set<String> held = new TreeSet<>(reserved);
    claimed.forEach(c -> held.add(c.substring(0, c.indexOf(':'))));
    if (!free.contains(fault.machine())) {
      held.add(fault.machine());
    }
    String leftBehind =
        FaultCells.leftBehind(
            new FaultCells.Left(held.size(), "machine(s) held"),
            new FaultCells.Left(processes.size(), "process(es)"),
            new FaultCells.Left(rootLeft ? 1 : 0, "root(s)"));
    TABLE.add(fault.label, "metaleuca", leftBehind, lost);
    assertAll(
        () -> assertEquals("launching", stateAfterKill, "list after the kill"),
        () -> assertEquals(List.of(fault.machine()), reservedAfterKill, "reserved when killed"),
        () ->
            assertEquals(
                1, claimedAfterKill.size(), () -> "claimed when killed: " + claimedAfterKill),
        () -> assertEquals(0, reap.exit(), reap::toString),
        () -> assertEquals(List.of(), reserved, "reservations left in the registry"),
        () -> assertEquals(List.of(), claimed, "machines whose Cobbler comment keeps a claim word"),
        () -> assertEquals(List.of(fault.machine()), free, "free machines of group " + fault.group),
        () ->
            assertEquals(
                List.of(), processes, () -> "processes left:\n" + Leftovers.describe(processes)),
        () -> assertEquals(false, rootLeft, "host root left: " + root),
        () ->
            assertEquals("terminated", stateAfterReap, () -> "list after reap; reap said " + reap),
        () -> assertEquals(0, lost, "machines or roots the registry has no row for"));
  }

  private Path writeTarget() throws IOException {
    Path targets = home.resolve("targets.yaml");
    Files.writeString(
        targets,
        "targets:\n  lab:\n    provider: metaleuca\n    url: "
            + cobbler.url()
            + "\n    user: "
            + RealCobbler.USER
            + "\n    owner: qa\n    ssh-user: "
            + System.getProperty("user.name")
            + "\n    install-timeout: 60s\n    poll: 200ms\n    claim-settle: 200ms\n");
    return targets;
  }

  private Map<String, String> env(Path targets) {
    return Map.of(
        "HOME",
        home.toString(),
        "MAYFLY_HOME",
        home.resolve("state").toString(),
        "MAYFLY_TARGETS",
        targets.toString(),
        "COBBLER_PASSWORD",
        RealCobbler.PASSWORD,
        "PATH",
        System.getenv("PATH"),
        "TERM",
        "dumb");
  }

  /** Machines the registry holds: its reservation rows, as {@code metal instances} shows them. */
  private List<String> reservedMachines() throws IOException {
    MayflyCli.Result instances = mayfly.run("metal", "instances", "--output", "json");
    assertEquals(0, instances.exit(), instances::toString);
    return JSON.readTree(instances.out()).findValuesAsText("system");
  }

  /**
   * Machines whose Cobbler comment is not the lab's own words any more (a claim word left in it).
   */
  private List<String> claimedMachines() throws Exception {
    List<String> claimed = new ArrayList<>();
    for (Map.Entry<String, String> m : COMMENTS.entrySet()) {
      String comment = String.valueOf(cobbler.systemView(m.getKey()).get("comment"));
      if (comment.contains("mayfly:registry=") || !comment.equals(m.getValue())) {
        claimed.add(m.getKey() + ": " + comment);
      }
    }
    return claimed.stream().sorted().toList();
  }

  private List<String> freeMachines(String group) throws IOException {
    MayflyCli.Result groups = mayfly.run("metal", "groups", "--free", "--output", "json");
    assertEquals(0, groups.exit(), groups::toString);
    for (JsonNode g : JSON.readTree(groups.out())) {
      if (g.get("name").asText().equals(group)) {
        return JSON.convertValue(g.get("free"), List.class);
      }
    }
    return List.of();
  }

  /**
   * What the registry cannot name after the kill: a machine claimed for the deployment in Cobbler
   * without a reservation row, and a root on the host without a host row.
   */
  private int lost(String machine, SshdHosts.Host host, Path root) throws Exception {
    int lost = 0;
    String comment = String.valueOf(cobbler.systemView(machine).get("comment"));
    if (comment.contains(":" + deploymentId + ":") && !reservedMachines().contains(machine)) {
      lost++;
    }
    Set<String> recorded = FaultCells.recordedRoots(mayfly, deploymentId);
    // the host records its root as it sees it: its home, not the harness's folder for it
    Path asSeen = Path.of(System.getProperty("user.home")).resolve(host.home().relativize(root));
    if (Files.exists(root)
        && !recorded.contains(asSeen.toString())
        && !recorded.contains(root.toString())) {
      lost++;
    }
    return lost;
  }

  /**
   * Waits until the fence agent powered the machine on: reserved, claimed, provisioned, not yet
   * installed.
   */
  private void awaitPowerOn(LaunchProcess launch, String machine, int fenceBefore)
      throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (true) {
      List<String> calls = cobbler.fenceCalls();
      if (calls.subList(fenceBefore, calls.size()).contains(machine + " on")) {
        return;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError(
            "the launch never powered " + machine + " on:\n" + launch.output());
      }
      Thread.sleep(50);
    }
  }
}
