package dev.mayfly.store;

import java.util.HashMap;
import java.util.Map;

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

  /** Every stored word: {@code list} reads one per row. */
  private static final Map<String, DeploymentState> BY_WORD = new HashMap<>();

  static {
    for (DeploymentState s : values()) {
      if (s != UNKNOWN) {
        BY_WORD.put(s.word, s);
      }
    }
  }

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
    DeploymentState state = BY_WORD.get(word);
    if (state == null) {
      throw new IllegalStateException("corrupt registry value: deployment state '" + word + "'");
    }
    return state;
  }

  /**
   * Like {@link #of}, but a word this version does not know reads as {@link #UNKNOWN}, so listing
   * goes on.
   */
  public static DeploymentState read(String word) {
    return word == null ? UNKNOWN : BY_WORD.getOrDefault(word, UNKNOWN);
  }

  @Override
  public String toString() {
    return word;
  }
}
