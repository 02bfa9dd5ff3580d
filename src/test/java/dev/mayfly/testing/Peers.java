package dev.mayfly.testing;

import org.junit.jupiter.api.Assumptions;

/**
 * The rule for a peer a test needs (sshd, root, PostgreSQL): where it is missing the test is
 * skipped with the reason, except in CI ({@code CI=true}, as {@code .ci/run} runs), where it fails,
 * since CI installs every peer and a skip there would hide a test that never ran.
 */
public final class Peers {
  private Peers() {}

  /**
   * Skips the test (or, under {@code CI=true}, fails it) with {@code missing} as the reason unless
   * {@code present}.
   */
  public static void require(boolean present, String missing) {
    require(present, missing, System.getenv("CI"));
  }

  static void require(boolean present, String missing, String ci) {
    if (present) {
      return;
    }
    if ("true".equalsIgnoreCase(ci)) {
      throw new AssertionError(
          "peer missing in CI (CI=true), so this test fails instead of skipping: " + missing);
    }
    Assumptions.abort("SKIPPED LOUDLY: " + missing);
  }
}
