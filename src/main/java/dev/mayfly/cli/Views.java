package dev.mayfly.cli;

import dev.mayfly.deploy.Deployments;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.EventRow;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.ScheduleRow;
import dev.mayfly.template.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** How registry rows look in JSON and tables; one place, so every command names fields alike. */
final class Views {
  private Views() {}

  static String expiresIn(DeploymentRow d, Instant now) {
    if (!d.state().live()) {
      return "-";
    }
    return d.expiresAt().map(at -> at.isAfter(now) ? Durations.human(Duration.between(now, at)) : "overdue")
        .orElse("never");
  }

  static Map<String, Object> deployment(DeploymentRow d, Instant now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", d.id());
    m.put("template", d.template());
    m.put("target", d.target());
    m.put("hosts", d.hostCount());
    m.put("state", d.state().word());
    m.put("url", d.url().orElse(null));
    m.put("createdAt", d.createdAt().toString());
    m.put("expiresAt", d.expiresAt().map(Instant::toString).orElse(null));
    m.put("expiresIn", expiresIn(d, now));
    m.put("params", d.params());
    m.put("serviceCommit", d.serviceCommit().orElse(null));
    m.put("dataCommit", d.dataCommit().orElse(null));
    return m;
  }

  /** A deployment with its schedule: next sync, last sync result, time left. */
  static Map<String, Object> overview(Deployments.Overview o, Instant now) {
    Map<String, Object> m = deployment(o.deployment(), now);
    m.put("syncCron", o.schedule().flatMap(ScheduleRow::syncCron).orElse(null));
    m.put("nextSyncAt", o.nextSync(now).map(Instant::toString).orElse(null));
    m.put("lastSyncAt", o.schedule().flatMap(ScheduleRow::lastSyncAt).map(Instant::toString).orElse(null));
    m.put("lastSyncResult", o.schedule().flatMap(ScheduleRow::lastSyncResult).orElse(null));
    m.put("syncFailures", o.schedule().map(ScheduleRow::syncFailures).orElse(0));
    m.put("dataPin", o.schedule().flatMap(ScheduleRow::dataPin).orElse(null));
    return m;
  }

  static String nextSync(Deployments.Overview o, Instant now) {
    if (o.schedule().flatMap(ScheduleRow::dataPin).isPresent()) {
      return "pinned";
    }
    return o.nextSync(now).map(at -> "in " + Durations.human(Duration.between(now, at))).orElse("-");
  }

  /** e.g. {@code ok 5m ago}, {@code unchanged 2m ago}, {@code FAILED x2 1m ago}. */
  static String lastSync(Deployments.Overview o, Instant now) {
    if (o.schedule().isEmpty() || o.schedule().get().lastSyncAt().isEmpty()) {
      return "-";
    }
    ScheduleRow s = o.schedule().get();
    String result = s.lastSyncResult().orElse("");
    String word = result.startsWith("failed") ? "FAILED x" + s.syncFailures()
        : result.startsWith("published") ? "updated" : result;
    return word + " " + Durations.human(Duration.between(s.lastSyncAt().get(), now)) + " ago";
  }

  static Map<String, Object> host(HostRow h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", h.hostId());
    m.put("address", h.address());
    m.put("ports", h.ports());
    m.put("root", h.root().orElse(null));
    m.put("state", h.state().word());
    m.put("dataCommit", h.dataCommit().orElse(null));
    m.put("detail", h.detail().orElse(null));
    return m;
  }

  static Map<String, Object> event(EventRow e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", e.at().toString());
    m.put("host", e.hostId().orElse(null));
    m.put("kind", e.kind());
    m.put("detail", e.detail());
    return m;
  }

  static String shortCommit(String commit) {
    return commit == null || commit.length() < 12 ? commit : commit.substring(0, 12);
  }
}
