package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.HostState;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A launch against the fake provider: partial failure is data, one host never hides the others. */
class LauncherTest {
  @TempDir Path dir;
  private DeployHome home;

  @BeforeEach
  void open() {
    home = new DeployHome(dir);
  }

  @AfterEach
  void close() {
    home.close();
  }

  private Map<String, HostOutcome> byHost(LaunchResult result) {
    return result.hosts().stream().collect(Collectors.toMap(HostOutcome::hostId, Function.identity()));
  }

  private Map<String, HostState> hostStates() {
    return home.registry.hosts("demo-1").stream().collect(Collectors.toMap(HostRow::hostId, HostRow::state));
  }

  @Test
  void everyHostHealthyMakesTheDeploymentRunning() {
    LaunchResult result = home.launch(2);
    assertEquals(DeploymentState.RUNNING, result.state());
    assertTrue(result.ok());
    assertNotNull(result.url());
    assertEquals(Map.of("host-1", HostState.HEALTHY, "host-2", HostState.HEALTHY), hostStates());
    String commit = home.registry.find("demo-1").orElseThrow().dataCommit().orElseThrow();
    assertEquals(List.of(commit), home.provider.host("host-1").releases);
    assertEquals(List.of("prepare", "fetch-service", "install", "publish-data"), home.provider.host("host-2").steps);
  }

  @Test
  void oneFailingHostFailsTheDeploymentButNotTheOthers() {
    home.provider.failStep("host-2", "install");
    LaunchResult result = home.launch(3);

    assertEquals(DeploymentState.FAILED, result.state());
    assertEquals(DeploymentState.FAILED, home.registry.find("demo-1").orElseThrow().state());
    Map<String, HostOutcome> outcomes = byHost(result);
    assertTrue(outcomes.get("host-1").healthy());
    assertTrue(outcomes.get("host-3").healthy());
    HostOutcome failed = outcomes.get("host-2");
    assertEquals("install", failed.failedStep());
    assertEquals("exit 1", failed.message());
    assertTrue(failed.logTail().contains("boom: install failed on host-2"), failed.logTail());
    assertEquals(Map.of("host-1", HostState.HEALTHY, "host-2", HostState.FAILED, "host-3", HostState.HEALTHY),
        hostStates());
    assertFalse(home.provider.host("host-2").steps.contains("publish-data"), "a failed host stops at its step");
    assertEquals(outcomes.get("host-1").url(), result.url(), "the first healthy host's URL");
    assertTrue(events().contains("host-2 failed install: exit 1"), events().toString());
    assertTrue(events().contains("- failed 2 of 3 host(s) healthy"), events().toString());
  }

  @Test
  void aHostTheProviderReportsFailedIsAnOutcomeNotAnException() {
    home.provider.failAtLaunch("host-3", "no capacity in zone a");
    LaunchResult result = home.launch(3);

    assertEquals(DeploymentState.FAILED, result.state());
    HostOutcome provision = byHost(result).get("host-3");
    assertEquals("provision", provision.failedStep());
    assertEquals("no capacity in zone a", provision.message());
    assertTrue(byHost(result).get("host-1").healthy());
    assertTrue(byHost(result).get("host-2").healthy());
    assertTrue(events().contains("host-3 failed provision: no capacity in zone a"), events().toString());
  }

  @Test
  void parallelBoundsHowManyHostsBootstrapAtOnce() {
    home.deployments.launch(DeployHome.options(home.template, "2d", 4, 1), Progress.SILENT);
    assertEquals(1, home.provider.mostOpenAtOnce());
  }

  @Test
  void theRowIsRecordedBeforeTheProviderIsAsked() {
    home.provider.failAtLaunch("host-1", "quota");
    LaunchResult result = home.launch(1);
    assertEquals(DeploymentState.FAILED, result.state());
    assertEquals("launched", home.registry.events("demo-1").get(0).kind());
    assertEquals("demo-1", home.provider.launches.get(0).deploymentId());
  }

  private List<String> events() {
    return home.registry.events("demo-1").stream()
        .map(e -> e.hostId().orElse("-") + " " + e.kind() + " " + e.detail())
        .toList();
  }
}
