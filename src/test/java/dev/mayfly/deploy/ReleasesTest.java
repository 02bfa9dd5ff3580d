package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.store.HostRow;
import dev.mayfly.store.HostState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which hosts a sync or rollback touches, and what a failing host keeps. */
class ReleasesTest extends DeployHomeTest {
  private String first;

  @BeforeEach
  void launchThreeHosts() {
    assertTrue(home.launch(3).ok());
    first = dataCommit();
    home.provider.opened.clear();
  }

  private String dataCommit() {
    return home.registry.find("demo-1").orElseThrow().dataCommit().orElseThrow();
  }

  private HostRow row(String hostId) {
    return home.registry.hosts("demo-1").stream()
        .filter(h -> h.hostId().equals(hostId))
        .findFirst()
        .orElseThrow();
  }

  private void put(String hostId, HostState state, String commit) {
    HostRow r = row(hostId);
    home.registry.putHost(
        new HostRow(
            r.deploymentId(),
            r.hostId(),
            r.address(),
            r.ports(),
            r.root(),
            state,
            Optional.of(commit),
            r.detail()));
  }

  private List<String> eventKinds() {
    return home.registry.events("demo-1").stream().map(e -> e.kind()).toList();
  }

  @Test
  void anUnchangedRepoContactsNoHost() {
    Deployments.SyncResult result = home.deployments.sync("demo-1", Progress.SILENT);
    assertEquals(List.of(), result.updated());
    assertEquals(List.of("host-1", "host-2", "host-3"), result.unchanged());
    assertEquals(List.of(), home.provider.opened);
    assertTrue(eventKinds().contains("sync-unchanged"), eventKinds().toString());
  }

  @Test
  void onlyStaleHealthyHostsAreContacted() {
    home.editData("[1]\n");
    String next = home.deployments.releases().resolveData(spec()).commit();
    put("host-1", HostState.HEALTHY, next); // already serves it
    put("host-3", HostState.FAILED, first); // never came up healthy

    Deployments.SyncResult result = home.deployments.sync("demo-1", Progress.SILENT);

    assertEquals(List.of("host-2"), home.provider.opened);
    assertEquals(List.of("host-2"), result.updated());
    assertEquals(List.of("host-1"), result.unchanged());
    assertEquals(next, dataCommit());
    assertEquals(List.of(next, first), home.provider.host("host-2").releases);
  }

  @Test
  void aFailingHostKeepsItsReleaseAndTheDeploymentItsCommit() {
    home.editData("[2]\n");
    home.provider.failStep("host-2", "publish-data");

    Deployments.SyncResult result = home.deployments.sync("demo-1", Progress.SILENT);

    assertEquals(List.of("host-1", "host-3"), result.updated());
    assertEquals(Map.of("host-2", "exit 1"), result.failures());
    assertEquals(Optional.of(first), row("host-2").dataCommit());
    assertEquals(first, home.provider.host("host-2").current);
    assertEquals(first, dataCommit(), "the deployment's commit moves only when every host has it");
    assertTrue(eventKinds().contains("sync-failed"), eventKinds().toString());
  }

  @Test
  void rollbackGoesBackToTheReleaseBeforeTheLiveOneAndPinsIt() {
    home.editData("[3]\n");
    String next = home.deployments.sync("demo-1", Progress.SILENT).commit();

    Deployments.SyncResult back = home.deployments.rollback("demo-1", null, Progress.SILENT);

    assertEquals(first, back.commit());
    assertEquals(List.of("host-1", "host-2", "host-3"), back.updated());
    assertEquals(first, home.provider.host("host-3").current);
    assertEquals(Optional.of(first), home.registry.schedule("demo-1").orElseThrow().dataPin());
    assertTrue(List.of(first, next).containsAll(home.provider.host("host-1").releases));
  }

  private Spec spec() {
    return Spec.fromJson(home.registry.find("demo-1").orElseThrow().spec());
  }
}
