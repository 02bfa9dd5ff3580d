package dev.mayfly.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How old a deployment's hosts are and when the daemon replaces them.
 *
 * @param every recycle hosts older than this; empty: never
 * @param hostsSince when the hosts now serving were made (launch, then each recycle)
 * @param failures scheduled recycles that failed in a row
 * @param retryAt when the daemon tries a failed recycle again
 */
public record RecycleRow(
    String deploymentId,
    Optional<Duration> every,
    Instant hostsSince,
    int failures,
    Optional<Instant> retryAt,
    Optional<String> lastResult) {

  /** True when the policy asks for new hosts at {@code now} and no backoff holds it back. */
  public boolean due(Instant now) {
    return every.isPresent()
        && !hostsSince.plus(every.get()).isAfter(now)
        && retryAt.map(at -> !at.isAfter(now)).orElse(true);
  }
}
