package dev.mayfly.deploy;

import java.util.function.Function;

/**
 * A launch whose every input was checked ({@link Deployments#plan}), not started yet.
 *
 * @param id the deployment id it will record
 */
public record PlannedLaunch(String id, Function<Progress, LaunchResult> launch) {
  /** Records the deployment and brings up its hosts; blocks until it is healthy or failed. */
  public LaunchResult run(Progress progress) {
    return launch.apply(progress);
  }
}
