package dev.mayfly.deploy;

import dev.mayfly.store.DeploymentState;
import java.time.Instant;
import java.util.List;

/**
 * @param expiresAt when it ends: for hosts kept after a failed launch, when the kept hosts do
 * @param cleanup for a failed launch, what became of its hosts (ended, or kept until when); null
 *     when healthy
 * @param note what the user should know about the running deployment, or null
 */
public record LaunchResult(
    String deploymentId,
    DeploymentState state,
    String url,
    Instant expiresAt,
    List<HostOutcome> hosts,
    String cleanup,
    String note) {
  public LaunchResult(
      String deploymentId,
      DeploymentState state,
      String url,
      Instant expiresAt,
      List<HostOutcome> hosts,
      String cleanup) {
    this(deploymentId, state, url, expiresAt, hosts, cleanup, null);
  }

  /** The same result with a note for the user (e.g. that no daemon will sync it). */
  public LaunchResult withNote(String note) {
    return new LaunchResult(deploymentId, state, url, expiresAt, hosts, cleanup, note);
  }

  public LaunchResult(
      String deploymentId,
      DeploymentState state,
      String url,
      Instant expiresAt,
      List<HostOutcome> hosts) {
    this(deploymentId, state, url, expiresAt, hosts, null);
  }

  public boolean ok() {
    return hosts.stream().allMatch(HostOutcome::healthy);
  }
}
