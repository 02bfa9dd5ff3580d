package dev.mayfly.schedule;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.temporal.ChronoUnit;

/**
 * The daemon's diagnostics: one line per event, time and cluster member first. No secrets pass
 * here.
 */
final class DaemonLog {
  private final PrintWriter out;
  private final Clock clock;
  private volatile String member = "-";

  DaemonLog(PrintWriter out, Clock clock) {
    this.out = out;
    this.clock = clock;
  }

  void member(String id) {
    this.member = id;
  }

  synchronized void info(String message) {
    out.println(clock.instant().truncatedTo(ChronoUnit.MILLIS) + " " + member + " " + message);
    out.flush();
  }
}
