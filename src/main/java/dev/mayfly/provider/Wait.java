package dev.mayfly.provider;

import dev.mayfly.MayflyException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The one polling helper for provider waits ("installed", "instance running"): every wait has a name, a
 * bound and an interval, and fails with one line saying what did not happen in time and what was last
 * seen.
 */
public final class Wait {
  private final String name;
  private final Duration timeout;
  private final Duration interval;

  public Wait(String name, Duration timeout, Duration interval) {
    this.name = name;
    this.timeout = timeout;
    this.interval = interval;
  }

  /** What one look saw: done with a value, or not yet, with why (for the timeout message). */
  public record Check<T>(Optional<T> value, String notYet) {
    public static <T> Check<T> done(T value) {
      return new Check<>(Optional.of(value), null);
    }

    public static <T> Check<T> notYet(String why) {
      return new Check<>(Optional.empty(), why);
    }
  }

  public <T> T until(Supplier<Check<T>> look) {
    long end = System.nanoTime() + timeout.toNanos();
    String last = "not checked";
    while (true) {
      Check<T> check = look.get();
      if (check.value().isPresent()) {
        return check.value().get();
      }
      last = check.notYet();
      long left = end - System.nanoTime();
      if (left <= 0) {
        throw MayflyException.failed(name + ": not within " + human(timeout) + " (last seen: " + last + ")");
      }
      try {
        Thread.sleep(Math.max(1, Math.min(interval.toMillis(), left / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw MayflyException.failed(name + ": interrupted (last seen: " + last + ")");
      }
    }
  }

  private static String human(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
