package dev.mayfly.schedule;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The daemon's diagnostics: one line per event, time and cluster member first. No secrets pass here. */
final class DaemonLog {
  private final PrintWriter out;
  private volatile String member = "-";

  DaemonLog(PrintWriter out) {
    this.out = out;
  }

  void member(String id) {
    this.member = id;
  }

  synchronized void info(String message) {
    out.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + member + " " + message);
    out.flush();
  }
}
