package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.OwnedHost;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.TestRows;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Why the reaper ends a deployment's hosts, decided from the registry row and the hosts' own expiry
 * tag, and that it ends only what carries this registry's id.
 */
class ReaperTest {
  private static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");
  private static final Duration GRACE = Duration.ofMinutes(10);
  private static final Duration STALE_LAUNCH = Duration.ofHours(1);

  private static Optional<DeploymentRow> row(
      DeploymentState state, Instant createdAt, Instant expiresAt) {
    return Optional.of(TestRows.of("d-1", state, createdAt, expiresAt));
  }

  private static String why(Optional<DeploymentRow> d, Instant tagged) {
    return why(d, true, tagged);
  }

  private static String why(Optional<DeploymentRow> d, boolean hostsLive, Instant tagged) {
    return ReapDecision.why(d, hostsLive, Optional.ofNullable(tagged), NOW, GRACE, STALE_LAUNCH);
  }

  @Test
  void anExpiryTagPastTheGraceHoldsEvenWhenTheRegistryLostTheDeployment() {
    assertEquals("expired", why(Optional.empty(), NOW.minus(GRACE).minusSeconds(1)));
  }

  @Test
  void hostsOfADeploymentTheRegistryDoesNotKnowAreUnknown() {
    assertEquals("unknown", why(Optional.empty(), null));
    assertEquals("unknown", why(Optional.empty(), NOW.plus(Duration.ofDays(1))));
  }

  @Test
  void hostsOfATerminatedDeploymentAreLeftovers() {
    assertEquals(
        "terminated",
        why(row(DeploymentState.TERMINATED, NOW.minus(Duration.ofDays(2)), null), null));
  }

  @Test
  void anExpiryWithinTheGraceIsLeftToTheExpiryJob() {
    Instant created = NOW.minus(Duration.ofDays(2));
    assertNull(why(row(DeploymentState.RUNNING, created, NOW.minus(GRACE)), null));
    assertNull(
        why(row(DeploymentState.RUNNING, created, NOW.minusSeconds(1)), NOW.minusSeconds(1)));
    assertEquals(
        "expired",
        why(row(DeploymentState.RUNNING, created, NOW.minus(GRACE).minusSeconds(1)), null));
  }

  @Test
  void aLaunchStillLaunchingLongAfterItBeganIsAbandoned() {
    assertEquals(
        "abandoned", why(row(DeploymentState.LAUNCHING, NOW.minus(STALE_LAUNCH), null), null));
    assertNull(
        why(row(DeploymentState.LAUNCHING, NOW.minus(STALE_LAUNCH).plusSeconds(1), null), null));
  }

  @Test
  void aLiveDeploymentWithinItsTimeIsKept() {
    assertNull(
        why(
            row(
                DeploymentState.RUNNING,
                NOW.minus(Duration.ofDays(2)),
                NOW.plus(Duration.ofDays(1))),
            NOW.plus(Duration.ofDays(1))));
    assertNull(why(row(DeploymentState.FAILED, NOW.minus(Duration.ofDays(2)), null), null));
  }

  @Test
  void whileTheRegistryKnowsTheDeploymentTheLaterOfItsExpiryAndTheTagHolds() {
    Instant created = NOW.minus(Duration.ofDays(2));
    Instant stale = NOW.minus(Duration.ofHours(1));
    Instant extended = NOW.plus(Duration.ofDays(7));
    assertNull(
        why(row(DeploymentState.RUNNING, created, extended), stale),
        "registry moved, a tag left behind");
    assertNull(
        why(row(DeploymentState.RUNNING, created, stale), extended),
        "tags moved, the registry not yet");
    assertEquals("expired", why(row(DeploymentState.RUNNING, created, stale), stale));
  }

  @Test
  void aFailedLaunchsHostsAreReapedOnceEndedOrOnceTheirKeepTimeIsOver() {
    Instant created = NOW.minus(Duration.ofHours(3));
    assertEquals(
        "failed",
        why(row(DeploymentState.FAILED, created, NOW.plus(Duration.ofDays(2))), false, null),
        "the registry ended every host: whatever is still listed is left over");
    assertNull(
        why(
            row(DeploymentState.FAILED, created, NOW.plus(Duration.ofHours(1))),
            true,
            NOW.plus(Duration.ofDays(2))),
        "kept for debugging until its short expiry");
    assertEquals(
        "failed",
        why(
            row(DeploymentState.FAILED, created, NOW.minus(GRACE).minusSeconds(1)),
            true,
            NOW.plus(Duration.ofDays(2))),
        "past the keep time, whatever the hosts' tag says");
  }

  // ---- what the reaper may touch, on the fake target
  // ----------------------------------------------

  @TempDir Path dir;

  private static OwnedHost listed(String deployment, String host, String registryId) {
    return new OwnedHost(
        deployment,
        new Host(host, "127.0.0.1", Map.of(), Optional.empty()),
        Optional.empty(),
        Optional.ofNullable(registryId));
  }

  private static Map<String, Reaper.Finding> byDeployment(List<Reaper.Finding> findings) {
    return findings.stream().collect(Collectors.toMap(Reaper.Finding::deploymentId, f -> f));
  }

  @Test
  void hostsBelongToTheRegistryTheyCarryOrToTheOneAdoptingTheirDeployment() {
    Host host = new Host("h", "127.0.0.1", Map.of(), Optional.empty());
    OwnedHost untagged = new OwnedHost("d-1", host);
    assertEquals(
        "other",
        ReapDecision.owner(
            new OwnedHost("d-1", host, Optional.empty(), Optional.of("other")),
            "self",
            Set.of("d-1")));
    assertEquals("", ReapDecision.owner(untagged, "self", Set.of("d-2")));
    assertEquals("self", ReapDecision.owner(untagged, "self", Set.of("d-1")));
    assertEquals("foreign (registry other)", ReapDecision.leftAlone("other", "d-1"));
    assertTrue(ReapDecision.leftAlone("", "d-1").contains("`mayfly reap --adopt d-1`"));
  }

  @Test
  void anotherRegistrysHostsAreListedAsForeignAndNeverEndedWhateverTheGrace() {
    try (DeployHome home = new DeployHome(dir)) {
      home.provider.listed.add(listed("ghost", "i-own", home.registry.id()));
      home.provider.listed.add(listed("theirs", "i-theirs", "0123456789abcdef"));

      for (boolean act : List.of(false, true)) {
        Map<String, Reaper.Finding> found =
            byDeployment(
                home.reaper(NOW)
                    .reap(FakeProvider.NAME, act, Duration.ZERO, STALE_LAUNCH, Set.of()));
        Reaper.Finding foreign = found.get("theirs");
        assertEquals("foreign (registry 0123456789abcdef)", foreign.why());
        assertTrue(foreign.leftAlone());
        assertFalse(foreign.reaped());
        assertEquals("unknown", found.get("ghost").why());
        assertFalse(found.get("ghost").leftAlone());
      }
      assertEquals(
          List.of("i-own"), home.provider.terminated, "only this registry's host was ended");
    }
  }

  @Test
  void hostsWithoutARegistryIdAreEndedOnlyWhenTheUserAdoptsTheirDeployment() {
    try (DeployHome home = new DeployHome(dir)) {
      home.provider.listed.add(listed("old", "i-old", null));
      home.provider.listed.add(listed("older", "i-older", null));

      Map<String, Reaper.Finding> found =
          byDeployment(
              home.reaper(NOW)
                  .reap(FakeProvider.NAME, true, Duration.ZERO, STALE_LAUNCH, Set.of()));
      assertTrue(found.get("old").leftAlone(), found::toString);
      assertTrue(found.get("old").why().startsWith("untagged"), found::toString);
      assertEquals(List.of(), home.provider.terminated);

      found =
          byDeployment(
              home.reaper(NOW)
                  .reap(FakeProvider.NAME, true, Duration.ZERO, STALE_LAUNCH, Set.of("old")));
      assertEquals("unknown", found.get("old").why());
      assertTrue(found.get("old").reaped());
      assertTrue(found.get("older").leftAlone());
      assertEquals(
          List.of("i-old"), home.provider.terminated, "only the adopted deployment's host");
    }
  }

  @Test
  void aFailedLaunchsLeftoverHostIsReapedAndTheDeploymentEnds() {
    try (DeployHome home = new DeployHome(dir)) {
      home.provider.failStep("host-1", "install");
      assertEquals(DeploymentState.FAILED, home.launch(1).state());
      home.provider.terminated.clear();
      // the provider still lists it: its end did not take
      home.provider.listed.add(listed("demo-1", "host-1", home.registry.id()));

      List<Reaper.Finding> found =
          home.reaper(DeployHome.NOW)
              .reap(FakeProvider.NAME, true, Duration.ZERO, STALE_LAUNCH, Set.of());
      assertEquals(1, found.size(), found::toString);
      assertEquals("failed", found.get(0).why());
      assertTrue(found.get(0).reaped(), found::toString);
      assertEquals(List.of("host-1"), home.provider.terminated);
      assertEquals(DeploymentState.TERMINATED, home.registry.find("demo-1").orElseThrow().state());
    }
  }

  @Test
  void aHalfFailedExtendLeavesTheRegistryAsItWasAndReapEndsNothing() {
    try (DeployHome home = new DeployHome(dir)) {
      home.launch(2);
      Instant before = home.registry.find("demo-1").orElseThrow().expiresAt().orElseThrow();
      home.provider.failExtendOn("host-2");

      MayflyException e =
          assertThrows(
              MayflyException.class, () -> home.deployments.extend("demo-1", "7d", null, false));
      assertEquals(MayflyException.Exit.FAILED, e.exit());
      assertTrue(
          e.getMessage().contains("host-2") && e.getMessage().contains("still expires " + before),
          e.getMessage());
      assertEquals(
          Optional.of(before),
          home.registry.find("demo-1").orElseThrow().expiresAt(),
          "registry not moved");
      assertEquals(
          before.plus(Duration.ofDays(7)), home.provider.tags.get("host-1"), "host-1 took it");
      assertEquals(before, home.provider.tags.get("host-2"));

      String id = home.registry.id();
      home.provider.tags.forEach(
          (host, tag) ->
              home.provider.listed.add(
                  new OwnedHost(
                      "demo-1",
                      new Host(host, "127.0.0.1", Map.of(), Optional.empty()),
                      Optional.of(tag),
                      Optional.of(id))));
      // until the expiry the registry still holds, the service lives, whichever of its tags moved
      assertEquals(
          List.of(),
          home.reaper(before.minusSeconds(1))
              .reap(FakeProvider.NAME, true, Duration.ZERO, STALE_LAUNCH, Set.of()));
      assertEquals(List.of(), home.provider.terminated);

      // a retried extend moves the hosts, then the registry
      home.provider.failExtendOn(null);
      Instant after = home.deployments.extend("demo-1", "7d", null, false).orElseThrow();
      assertEquals(after, home.provider.tags.get("host-2"));
      assertEquals(Optional.of(after), home.registry.find("demo-1").orElseThrow().expiresAt());
    }
  }
}
