package dev.mayfly.faults;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.SshdHosts;
import dev.mayfly.testing.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault matrix of issue 9: {@code mayfly launch} runs as a process of its own and is killed
 * with SIGKILL in the middle of a named step, on the local sandbox and on real sshd hosts. Then
 * {@code list} must still say {@code launching}, and {@code reap --stale-launch 0s} must leave no
 * process, no host root and a {@code terminated} deployment. The suite prints {@code fault |
 * provider | left behind | lost} (left behind: what is still there after reap; lost: host roots the
 * registry has no row for).
 */
class FaultMatrixIT {
  private static final Path PROJECT = Path.of("").toAbsolutePath();
  private static final FaultCells.Table TABLE =
      new FaultCells.Table(
          "fault matrix (SIGKILL of `mayfly launch`, then `mayfly reap --stale-launch 0s`)",
          26,
          36);
  private static Path shared;
  private static Path templates;
  private static SshdHosts sshd;

  @TempDir Path home;
  private String deploymentId;

  /**
   * Where mayfly is when it dies: the template that holds it there and the step whose end it waits
   * for.
   */
  enum Fault {
    HOSTS("after hosts exist", "plain", "connect", false),
    BOOTSTRAP("during bootstrap", "plain", "prepare", false),
    INSTALLER("during the installer", "install", "configure", true),
    PUBLISH("during publish", "publish", "install", true),
    HEALTH("during the health check", "health", "start", false);

    final String label;
    final String template;
    final Pattern killAfter;

    /**
     * Kill only once the step's command runs on the host (its {@code sleep}), not while mayfly
     * uploads for it.
     */
    final boolean awaitCommand;

    Fault(String label, String template, String previousStep, boolean awaitCommand) {
      this.label = label;
      this.template = template;
      this.killAfter = Pattern.compile("(?m)^\\S+\\s+" + previousStep + "\\s+done\\b");
      this.awaitCommand = awaitCommand;
    }
  }

  /** Cells a known bug fails: the tests below, disabled with the bug. */
  private static final Set<List<Object>> KNOWN_BUGS =
      Set.of(List.of(Fault.INSTALLER, "ssh"), List.of(Fault.PUBLISH, "ssh"));

  static Stream<Arguments> cells() {
    List<Arguments> cells = new ArrayList<>();
    for (String provider : List.of("local", "ssh")) {
      for (Fault fault : Fault.values()) {
        if (!KNOWN_BUGS.contains(List.of(fault, provider))) {
          cells.add(Arguments.of(fault, provider));
        }
      }
    }
    return cells.stream();
  }

  @BeforeAll
  static void setUp() throws IOException {
    shared = Files.createTempDirectory("mayfly-faults-");
    templates = FaultTemplates.write(shared);
    sshd = SshdHosts.start(shared.resolve("hosts"), 1, 0);
  }

  @AfterAll
  static void tearDown() {
    TABLE.print();
    if (sshd != null) {
      sshd.close();
    }
    Trees.delete(shared);
  }

  @AfterEach
  void leaveNothingRunning() {
    FaultCells.leaveNothingRunning(deploymentId, sshd);
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("cells")
  void reapLeavesNothingAfterLaunchIsKilled(Fault fault, String provider) throws Exception {
    killReapAndCount(fault, provider);
  }

  @ParameterizedTest(name = "{0} on ssh")
  @EnumSource(names = {"INSTALLER", "PUBLISH"})
  void killedDuringAStepCommandOnSshLeavesNoProcessAfterReap(Fault fault) throws Exception {
    killReapAndCount(fault, "ssh");
  }

  private void killReapAndCount(Fault fault, String provider) throws Exception {
    deploymentId = FaultCells.deploymentId(fault, provider);
    MayflyCli mayfly = new MayflyCli(home, home);
    List<String> args =
        new ArrayList<>(
            List.of(
                "launch",
                "--file",
                templates.resolve("fm-" + fault.template + ".yaml").toString(),
                "--name",
                deploymentId,
                "--target",
                provider,
                "--expires",
                "2h"));
    if (provider.equals("ssh")) {
      args.addAll(List.of("--identity", sshd.userKey().toString(), "--host", sshd.host(0).login()));
    }
    try (LaunchProcess launch =
        LaunchProcess.start(env(), home, home.resolve("launch.log"), "dev.mayfly.cli.Main", args)) {
      launch.awaitLine(fault.killAfter, Duration.ofSeconds(90));
      if (fault.awaitCommand) {
        FaultCells.awaitStepCommand(launch, deploymentId);
      }
      launch.kill9();
    }

    String stateAfterKill = FaultCells.state(mayfly, deploymentId);
    List<Path> roots = roots(provider);
    int lost = lost(mayfly, roots);
    String statusAfterKill = mayfly.run("status", deploymentId, "--output", "json").out();

    MayflyCli.Result reap = mayfly.run("reap", "--stale-launch", "0s");
    List<Long> processes = FaultCells.awaitNoProcesses(deploymentId, Duration.ofSeconds(3));
    List<Path> rootsLeft = roots(provider).stream().filter(Files::exists).toList();
    String stateAfterReap = FaultCells.state(mayfly, deploymentId);

    String leftBehind =
        FaultCells.leftBehind(
            new FaultCells.Left(processes.size(), "process(es)"),
            new FaultCells.Left(rootsLeft.size(), "root(s)"));
    TABLE.add(fault.label, provider, leftBehind, lost);
    assertAll(
        () -> assertEquals("launching", stateAfterKill, "list after the kill"),
        () -> assertEquals(0, reap.exit(), reap::toString),
        () ->
            assertEquals(
                List.of(), processes, () -> "processes left:\n" + Leftovers.describe(processes)),
        () -> assertEquals(List.of(), rootsLeft, "host roots left"),
        () ->
            assertEquals("terminated", stateAfterReap, () -> "list after reap; reap said " + reap),
        () ->
            assertEquals(
                0,
                lost,
                () -> "resources without a registry row: " + roots + "\n" + statusAfterKill));
  }

  private Map<String, String> env() {
    return Map.of(
        "HOME",
        home.toString(),
        "MAYFLY_HOME",
        home.resolve("state").toString(),
        "PATH",
        System.getenv("PATH"),
        "TERM",
        "dumb");
  }

  /**
   * Each host's root, where the host is there (a sandbox folder, a server): it need not exist yet.
   */
  private List<Path> roots(String provider) {
    if (provider.equals("ssh")) {
      return List.of(sshd.host(0).home().resolve(".mayfly").resolve(deploymentId));
    }
    Path sandboxes = home.resolve("state/sandboxes").resolve(deploymentId);
    if (!Files.isDirectory(sandboxes)) {
      return List.of();
    }
    try (Stream<Path> hosts = Files.list(sandboxes)) {
      return hosts.map(h -> h.resolve("root")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Roots that exist on a host but that the registry does not name: no deployment row, or no host
   * row with that root. A sandbox or instance without a root yet is not lost: its folder name or
   * tags name the deployment, and the reaper finds it by them.
   */
  private int lost(MayflyCli mayfly, List<Path> roots) throws IOException {
    Set<String> recorded = FaultCells.recordedRoots(mayfly, deploymentId);
    int lost = 0;
    for (Path root : roots) {
      if (Files.exists(root)
          && !recorded.contains(root.toString())
          && !recordedOnHost(recorded, root)) {
        lost++;
      }
    }
    return lost;
  }

  /**
   * An ssh host's root is recorded as the host sees it: its home, not the harness's folder for it.
   */
  private boolean recordedOnHost(Set<String> recorded, Path root) {
    Path home = sshd.host(0).home();
    return root.startsWith(home)
        && recorded.contains(
            Path.of(System.getProperty("user.home")).resolve(home.relativize(root)).toString());
  }
}
