package dev.mayfly.deploy;

import java.time.Instant;
import java.util.List;

public record LaunchResult(String deploymentId, String state, String url, Instant expiresAt, List<HostOutcome> hosts) {
  public boolean ok() {
    return hosts.stream().allMatch(HostOutcome::healthy);
  }
}
