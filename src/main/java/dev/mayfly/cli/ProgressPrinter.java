package dev.mayfly.cli;

import dev.mayfly.deploy.Progress;
import dev.mayfly.template.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Per-host progress on stderr. On a terminal, one line per host redrawn in place; otherwise one
 * plain line per finished step, so logs and CI output stay readable. A long wait prints a line when
 * it starts and, on a terminal or with {@code --verbose}, a heartbeat with the time waited and what
 * it last saw.
 */
final class ProgressPrinter implements Progress {
  static final Duration HEARTBEAT = Duration.ofSeconds(10);

  private final PrintWriter err;
  private final boolean live;
  private final boolean heartbeats;
  private final Duration heartbeat;
  private final Map<String, String> lines = new LinkedHashMap<>();
  private int drawn;

  ProgressPrinter(PrintWriter err, boolean live) {
    this(err, live, live, HEARTBEAT);
  }

  /**
   * @param heartbeats whether a wait's heartbeats are shown (always on a terminal)
   * @param heartbeat how often a wait says it is still waiting
   */
  ProgressPrinter(PrintWriter err, boolean live, boolean heartbeats, Duration heartbeat) {
    this.err = err;
    this.live = live;
    this.heartbeats = live || heartbeats;
    this.heartbeat = heartbeat;
  }

  @Override
  public Duration heartbeat() {
    return heartbeat;
  }

  @Override
  public synchronized void began(String wait, Duration timeout) {
    show(wait, "waiting for " + Views.printable(wait) + ", up to " + Durations.human(timeout));
  }

  @Override
  public synchronized void still(String wait, Duration elapsed, String state) {
    if (heartbeats) {
      show(
          wait,
          "still waiting for "
              + Views.printable(wait)
              + ": "
              + took(elapsed)
              + " so far, last: "
              + Views.printable(state));
    }
  }

  @Override
  public synchronized void ended(String wait, Duration elapsed, String failure) {
    if (heartbeats) {
      show(
          wait,
          (failure == null ? "done waiting for " : "gave up waiting for ")
              + Views.printable(wait)
              + " after "
              + took(elapsed));
    }
  }

  /** A wait's line: redrawn in place on a terminal, else printed. */
  private void show(String wait, String text) {
    if (live) {
      lines.put("wait " + wait, text);
      redraw();
    } else {
      err.println(text);
      err.flush();
    }
  }

  @Override
  public synchronized void started(String host, String step) {
    if (live) {
      lines.put(host, String.format(Locale.ROOT, "%-12s %-14s ...", host, step));
      redraw();
    }
  }

  @Override
  public synchronized void finished(String host, String step, Duration elapsed, String failure) {
    String seconds = String.format(Locale.ROOT, "%.1fs", elapsed.toMillis() / 1000.0);
    String text =
        failure == null
            ? String.format(Locale.ROOT, "%-12s %-14s done   %s", host, step, seconds)
            : String.format(Locale.ROOT, "%-12s %-14s FAILED %s  %s", host, step, seconds, failure);
    if (live) {
      lines.put(host, text);
      redraw();
    } else {
      err.println(text);
      err.flush();
    }
  }

  /** Tenths of a second under a minute (a short heartbeat still shows time passing). */
  private static String took(Duration elapsed) {
    return elapsed.toSeconds() < 60
        ? String.format(Locale.ROOT, "%.1fs", elapsed.toMillis() / 1000.0)
        : Durations.human(elapsed);
  }

  private void redraw() {
    if (drawn > 0) {
      err.print("\033[" + drawn + "F");
    }
    for (String line : lines.values()) {
      err.print("\033[2K" + line + "\n");
    }
    drawn = lines.size();
    err.flush();
  }
}
