package dev.mayfly.cli;

import dev.mayfly.deploy.Deployments;
import dev.mayfly.deploy.HostOutcome;
import dev.mayfly.deploy.LaunchResult;
import dev.mayfly.deploy.Reaper;
import dev.mayfly.deploy.Services;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.EventRow;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.RecycleRow;
import dev.mayfly.store.ScheduleRow;
import dev.mayfly.template.Durations;
import dev.mayfly.template.Template;
import dev.mayfly.template.TemplateCatalog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How results look in JSON and tables; one place, so every command names fields alike. */
final class Views {
  private Views() {}

  static String expiresIn(DeploymentRow d, Instant now) {
    if (!d.state().live()) {
      return "-";
    }
    return d.expiresAt()
        .map(at -> at.isAfter(now) ? Durations.human(Duration.between(now, at)) : "overdue")
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
    m.put(
        "lastSyncAt",
        o.schedule().flatMap(ScheduleRow::lastSyncAt).map(Instant::toString).orElse(null));
    m.put("lastSyncResult", o.schedule().flatMap(ScheduleRow::lastSyncResult).orElse(null));
    m.put("syncFailures", o.schedule().map(ScheduleRow::syncFailures).orElse(0));
    m.put("dataPin", o.schedule().flatMap(ScheduleRow::dataPin).orElse(null));
    m.put("hostsSince", o.hostsSince().toString());
    m.put("hostAge", o.hostAge(now).map(Durations::human).orElse(null));
    m.put(
        "recycleEvery",
        o.recycling().flatMap(RecycleRow::every).map(Durations::human).orElse(null));
    m.put("recycleFailures", o.recycling().map(RecycleRow::failures).orElse(0));
    m.put(
        "recycleRetryAt",
        o.recycling().flatMap(RecycleRow::retryAt).map(Instant::toString).orElse(null));
    return m;
  }

  static String nextSync(Deployments.Overview o, Instant now) {
    if (o.schedule().flatMap(ScheduleRow::dataPin).isPresent()) {
      return "pinned";
    }
    return o.nextSync(now)
        .map(at -> "in " + Durations.human(Duration.between(now, at)))
        .orElse("-");
  }

  /** e.g. {@code ok 5m ago}, {@code unchanged 2m ago}, {@code FAILED x2 1m ago}. */
  static String lastSync(Deployments.Overview o, Instant now) {
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

  /** {@code status}: the overview with each host's details and the history. */
  static Map<String, Object> status(
      Deployments.Status status, Deployments.Overview overview, Instant now) {
    Map<String, Object> m = new LinkedHashMap<>(overview(overview, now));
    m.put("hostDetails", status.hosts().stream().map(Views::host).toList());
    m.put("events", status.events().stream().map(Views::event).toList());
    return m;
  }

  static Map<String, Object> launch(LaunchResult result) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", result.deploymentId());
    m.put("state", result.state().word());
    m.put("url", result.url());
    m.put("expiresAt", result.expiresAt() == null ? null : result.expiresAt().toString());
    m.put("hosts", result.hosts().stream().map(Views::outcome).toList());
    m.put("cleanup", result.cleanup());
    return m;
  }

  /** One host's launch: healthy with its URL, or the step that failed and why. */
  static Map<String, Object> outcome(HostOutcome h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", h.hostId());
    m.put("healthy", h.healthy());
    m.put("url", h.url());
    m.put("failedStep", h.failedStep());
    m.put("message", h.message());
    return m;
  }

  static Map<String, Object> sync(Deployments.SyncResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.deploymentId());
    m.put("commit", r.commit());
    m.put("updated", r.updated());
    m.put("unchanged", r.unchanged());
    m.put("failures", r.failures());
    return m;
  }

  /** One deployment's hosts the reaper ended, or would end. */
  static Map<String, Object> recycle(Deployments.RecycleResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.deploymentId());
    m.put("ok", r.ok());
    m.put("service", Map.of("from", r.oldService(), "to", r.newService()));
    m.put("data", Map.of("from", r.oldData(), "to", r.newData()));
    m.put("url", r.url());
    m.put("urlChanged", r.urlChanged());
    List<Map<String, Object>> hosts = new ArrayList<>();
    for (Deployments.HostMove h : r.hosts()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("host", h.host());
      row.put("oldRoot", h.oldRoot());
      row.put("newRoot", h.newRoot());
      row.put("gapMs", h.gapMillis());
      hosts.add(row);
    }
    m.put("hosts", hosts);
    m.put("maxGapMs", r.maxGapMillis());
    if (r.why() != null) {
      m.put("why", r.why());
    }
    return m;
  }

  static Map<String, Object> service(Deployments.ServiceResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.deploymentId());
    m.put("commit", r.commit());
    m.put("previous", r.previous());
    m.put("updated", r.updated());
    m.put("unchanged", r.unchanged());
    m.put("failures", r.failures());
    m.put("reverted", r.reverted());
    return m;
  }

  static Map<String, Object> finding(Reaper.Finding f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", f.provider());
    m.put("deployment", f.deploymentId());
    m.put("hosts", f.hostIds());
    m.put("why", f.why());
    m.put("expiresAt", f.expiresAt().map(Instant::toString).orElse(null));
    m.put("reaped", f.reaped());
    m.put("leftAlone", f.leftAlone());
    m.put("error", f.error());
    return m;
  }

  /** A catalog entry: a template file, valid or with its first problem. */
  static Map<String, Object> catalogEntry(TemplateCatalog.Entry e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", e.name());
    m.put("file", e.file().toString());
    m.put("description", e.description().orElse(null));
    m.put("error", e.error().orElse(null));
    return m;
  }

  /** A whole template, secret defaults left out. */
  static Map<String, Object> template(Template t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", t.name());
    m.put("description", t.description());
    m.put("file", t.file().toString());
    m.put(
        "service",
        Map.of(
            "repo",
            t.service().repo().toString(),
            "ref",
            t.service().ref(),
            "install",
            t.service().install(),
            "start",
            t.service().start().orElse("")));
    m.put(
        "data",
        Map.of(
            "repo",
            t.data().repo().toString(),
            "ref",
            t.data().ref(),
            "publish",
            t.data().publish().orElse(""),
            "keep",
            t.data().keep()));
    Map<String, Object> params = new LinkedHashMap<>();
    t.params()
        .forEach(
            (k, p) -> {
              Map<String, Object> pm = new LinkedHashMap<>();
              pm.put("required", p.required());
              pm.put("default", p.secret() ? null : p.defaultValue().orElse(null));
              pm.put("secret", p.secret());
              pm.put("pattern", p.pattern().map(Object::toString).orElse(null));
              pm.put("description", p.description());
              params.put(k, pm);
            });
    m.put("params", params);
    m.put("ports", t.ports());
    m.put(
        "health",
        Map.of(
            "path",
            t.health().path(),
            "port",
            t.health().port(),
            "status",
            t.health().status(),
            "deadlineSeconds",
            t.health().deadline().toSeconds()));
    m.put("healthExpect", t.health().expect().orElse(null));
    m.put("urlPath", t.urlPath());
    m.put("serve", t.service().serve().orElse(null));
    m.put("env", List.copyOf(t.env().keySet()));
    m.put("files", List.copyOf(t.files().keySet()));
    m.put("lifetimeSeconds", t.lifetime().toSeconds());
    m.put("sync", t.sync().map(Template.Sync::cron).orElse(null));
    m.put("syncTimezone", t.sync().map(s -> s.timezone().getId()).orElse(null));
    m.put("root", t.root().orElse(null));
    m.put("bind", t.bind().orElse(null));
    return m;
  }

  /**
   * Text as a terminal shows it safely: control characters (ESC, CR, …) and bidi overrides are
   * escaped visibly ({@code \e[31m}, {@code \r}), so a value cannot move the cursor, recolour or
   * hide what follows it. JSON output needs none of this: its encoder escapes them already.
   */
  static String printable(Object value) {
    String text = value == null ? null : value.toString();
    if (text == null || text.chars().allMatch(c -> !escaped(c))) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 8);
    text.chars()
        .forEach(
            c -> {
              switch (c) {
                case 0x1b -> out.append("\\e");
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default ->
                    out.append(
                        escaped(c)
                            ? String.format(c < 0x100 ? "\\x%02x" : "\\u%04x", c)
                            : (char) c);
              }
            });
    return out.toString();
  }

  private static boolean escaped(int c) {
    return c < 0x20
        || (c >= 0x7f && c <= 0x9f)
        || (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069);
  }

  static String shortCommit(String commit) {
    return commit == null || commit.length() < 12 ? commit : commit.substring(0, 12);
  }

  static Map<String, Object> info(Services.Info info) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("registry", info.registryId());
    m.put("state", info.stateDir().toString());
    m.put("database", info.database());
    m.put("providers", info.providers());
    return m;
  }
}
