package dev.mayfly.store;

import java.util.Arrays;

/** How one host of a deployment stands. The registry stores {@link #word()}; users see it too. */
public enum HostState {
  /** Being bootstrapped. */
  PENDING("pending"),
  /** Bootstrapped and answering: the hosts syncs and rollbacks serve. */
  HEALTHY("healthy"),
  FAILED("failed"),
  TERMINATED("terminated");

  private final String word;

  HostState(String word) {
    this.word = word;
  }

  public String word() {
    return word;
  }

  public static HostState of(String word) {
    return Arrays.stream(values())
        .filter(s -> s.word.equals(word))
        .findFirst()
        .orElseThrow(
            () -> new IllegalStateException("corrupt registry value: host state '" + word + "'"));
  }

  @Override
  public String toString() {
    return word;
  }
}
