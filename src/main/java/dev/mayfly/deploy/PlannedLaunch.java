package dev.mayfly.deploy;

import java.util.function.BiFunction;

/**
 * A launch whose every input was checked ({@link Deployments#plan}), not started yet.
 *
 * @param id the deployment id it will record
 */
public record PlannedLaunch(String id, BiFunction<Progress, LaunchCancel, LaunchResult> launch) {
  /**
   * Records the deployment and brings up its hosts; blocks until it is healthy or failed, or until
   * {@code cancel} fires: it then ends what it started, records the deployment failed and throws an
   * INTERRUPTED error.
   */
  public LaunchResult run(Progress progress, LaunchCancel cancel) {
    return launch.apply(progress, cancel);
  }
}
