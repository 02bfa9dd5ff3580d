package dev.mayfly.deploy;

/**
 * How one host of a launch ended. Partial failure is data: a launch returns one of these per host.
 *
 * @param failedStep null when healthy
 * @param message null when healthy
 * @param logTail the last lines the failing step printed
 */
public record HostOutcome(
    String hostId, String url, String failedStep, String message, String logTail, String log) {
  public boolean healthy() {
    return failedStep == null;
  }
}
