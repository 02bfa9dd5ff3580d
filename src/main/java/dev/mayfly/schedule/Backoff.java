package dev.mayfly.schedule;

import java.time.Duration;

/** Retry delays: exponential from {@code base}, capped at {@code max}, with "equal jitter". */
final class Backoff {
  private Backoff() {}

  /**
   * @param failures failures in a row so far (1 for the first retry)
   * @param random uniform in [0, 1): half the delay is fixed, the other half random, so many
   *     deployments failing together do not retry in lock-step
   */
  static Duration delay(Duration base, Duration max, int failures, double random) {
    int shift = Math.min(Math.max(failures, 1) - 1, 30);
    long full = Math.min(max.toMillis(), base.toMillis() << shift);
    if (full < 0) {
      full = max.toMillis();
    }
    return Duration.ofMillis(full / 2 + (long) (full / 2.0 * random));
  }
}
