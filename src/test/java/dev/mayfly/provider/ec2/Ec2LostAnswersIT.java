package dev.mayfly.provider.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.Registry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * Calls the cloud did but whose answer never came back ({@link FaultProxy} forwards them to moto,
 * then drops the connection or answers 500), and calls that failed: a launch still ends with
 * exactly N instances, and a terminate is never reported done before its instances are.
 */
class Ec2LostAnswersIT {
  @RegisterExtension static final MotoWorld world = new MotoWorld();

  @TempDir Path home;
  private Registry registry;
  private FaultProxy proxy;

  @BeforeEach
  void open() throws Exception {
    registry = Registry.open(Files.createDirectories(home.resolve("state")));
    proxy = new FaultProxy(world.moto.endpoint());
  }

  @AfterEach
  void close() {
    proxy.close();
    registry.close();
  }

  private Provider provider() {
    Map<String, String> settings = world.settings(home);
    settings.put("endpoint", proxy.endpoint());
    return new Ec2ProviderFactory(world.wiring())
        .create(MotoWorld.context(registry, home.resolve("state"), settings));
  }

  private static LaunchRequest request(String id, int count) {
    return new LaunchRequest(
        id, "qa-results", count, Map.of("http", 8080), Instant.now().plusSeconds(3600), Map.of());
  }

  @Test
  void aRunInstancesWhoseAnswerIsDroppedIsRetriedAndLeavesExactlyNRunning() {
    proxy.fail("RunInstances", FaultProxy.Fault.answerDropped(1));
    List<Host> hosts;
    try (Provider ec2 = provider()) {
      hosts = ec2.launch(request("dropped", 2)).hosts();
    }
    List<String> tokens =
        proxy.requests("RunInstances").stream().map(r -> r.get("ClientToken")).toList();
    assertTrue(
        tokens.size() >= 2, () -> "the SDK retried the call whose answer it never got: " + tokens);
    assertEquals(Set.of(MotoWorld.resourceName(registry, "dropped")), Set.copyOf(tokens));
    // moto ignores ClientToken and started both attempts' instances: the launch ended the first
    // attempt's
    assertTrue(world.instances("dropped").size() > 2, "moto started instances for every attempt");
    assertEquals(
        ids(hosts), liveIds("dropped"), "exactly the 2 hosts the launch returned are running");
  }

  @Test
  void aLaunchWhoseRunInstancesAnswersAreAllLostIsRetriedToExactlyNRunning() {
    proxy.fail("RunInstances", FaultProxy.Fault.doneButAnswered500(-1));
    // and its cleanup fails too, as when the launching process dies: the instances stay behind
    proxy.fail("TerminateInstances", new FaultProxy.Fault(-1, 500, "InternalError", "try again"));
    MayflyException failed;
    try (Provider ec2 = provider()) {
      failed = assertThrows(MayflyException.class, () -> ec2.launch(request("lost", 2)));
    }
    assertTrue(failed.getMessage().contains("cleaning up failed too"), failed.getMessage());
    int attempts = proxy.requests("RunInstances").size();
    assertEquals(
        2 * attempts,
        world.live("lost").size(),
        "each attempt started 2 instances nobody heard of");

    proxy.heal("RunInstances").heal("TerminateInstances");
    List<Host> hosts;
    try (Provider ec2 = provider()) {
      hosts = ec2.launch(request("lost", 2)).hosts();
    }
    assertEquals(
        attempts,
        proxy.requests("RunInstances").size(),
        "the retry adopted tagged instances, ran none");
    assertEquals(2, hosts.size());
    assertEquals(ids(hosts), liveIds("lost"), "exactly 2 of that deployment are left running");
  }

  @ParameterizedTest(name = "the cloud did it first: {0}")
  @ValueSource(booleans = {false, true})
  void aTerminateInstancesThatFailsIsNeverReportedDoneAndASecondTerminateEndsThem(
      boolean doneAtTheCloud) {
    try (Provider ec2 = provider()) {
      List<Host> hosts = ec2.launch(request("stubborn", 2)).hosts();
      proxy.fail(
          "TerminateInstances",
          doneAtTheCloud
              ? FaultProxy.Fault.doneButAnswered500(-1)
              : new FaultProxy.Fault(-1, 500, "InternalError", "try again"));
      MayflyException e =
          assertThrows(MayflyException.class, () -> ec2.terminate("stubborn", hosts));
      assertEquals(MayflyException.Exit.FAILED, e.exit());
      assertTrue(e.getMessage().contains("terminating 2 instance(s)"), e.getMessage());
      assertEquals(doneAtTheCloud ? 0 : 2, world.live("stubborn").size());
      assertEquals(1, groups("stubborn"), "the group outlives a terminate that did not finish");

      proxy.heal("TerminateInstances");
      ec2.terminate("stubborn", hosts);
    }
    assertEquals(List.of(), world.live("stubborn"));
    assertEquals(0, groups("stubborn"));
    assertEquals(
        0,
        world
            .observer
            .describeKeyPairs(
                r ->
                    r.filters(
                        Filter.builder()
                            .name("key-name")
                            .values(MotoWorld.resourceName(registry, "stubborn"))
                            .build()))
            .keyPairs()
            .size());
  }

  private int groups(String deploymentId) {
    return world
        .observer
        .describeSecurityGroups(
            r ->
                r.filters(
                    Filter.builder()
                        .name("group-name")
                        .values(MotoWorld.resourceName(registry, deploymentId))
                        .build()))
        .securityGroups()
        .size();
  }

  private static Set<String> liveIds(String deploymentId) {
    return world.live(deploymentId).stream().map(Instance::instanceId).collect(Collectors.toSet());
  }

  private static Set<String> ids(List<Host> hosts) {
    return hosts.stream().map(Host::id).collect(Collectors.toSet());
  }
}
