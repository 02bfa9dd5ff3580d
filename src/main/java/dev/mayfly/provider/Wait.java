package dev.mayfly.provider;

import dev.mayfly.MayflyException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
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

  /**
   * Hears about long waits as they go: once when one starts, then a heartbeat every {@link
   * #heartbeat()} with the time waited and what the last probe saw, then once when it ends.
   */
  public interface Watcher {
    Watcher QUIET = new Watcher() {};

    default Duration heartbeat() {
      return Duration.ofSeconds(10);
    }

    default void began(String wait, Duration timeout) {}

    default void still(String wait, Duration elapsed, String state) {}

    /**
     * @param failure null when the wait reached its goal
     */
    default void ended(String wait, Duration elapsed, String failure) {}
  }

  /**
   * One wait being watched: the heartbeat runs on its own thread, so it keeps its beat while a
   * probe blocks (a connect timing out, a slow API answer).
   */
  public static final class Watch implements AutoCloseable {
    private final String name;
    private final Duration timeout;
    private final Watcher watcher;
    private final long start = System.nanoTime();
    private ScheduledExecutorService beat;
    private boolean begun;
    private volatile String state = "starting";
    private String failure;

    private Watch(String name, Duration timeout, Watcher watcher, boolean deferred) {
      this.name = name;
      this.timeout = timeout;
      this.watcher = watcher;
      if (!deferred) {
        begin();
      }
    }

    private synchronized void begin() {
      if (begun) {
        return;
      }
      begun = true;
      watcher.began(name, timeout);
      if (watcher == Watcher.QUIET) {
        return;
      }
      beat =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "mayfly-heartbeat");
                t.setDaemon(true);
                return t;
              });
      long every = Math.max(1, watcher.heartbeat().toMillis());
      beat.scheduleAtFixedRate(
          () -> watcher.still(name, elapsed(), state), every, every, TimeUnit.MILLISECONDS);
    }

    /** What the wait sees now; the next heartbeat says it. */
    public void saw(String state) {
      this.state = state;
      begin();
    }

    /** Marks the wait failed; {@link #close()} reports it. */
    public void failed(String why) {
      this.failure = why;
    }

    private Duration elapsed() {
      return Duration.ofNanos(System.nanoTime() - start);
    }

    @Override
    public synchronized void close() {
      if (!begun) {
        return; // a deferred wait that never had to wait: nothing was said, nothing to end
      }
      if (beat != null) {
        beat.shutdownNow();
        try {
          beat.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      watcher.ended(name, elapsed(), failure);
    }
  }

  /** Starts watching a wait that is not a {@link #until} loop (an HTTP health check). */
  public static Watch watch(String name, Duration timeout, Watcher watcher) {
    return new Watch(name, timeout, watcher, false);
  }

  /**
   * Runs {@code work}, which retries on its own and says why each try failed; from the first failed
   * try on the wait is watched (a line, then heartbeats), so a quick success says nothing; its time
   * counts from the start.
   */
  public static <T> T retrying(
      String name, Duration timeout, Watcher watcher, Function<Consumer<String>, T> work) {
    try (Watch watch = new Watch(name, timeout, watcher, true)) {
      try {
        return work.apply(watch::saw);
      } catch (RuntimeException e) {
        watch.failed(e.getMessage());
        throw e;
      }
    }
  }

  public static <T> T until(
      String name, Duration timeout, Duration interval, Supplier<Probe<T>> probe) {
    return until(name, timeout, interval, Watcher.QUIET, probe);
  }

  public static <T> T until(
      String name, Duration timeout, Duration interval, Watcher watcher, Supplier<Probe<T>> probe) {
    try (Watch watch = watch(name, timeout, watcher)) {
      try {
        return poll(name, timeout, interval, watch, probe);
      } catch (RuntimeException e) {
        watch.failed(e.getMessage());
        throw e;
      }
    }
  }

  private static <T> T poll(
      String name, Duration timeout, Duration interval, Watch watch, Supplier<Probe<T>> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Probe<T> p = probe.get();
      if (p.result().isPresent()) {
        return p.result().get();
      }
      watch.saw(p.state());
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
