package dev.mayfly.store;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** Deployment rows for store tests. */
final class TestRows {
  private TestRows() {}

  /** A running deployment of template {@code t} on {@code local}, no commits, URL or expiry. */
  static DeploymentRow running(String id, Instant createdAt) {
    return new DeploymentRow(
        id,
        "t",
        "local",
        DeploymentState.RUNNING,
        Map.of(),
        "{}",
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        createdAt,
        Optional.empty(),
        0);
  }
}
