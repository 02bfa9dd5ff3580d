package dev.mayfly.provider;

import dev.mayfly.MayflyException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The one polling helper for providers ("instances running", "installed"): a named wait, bounded by
 * a timeout, that probes every {@code interval} until the probe gives a result. The last sleep is
 * cut to the time left, so a wait probes once more right at its deadline rather than giving up an
 * interval early. A timeout fails with one line naming the wait and what the last probe saw.
 */
public final class Wait {
  private Wait() {}

  /** What one probe saw: a result, or why not yet. */
  public record Probe<T>(Optional<T> result, String state) {
    public static <T> Probe<T> done(T result) {
      return new Probe<>(Optional.of(result), "done");
    }

    public static <T> Probe<T> notYet(String state) {
      return new Probe<>(Optional.empty(), state);
    }
  }

  public static <T> T until(
      String name, Duration timeout, Duration interval, Supplier<Probe<T>> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Probe<T> p = probe.get();
      if (p.result().isPresent()) {
        return p.result().get();
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw MayflyException.failed(
            "\"" + name + "\" not reached within " + human(timeout) + " (last: " + p.state() + ")");
      }
      try {
        Thread.sleep(Math.max(1, Math.min(interval.toMillis(), left / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw MayflyException.failed("\"" + name + "\" interrupted (last: " + p.state() + ")");
      }
    }
  }

  private static String human(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
