package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.HostState;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * How a deployment ends, told truthfully: never {@code terminated} while its service may still run,
 * and ended once however many commands end it at the same time.
 */
class LifecycleTest extends DeployHomeTest {
  private DeploymentState state() {
    return home.registry.find("demo-1").orElseThrow().state();
  }

  @Test
  void aRefusedCleanStopOnAServerMayflyDoesNotEndLeavesItTerminateFailedUntilARetryFinishesIt() {
    home.launch(2);
    home.provider.keepsHosts().failStep("host-1", "destroy");

    MayflyException e =
        assertThrows(
            MayflyException.class, () -> home.deployments.terminate("demo-1", Progress.SILENT));
    assertEquals(MayflyException.Exit.FAILED, e.exit());
    assertTrue(
        e.getMessage().contains("host-1") && e.getMessage().contains("exit 1"), e.getMessage());
    assertEquals(DeploymentState.TERMINATE_FAILED, state());
    assertEquals(Map.of("host-1", HostState.HEALTHY, "host-2", HostState.TERMINATED), hostStates());
    assertTrue(
        home.events("demo-1").stream().anyMatch(l -> l.startsWith("- terminate-failed host-1 (")),
        home.events("demo-1").toString());
    assertFalse(home.events("demo-1").stream().anyMatch(l -> l.startsWith("- terminated")));

    home.provider.stopFailing("host-1");
    home.provider.host("host-2").steps.clear();
    Termination t = home.deployments.terminate("demo-1", Progress.SILENT);
    assertFalse(t.alreadyTerminated());
    assertEquals(DeploymentState.TERMINATED, state());
    assertEquals(
        List.of(), home.provider.host("host-2").steps, "an ended host is not stopped again");
    assertTrue(home.provider.host("host-1").destroyed);
  }

  @Test
  void forceForgetsADeploymentAndSaysWhatWasLeftRunningWhere() {
    home.launch(1);
    home.provider.keepsHosts().failStep("host-1", "destroy");
    assertThrows(
        MayflyException.class, () -> home.deployments.terminate("demo-1", Progress.SILENT));

    Termination t = home.deployments.terminate("demo-1", true, Progress.SILENT);
    assertEquals(DeploymentState.TERMINATED, state());
    assertEquals(List.of("host-1"), List.copyOf(t.leftRunning().keySet()));
    assertTrue(
        t.leftRunning().get("host-1").startsWith("127.0.0.1 in " + FakeShell.HOME), t.toString());
    assertTrue(home.registry.hosts("demo-1").get(0).detail().orElseThrow().startsWith("forgotten"));
  }

  @Test
  void whereTheProviderEndsTheHostAFailedCleanStopIsRecordedNotFatal() {
    home.launch(1);
    home.provider.failStep("host-1", "destroy");
    home.deployments.terminate("demo-1", Progress.SILENT);
    assertEquals(DeploymentState.TERMINATED, state());
    assertEquals(List.of("host-1"), home.provider.terminated);
    assertTrue(home.events("demo-1").stream().anyMatch(l -> l.startsWith("host-1 destroy-failed")));
  }

  @Test
  void aProviderThatCannotEndTheHostsIsNeverReportedDone() {
    home.launch(1);
    home.provider.failTerminate("TerminateInstances: throttled");
    MayflyException e =
        assertThrows(
            MayflyException.class, () -> home.deployments.terminate("demo-1", Progress.SILENT));
    assertTrue(e.getMessage().contains("throttled"), e.getMessage());
    assertEquals(DeploymentState.TERMINATE_FAILED, state());
    assertEquals(Map.of("host-1", HostState.HEALTHY), hostStates());
  }

  @Test
  void twoTerminatesAtOnceEndTheDeploymentOnceAndBothSucceed() throws Exception {
    home.launch(1);
    CountDownLatch inDestroy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    home.provider.onStep(
        "destroy",
        () -> {
          inDestroy.countDown();
          await(release);
        });
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Termination> first =
          pool.submit(() -> home.deployments.terminate("demo-1", Progress.SILENT));
      assertTrue(inDestroy.await(10, TimeUnit.SECONDS));
      Future<Termination> second =
          pool.submit(() -> home.deployments.terminate("demo-1", Progress.SILENT));
      Thread.sleep(300);
      assertFalse(second.isDone(), "the second waits for the deployment's lock");
      release.countDown();

      assertFalse(first.get(10, TimeUnit.SECONDS).alreadyTerminated());
      assertTrue(second.get(10, TimeUnit.SECONDS).alreadyTerminated());
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
    assertEquals(
        1, home.events("demo-1").stream().filter(l -> l.startsWith("- terminated")).count());
    assertEquals(1, home.provider.host("host-1").steps.stream().filter("destroy"::equals).count());
  }

  @Test
  void theDaemonsExpiryRacingATerminateFindsItEndedAndDoesNothing() throws Exception {
    home.launch(1);
    CountDownLatch inDestroy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    home.provider.onStep(
        "destroy",
        () -> {
          inDestroy.countDown();
          await(release);
        });
    Upkeep upkeep =
        new Upkeep(
            home.deployments,
            home.registry,
            Clock.fixed(DeployHome.NOW.plus(Duration.ofDays(3)), ZoneOffset.UTC),
            null,
            Duration.ofSeconds(1));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Termination> cli =
          pool.submit(() -> home.deployments.terminate("demo-1", Progress.SILENT));
      assertTrue(inDestroy.await(10, TimeUnit.SECONDS));
      Future<Boolean> expiry = pool.submit(() -> upkeep.expire("demo-1"));
      Thread.sleep(300);
      release.countDown();

      assertFalse(cli.get(10, TimeUnit.SECONDS).alreadyTerminated());
      assertFalse(expiry.get(10, TimeUnit.SECONDS), "nothing left to expire");
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
    List<String> history = home.events("demo-1");
    assertEquals(
        1,
        history.stream()
            .filter(l -> l.startsWith("- terminated") || l.startsWith("- expir"))
            .count(),
        history.toString());
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
