package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.provider.Host;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Runs one job per host, at most {@code parallel} at once, and gives every host's result in the
 * hosts' order.
 */
final class FanOut {
  /** How long a stopped launch waits for jobs whose shell steps were killed to return. */
  private static final Duration JOB_GRACE = Duration.ofSeconds(60);

  private FanOut() {}

  /**
   * @param crashed turns a job that threw into that host's result, so one host never hides the
   *     others'
   */
  static <T> List<T> run(
      List<Host> hosts,
      int parallel,
      Function<Host, T> job,
      BiFunction<Host, Throwable, T> crashed) {
    return run(hosts, parallel, job, crashed, LaunchCancel.NONE);
  }

  /**
   * Like the above; {@code cancel} stops the jobs, each stopped host's result made by {@code
   * crashed}.
   */
  static <T> List<T> run(
      List<Host> hosts,
      int parallel,
      Function<Host, T> job,
      BiFunction<Host, Throwable, T> crashed,
      LaunchCancel cancel) {
    int threads = Math.max(1, Math.min(hosts.size(), parallel));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (Host host : hosts) {
        futures.add(pool.submit(() -> job.apply(host)));
      }
      // never interrupt a job: a thread interrupted while the registry writes closes H2's file for
      // everyone;
      // cancelling kills the shell steps instead, so the running jobs end on their own
      cancel.onCancel(() -> futures.forEach(f -> f.cancel(false)));
      List<T> results = new ArrayList<>();
      for (int i = 0; i < futures.size(); i++) {
        try {
          results.add(futures.get(i).get());
        } catch (ExecutionException e) {
          results.add(crashed.apply(hosts.get(i), e.getCause()));
        } catch (CancellationException e) {
          results.add(crashed.apply(hosts.get(i), e));
        }
      }
      return results;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw MayflyException.failed("launch interrupted; `mayfly terminate` cleans up what started");
    } finally {
      pool.shutdown();
      awaitJobs(pool);
    }
  }

  /**
   * Lets cancelled jobs finish writing their host's outcome before the caller cleans up after them.
   */
  private static void awaitJobs(ExecutorService pool) {
    try {
      if (!pool.awaitTermination(JOB_GRACE.toSeconds(), TimeUnit.SECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
