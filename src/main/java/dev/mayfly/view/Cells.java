package dev.mayfly.view;

import dev.mayfly.deploy.Deployments;
import dev.mayfly.store.ScheduleRow;
import dev.mayfly.template.Durations;
import java.time.Duration;
import java.time.Instant;

/** Short human cells a table row and a web page show alike: next sync, last sync. */
public final class Cells {
  private Cells() {}

  public static String nextSync(Deployments.Overview o, Instant now) {
    return nextSync(o, now, true);
  }

  /** NEXT SYNC, marked {@code (no daemon)} when no daemon will run it. */
  public static String nextSync(Deployments.Overview o, Instant now, boolean daemonServing) {
    if (o.schedule().flatMap(ScheduleRow::dataPin).isPresent()) {
      return "pinned";
    }
    return o.nextSync(now)
        .map(
            at ->
                "in "
                    + Durations.human(Duration.between(now, at))
                    + (daemonServing ? "" : " (no daemon)"))
        .orElse("-");
  }

  /** e.g. {@code ok 5m ago}, {@code unchanged 2m ago}, {@code FAILED x2 1m ago}. */
  public static String lastSync(Deployments.Overview o, Instant now) {
    if (o.schedule().isEmpty() || o.schedule().get().lastSyncAt().isEmpty()) {
      return "-";
    }
    ScheduleRow s = o.schedule().get();
    String result = s.lastSyncResult().orElse("");
    String word =
        result.startsWith("failed")
            ? "FAILED x" + s.syncFailures()
            : result.startsWith("published") ? "updated" : result;
    return word + " " + Durations.human(Duration.between(s.lastSyncAt().get(), now)) + " ago";
  }
}
