package dev.mayfly.deploy;

import java.util.Map;

/**
 * How a terminate ended.
 *
 * @param alreadyTerminated another command (the daemon's expiry, a second terminate) ended it first
 * @param leftRunning host to where and why its service may still run, for a {@code --force} that
 *     forgot them
 */
public record Termination(
    String deploymentId, boolean alreadyTerminated, Map<String, String> leftRunning) {
  public Termination {
    leftRunning = Map.copyOf(leftRunning);
  }
}
