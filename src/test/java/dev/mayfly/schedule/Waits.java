package dev.mayfly.schedule;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded, named waits for the daemon tests. */
final class Waits {
  private Waits() {}

  static void await(
      String what, Duration limit, BooleanSupplier condition, Supplier<String> context) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("waited " + limit.toSeconds() + " s for " + what + "; context:\n" + context.get());
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted waiting for " + what);
      }
    }
  }
}
