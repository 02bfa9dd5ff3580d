package dev.mayfly.web;

import dev.mayfly.MayflyException;
import dev.mayfly.deploy.LaunchCancel;
import dev.mayfly.deploy.LaunchResult;
import dev.mayfly.deploy.PlannedLaunch;
import dev.mayfly.deploy.Progress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Launches started from the console or the API, each run on its own thread while its progress is
 * kept for the pages and event streams that follow it.
 */
final class Launches implements AutoCloseable {
  private final Map<String, Run> runs = new ConcurrentHashMap<>();
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "mayfly-web-launch");
            t.setDaemon(true);
            return t;
          });
  private static final String STOPPING = "the daemon stopping";

  /**
   * A cancelled launch waits up to a minute for host steps it cannot kill (remote ones) to return,
   * then ends its hosts.
   */
  private static final Duration CANCEL_BOUND = Duration.ofSeconds(120);

  private final PrintWriter log;

  Launches(PrintWriter log) {
    this.log = log;
  }

  /** One step of one host, as the stream and the page show it. */
  record Line(String host, String step, String status, double seconds, String failure) {
    String text() {
      return String.format(
              Locale.ROOT,
              "%-12s %-14s %s",
              host,
              step,
              status.equals("started")
                  ? "..."
                  : status + String.format(Locale.ROOT, " %.1fs", seconds))
          + (failure == null ? "" : "  " + failure);
    }
  }

  /** A launch's progress so far, and its end: a result, or the error that stopped it. */
  static final class Run implements Progress {
    final String id;
    private final LaunchCancel cancel = LaunchCancel.onRequest();
    private final List<Line> lines = new ArrayList<>();
    private LaunchResult result;
    private String error;
    private boolean done;

    Run(String id) {
      this.id = id;
    }

    @Override
    public synchronized void started(String host, String step) {
      lines.add(new Line(host, step, "started", 0, null));
      notifyAll();
    }

    @Override
    public synchronized void finished(String host, String step, Duration elapsed, String failure) {
      lines.add(
          new Line(
              host,
              step,
              failure == null ? "done" : "FAILED",
              elapsed.toMillis() / 1000.0,
              failure));
      notifyAll();
    }

    synchronized void end(LaunchResult result, String error) {
      this.result = result;
      this.error = error;
      this.done = true;
      notifyAll();
    }

    synchronized List<Line> lines() {
      return List.copyOf(lines);
    }

    synchronized boolean done() {
      return done;
    }

    synchronized LaunchResult result() {
      return result;
    }

    synchronized String error() {
      return error;
    }

    /** Waits (bounded) until there are more than {@code seen} lines or the run ended. */
    synchronized List<Line> after(int seen, Duration limit) throws InterruptedException {
      long end = System.nanoTime() + limit.toNanos();
      while (lines.size() <= seen && !done) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return List.copyOf(lines.subList(Math.min(seen, lines.size()), lines.size()));
    }
  }

  Run start(PlannedLaunch planned) {
    Run run = new Run(planned.id());
    try {
      threads.execute(() -> run(planned, run));
    } catch (RejectedExecutionException e) {
      // nothing was recorded yet: refusing leaves nothing behind
      throw new MayflyException(
          MayflyException.Exit.WRONG_STATE, "the daemon is stopping; launch again once it runs");
    }
    runs.put(run.id, run);
    return run;
  }

  private void run(PlannedLaunch planned, Run run) {
    try {
      LaunchResult r = planned.run(run, run.cancel);
      run.end(r, null);
      log.println("web: launch " + run.id + " " + r.state().word());
    } catch (MayflyException e) {
      run.end(null, e.getMessage());
      log.println("web: launch " + run.id + " failed: " + e.getMessage());
    } catch (RuntimeException e) {
      run.end(null, "internal error in the launch");
      log.println("web: launch " + run.id + " failed: internal error");
      e.printStackTrace(log);
    }
    log.flush();
  }

  Run find(String id) {
    return runs.get(id);
  }

  /**
   * Cancels the launches in flight and waits (bounded) while each ends the hosts it started and
   * records itself failed, as Ctrl-C does to {@code mayfly launch}: a daemon that stops never
   * leaves a launch half made and recorded as launching. Called once the scheduler's jobs have
   * ended, since a cancel kills every process the daemon still runs.
   */
  @Override
  public void close() {
    threads.shutdown();
    List<Run> inFlight = runs.values().stream().filter(r -> !r.done()).toList();
    if (!inFlight.isEmpty()) {
      log.println(
          "web: cancelling "
              + inFlight.size()
              + " launch(es) in flight: "
              + inFlight.stream().map(r -> r.id).toList());
      log.flush();
    }
    inFlight.forEach(r -> r.cancel.request(STOPPING));
    try {
      if (!threads.awaitTermination(CANCEL_BOUND.toSeconds(), TimeUnit.SECONDS)) {
        log.println(
            "web: stopping with launches still ending their hosts after "
                + CANCEL_BOUND.toSeconds()
                + " s; the reaper ends what they leave");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.flush();
  }
}
