package dev.mayfly.store;

import java.util.Arrays;

/** Where a deployment is in its life. The registry stores {@link #word()}; users see it too. */
public enum DeploymentState {
  LAUNCHING("launching"),
  RUNNING("running"),
  FAILED("failed"),
  /** A clean stop failed on a host the provider does not end: the service may still run there. */
  TERMINATE_FAILED("terminate-failed"),
  /** The daemon cannot schedule its jobs (a bad sync cron, an unreadable row); it still expires. */
  SCHEDULE_ERROR("schedule-error"),
  TERMINATED("terminated"),
  /**
   * Read back for a word this version does not know (tampered, or a newer version's); never stored.
   * It may still hold hosts, so it counts as live.
   */
  UNKNOWN("unknown");

  private final String word;

  DeploymentState(String word) {
    this.word = word;
  }

  public String word() {
    return word;
  }

  /** Whether the deployment may still hold hosts, so expiry and the reaper still concern it. */
  public boolean live() {
    return this != TERMINATED;
  }

  public static DeploymentState of(String word) {
    return Arrays.stream(values())
        .filter(s -> s != UNKNOWN && s.word.equals(word))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "corrupt registry value: deployment state '" + word + "'"));
  }

  /**
   * Like {@link #of}, but a word this version does not know reads as {@link #UNKNOWN}, so listing
   * goes on.
   */
  public static DeploymentState read(String word) {
    return Arrays.stream(values())
        .filter(s -> s != UNKNOWN && s.word.equals(word))
        .findFirst()
        .orElse(UNKNOWN);
  }

  @Override
  public String toString() {
    return word;
  }
}
