package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.HostState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A launch against the fake provider: partial failure is data, one host never hides the others, and
 * a launch that fails ends what it started unless asked to keep it.
 */
class LauncherTest extends DeployHomeTest {
  private Map<String, HostOutcome> byHost(LaunchResult result) {
    return result.hosts().stream()
        .collect(Collectors.toMap(HostOutcome::hostId, Function.identity()));
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
    // the data is fetched on a second channel while the installer runs, before publish-data
    List<String> steps = home.provider.host("host-2").steps;
    assertEquals(
        List.of("prepare", "fetch-service", "install", "publish-data"),
        steps.stream().filter(s -> !s.equals("fetch-data")).toList());
    assertTrue(steps.indexOf("fetch-data") > steps.indexOf("fetch-service"), steps::toString);
    assertTrue(steps.indexOf("fetch-data") < steps.indexOf("publish-data"), steps::toString);
  }

  private LaunchResult launch(int count, String onFailure, String keepFor) {
    LaunchOptions o = DeployHome.options(home.template, "2d", count, 4);
    return home.deployments.launch(
        new LaunchOptions(
            o.template(),
            o.file(),
            o.params(),
            o.expires(),
            o.name(),
            o.target(),
            o.count(),
            o.parallel(),
            o.hosts(),
            null,
            null,
            null,
            null,
            Map.of(),
            null,
            null,
            Map.of(),
            onFailure,
            keepFor),
        Progress.SILENT);
  }

  @Test
  void oneFailingHostFailsTheDeploymentButNotTheOthers() {
    home.provider.failStep("host-2", "install");
    LaunchResult result = launch(3, "keep", null); // kept, so the hosts' states show how each ended

    assertEquals(DeploymentState.FAILED, result.state());
    assertEquals(DeploymentState.FAILED, home.registry.find("demo-1").orElseThrow().state());
    Map<String, HostOutcome> outcomes = byHost(result);
    assertTrue(outcomes.get("host-1").healthy());
    assertTrue(outcomes.get("host-3").healthy());
    HostOutcome failed = outcomes.get("host-2");
    assertEquals("install", failed.failedStep());
    assertEquals("exit 1", failed.message());
    assertTrue(failed.logTail().contains("boom: install failed on host-2"), failed.logTail());
    assertEquals(
        Map.of(
            "host-1", HostState.HEALTHY, "host-2", HostState.FAILED, "host-3", HostState.HEALTHY),
        hostStates());
    assertFalse(
        home.provider.host("host-2").steps.contains("publish-data"),
        "a failed host stops at its step");
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
    assertTrue(
        events().contains("host-3 failed provision: no capacity in zone a"), events().toString());
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

  @Test
  void aFailedLaunchEndsEveryHostItStarted() {
    home.provider.failStep("host-2", "install");
    LaunchResult result = home.launch(3);

    assertEquals(DeploymentState.FAILED, result.state());
    assertTrue(
        byHost(result).get("host-2").logTail().contains("boom: install failed on host-2"),
        "the failing host's log tail is kept for the message");
    assertEquals(
        List.of("host-1", "host-2", "host-3"), home.provider.terminated.stream().sorted().toList());
    for (String host : List.of("host-1", "host-2", "host-3")) {
      assertTrue(home.provider.host(host).destroyed, host + " was cleaned before it was ended");
    }
    assertEquals(
        Map.of(
            "host-1",
            HostState.TERMINATED,
            "host-2",
            HostState.TERMINATED,
            "host-3",
            HostState.TERMINATED),
        hostStates());
    assertEquals(
        DeploymentState.FAILED,
        home.registry.find("demo-1").orElseThrow().state(),
        "it says it failed");
    assertTrue(
        result.cleanup().contains("every host of the failed launch ended"), result.cleanup());
    assertTrue(
        events().stream().anyMatch(e -> e.startsWith("- ended every host")), events().toString());
  }

  @Test
  void keptHostsOfAFailedLaunchGetAShortExpiry() {
    home.provider.failStep("host-1", "install");
    LaunchResult result = launch(2, "keep", null);

    Instant until = DeployHome.NOW.plus(Duration.ofHours(2));
    assertEquals(List.of(), home.provider.terminated);
    assertEquals(until, result.expiresAt());
    assertTrue(result.cleanup().contains("kept for debugging until " + until), result.cleanup());
    assertEquals(Optional.of(until), home.registry.find("demo-1").orElseThrow().expiresAt());
    assertEquals(until, home.provider.tags.get("host-1"), "the hosts' own expiry moved too");
    assertTrue(events().stream().anyMatch(e -> e.startsWith("- kept ")), events().toString());

    LaunchResult shorter = launchAnother("demo-2", "keep", "30m");
    assertEquals(DeployHome.NOW.plus(Duration.ofMinutes(30)), shorter.expiresAt());
  }

  @Test
  void anUnknownOnFailureIsBadInputBeforeAnythingExists() {
    MayflyException e = assertThrows(MayflyException.class, () -> launch(1, "debug", null));
    assertEquals(MayflyException.Exit.BAD_INPUT, e.exit());
    assertTrue(home.registry.find("demo-1").isEmpty());
    assertEquals(List.of(), home.provider.launches);
  }

  @Test
  void aLaunchThatFailsGettingHostsHasTheProviderEndWhatItMade() {
    home.provider.failLaunch("quota exceeded");
    assertThrows(MayflyException.class, () -> home.launch(2));
    assertEquals(
        1, home.provider.terminateCalls.get(), "ended by its tags, though no host was reported");
    assertEquals(DeploymentState.FAILED, home.registry.find("demo-1").orElseThrow().state());
  }

  private LaunchResult launchAnother(String name, String onFailure, String keepFor) {
    LaunchOptions o = DeployHome.options(home.template, "2d", 1, 4);
    return home.deployments.launch(
        new LaunchOptions(
            o.template(),
            o.file(),
            o.params(),
            o.expires(),
            name,
            o.target(),
            o.count(),
            o.parallel(),
            o.hosts(),
            null,
            null,
            null,
            null,
            Map.of(),
            null,
            null,
            Map.of(),
            onFailure,
            keepFor),
        Progress.SILENT);
  }
}
