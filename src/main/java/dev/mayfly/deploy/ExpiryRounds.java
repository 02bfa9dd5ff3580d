package dev.mayfly.deploy;

import dev.mayfly.store.DeploymentLocks;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.Registry;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/** Ends deployments whose expiry has come; safe to repeat, as the scheduler may re-run a job. */
final class ExpiryRounds {
  private final Lifecycle lifecycle;
  private final Registry registry;
  private final Clock clock;

  ExpiryRounds(Lifecycle lifecycle, Registry registry, Clock clock) {
    this.lifecycle = lifecycle;
    this.registry = registry;
    this.clock = clock;
  }

  /**
   * @see Upkeep#expire
   */
  boolean expire(String id) {
    if (!due(registry.find(id))) {
      return false;
    }
    // a CLI terminate or extend may be at it: wait, then look again
    try (DeploymentLocks.Held lock = registry.lock(id, Lifecycle.LOCK_WAIT)) {
      Optional<DeploymentRow> d = registry.find(id);
      if (!due(d)) {
        return false;
      }
      registry.event(id, null, "expiring", "expiry " + d.get().expiresAt().get() + " reached");
      return !lifecycle.terminate(id, Progress.SILENT, "expired", false).alreadyTerminated();
    }
  }

  private boolean due(Optional<DeploymentRow> d) {
    Instant now = clock.instant();
    return d.isPresent()
        && Upkeep.live(d.get().state())
        && d.get().expiresAt().filter(at -> !at.isAfter(now)).isPresent();
  }
}
