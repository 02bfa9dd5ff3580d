package dev.mayfly.cli;

import dev.mayfly.deploy.Progress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Per-host progress on stderr. On a terminal, one line per host redrawn in place; otherwise one
 * plain line per finished step, so logs and CI output stay readable.
 */
final class ProgressPrinter implements Progress {
  private final PrintWriter err;
  private final boolean live;
  private final Map<String, String> lines = new LinkedHashMap<>();
  private int drawn;

  ProgressPrinter(PrintWriter err, boolean live) {
    this.err = err;
    this.live = live;
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
