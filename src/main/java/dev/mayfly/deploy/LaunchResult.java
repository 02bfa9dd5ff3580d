package dev.mayfly.deploy;

import dev.mayfly.store.DeploymentState;
import java.time.Instant;
import java.util.List;

public record LaunchResult(String deploymentId, DeploymentState state, String url, Instant expiresAt, List<HostOutcome> hosts) {
  public boolean ok() {
    return hosts.stream().allMatch(HostOutcome::healthy);
  }
}
