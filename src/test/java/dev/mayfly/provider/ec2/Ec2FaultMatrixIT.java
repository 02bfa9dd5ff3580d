package dev.mayfly.provider.ec2;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mayfly.deploy.Deployments;
import dev.mayfly.deploy.Reaper;
import dev.mayfly.faults.FaultCells;
import dev.mayfly.faults.FaultTemplates;
import dev.mayfly.faults.LaunchProcess;
import dev.mayfly.faults.Leftovers;
import dev.mayfly.provider.Providers;
import dev.mayfly.store.Registry;
import dev.mayfly.target.Targets;
import dev.mayfly.template.TemplateCatalog;
import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.SshdHosts;
import dev.mayfly.testing.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * The fault matrix on the ec2 target: moto plays EC2 and its instance is reached at a real sshd
 * host, as in {@code Ec2PipelineIT}. The launch runs in a process of its own ({@link
 * Ec2FaultLaunch}) and is killed with SIGKILL at a named step, the first while moto has run the
 * instance but its answer is held back by a {@link FaultProxy}. Then the registry says {@code
 * launching}, and a reap (the same {@link Reaper} as {@code mayfly reap --stale-launch 0s}, wired
 * to the sshd host) leaves no running instance, no process, no root and a {@code terminated}
 * deployment.
 */
class Ec2FaultMatrixIT {
  private static final FaultCells.Table TABLE =
      new FaultCells.Table(
          "fault matrix on ec2 (moto + sshd; SIGKILL of the launch, then reap --stale-launch 0s)",
          30,
          46);
  @RegisterExtension static final MotoWorld world = new MotoWorld();
  private static Path shared;
  private static Path templates;
  private static SshdHosts sshd;

  @TempDir Path home;
  private String deploymentId;

  enum Fault {
    CLOUD_CALL("before the cloud call returns", "plain", null, false),
    HOSTS("after hosts exist", "plain", "connect", false),
    INSTALLER("during the installer", "install", "configure", true),
    HEALTH("during the health check", "health", "start", false);

    final String label;
    final String template;
    final Pattern killAfter;
    final boolean awaitCommand;

    Fault(String label, String template, String previousStep, boolean awaitCommand) {
      this.label = label;
      this.template = template;
      this.killAfter =
          previousStep == null ? null : Pattern.compile("(?m)^\\S+ " + previousStep + " done$");
      this.awaitCommand = awaitCommand;
    }
  }

  @BeforeAll
  static void setUp() throws IOException {
    shared = Files.createTempDirectory("mayfly-ec2-faults-");
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

  @ParameterizedTest(name = "{0} on ec2")
  @EnumSource(names = {"CLOUD_CALL", "HOSTS", "HEALTH"})
  void reapLeavesNothingAfterLaunchIsKilled(Fault fault) throws Exception {
    killReapAndCount(fault);
  }

  @Test
  void killedDuringTheInstallerLeavesNoProcessAfterReap() throws Exception {
    killReapAndCount(Fault.INSTALLER);
  }

  private void killReapAndCount(Fault fault) throws Exception {
    deploymentId = FaultCells.deploymentId(fault, "ec2");
    try (FaultProxy proxy = new FaultProxy(world.moto.endpoint())) {
      proxy.hold("RunInstances");
      writeTarget(fault == Fault.CLOUD_CALL ? proxy.endpoint() : world.moto.endpoint());
      Path state = home.resolve("state");
      SshdHosts.Host host = sshd.host(0);
      try (LaunchProcess launch =
          LaunchProcess.start(
              Map.of("HOME", home.toString(), "PATH", System.getenv("PATH")),
              home,
              home.resolve("launch.log"),
              Ec2FaultLaunch.class.getName(),
              List.of(
                  home.toString(),
                  state.toString(),
                  templates.resolve("fm-" + fault.template + ".yaml").toString(),
                  deploymentId,
                  host.address(),
                  sshd.userKey().toString()))) {
        if (fault.killAfter == null) {
          awaitInstance(launch);
        } else {
          launch.awaitLine(fault.killAfter, Duration.ofSeconds(90));
        }
        if (fault.awaitCommand) {
          FaultCells.awaitStepCommand(launch, deploymentId);
        }
        launch.kill9();
      }

      MayflyCli mayfly = new MayflyCli(home, home);
      String stateAfterKill = FaultCells.state(mayfly, deploymentId);
      Path root = host.home().resolve(".mayfly").resolve(deploymentId);
      int lost =
          world.live(deploymentId).size() > 0 && stateAfterKill.equals("(not listed)") ? 1 : 0;

      List<Reaper.Finding> findings = reap(state, host.address());
      List<Instance> running = world.live(deploymentId);
      List<Long> processes = Leftovers.processes(deploymentId);
      boolean rootLeft = Files.exists(root);
      String stateAfterReap = FaultCells.state(mayfly, deploymentId);

      TABLE.add(
          fault.label,
          "ec2",
          FaultCells.leftBehind(
              new FaultCells.Left(running.size(), "instance(s)"),
              new FaultCells.Left(processes.size(), "process(es)"),
              new FaultCells.Left(rootLeft ? 1 : 0, "root(s)")),
          lost);
      assertAll(
          () -> assertEquals("launching", stateAfterKill, "list after the kill"),
          () ->
              assertEquals(
                  List.of(),
                  findings.stream().filter(f -> f.error() != null).toList(),
                  "reap errors"),
          () ->
              assertEquals(
                  List.of(),
                  running.stream().map(Instance::instanceId).toList(),
                  "instances running"),
          () ->
              assertEquals(
                  List.of(), processes, () -> "processes left:\n" + Leftovers.describe(processes)),
          () -> assertEquals(false, rootLeft, "host root left: " + root),
          () ->
              assertEquals("terminated", stateAfterReap, () -> "after reap; findings " + findings),
          () -> assertEquals(0, lost, "instances the registry has no deployment for"));
    }
  }

  private void writeTarget(String endpoint) throws IOException {
    MotoWorld.writeCloudTarget(
        home,
        endpoint,
        "ssh-user: " + System.getProperty("user.name"),
        "poll: 100ms",
        "ssh-timeout: 30s",
        "terminate-timeout: 20s");
  }

  /** What {@code mayfly reap --stale-launch 0s} does, with instances reached at the sshd host. */
  private List<Reaper.Finding> reap(Path state, String address) {
    Map<String, String> env = Map.of("HOME", home.toString());
    Providers providers =
        Providers.installed().with(new Ec2ProviderFactory(Ec2FaultLaunch.toSshd(address)));
    try (Registry registry = Registry.open(state)) {
      Deployments deployments =
          new Deployments(
              state,
              registry,
              new TemplateCatalog(List.of()),
              providers,
              Targets.load(env, null, providers::settingNames),
              Clock.systemUTC(),
              env);
      return new Reaper(deployments, registry, providers, Clock.systemUTC())
          .reap(null, true, Duration.ZERO, Duration.ZERO, Set.of());
    }
  }

  /** Waits until moto has made the instance, whose answer the proxy holds back. */
  private void awaitInstance(LaunchProcess launch) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (world.instances(deploymentId).isEmpty()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("no RunInstances within 90s:\n" + launch.output());
      }
      Thread.sleep(50);
    }
  }
}
