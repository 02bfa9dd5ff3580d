package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.DeploymentState;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Why the reaper ends a deployment's hosts, decided from the registry row and the hosts' own expiry tag. */
class ReaperTest {
  private static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");
  private static final Duration GRACE = Duration.ofMinutes(10);
  private static final Duration STALE_LAUNCH = Duration.ofHours(1);

  private static Optional<DeploymentRow> row(DeploymentState state, Instant createdAt, Instant expiresAt) {
    return Optional.of(new DeploymentRow("d-1", "demo", "lab", state, Map.of(), "{}", Optional.empty(),
        Optional.empty(), Optional.empty(), createdAt, Optional.ofNullable(expiresAt), 1));
  }

  private static String why(Optional<DeploymentRow> d, Instant tagged) {
    return Reaper.why(d, Optional.ofNullable(tagged), NOW, GRACE, STALE_LAUNCH);
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
    assertEquals("terminated", why(row(DeploymentState.TERMINATED, NOW.minus(Duration.ofDays(2)), null), null));
  }

  @Test
  void anExpiryWithinTheGraceIsLeftToTheExpiryJob() {
    Instant created = NOW.minus(Duration.ofDays(2));
    assertNull(why(row(DeploymentState.RUNNING, created, NOW.minus(GRACE)), null));
    assertNull(why(row(DeploymentState.RUNNING, created, NOW.minusSeconds(1)), NOW.minusSeconds(1)));
    assertEquals("expired", why(row(DeploymentState.RUNNING, created, NOW.minus(GRACE).minusSeconds(1)), null));
  }

  @Test
  void aLaunchStillLaunchingLongAfterItBeganIsAbandoned() {
    assertEquals("abandoned", why(row(DeploymentState.LAUNCHING, NOW.minus(STALE_LAUNCH), null), null));
    assertNull(why(row(DeploymentState.LAUNCHING, NOW.minus(STALE_LAUNCH).plusSeconds(1), null), null));
  }

  @Test
  void aLiveDeploymentWithinItsTimeIsKept() {
    assertNull(why(row(DeploymentState.RUNNING, NOW.minus(Duration.ofDays(2)), NOW.plus(Duration.ofDays(1))),
        NOW.plus(Duration.ofDays(1))));
    assertNull(why(row(DeploymentState.FAILED, NOW.minus(Duration.ofDays(2)), null), null));
  }
}
