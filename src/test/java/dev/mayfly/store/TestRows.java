package dev.mayfly.store;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** Deployment rows for tests: template {@code t} on {@code local}, no commits or URL. */
public final class TestRows {
  private TestRows() {}

  /** A running deployment, no expiry. */
  static DeploymentRow running(String id, Instant createdAt) {
    return of(id, DeploymentState.RUNNING, createdAt, null);
  }

  /**
   * @param expiresAt null for a deployment that never expires
   */
  public static DeploymentRow of(
      String id, DeploymentState state, Instant createdAt, Instant expiresAt) {
    return new DeploymentRow(
        id,
        "t",
        "local",
        state,
        Map.of(),
        "{}",
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        createdAt,
        Optional.ofNullable(expiresAt),
        0);
  }
}
