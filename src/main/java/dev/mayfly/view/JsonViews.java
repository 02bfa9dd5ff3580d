package dev.mayfly.view;

import dev.mayfly.deploy.Deployments;
import dev.mayfly.deploy.HostOutcome;
import dev.mayfly.deploy.LaunchResult;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes of deployments, hosts, events and templates: one place, so {@code --output json}
 * and the web API name every field alike.
 */
public final class JsonViews {
  private JsonViews() {}

  public static String expiresIn(DeploymentRow d, Instant now) {
    if (!d.state().live()) {
      return "-";
    }
    return d.expiresAt()
        .map(at -> at.isAfter(now) ? Durations.human(Duration.between(now, at)) : "overdue")
        .orElse("never");
  }

  public static Map<String, Object> deployment(DeploymentRow d, Instant now) {
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
  public static Map<String, Object> overview(Deployments.Overview o, Instant now) {
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

  /** A {@code list} row: the overview, and whether a daemon serves its schedule. */
  public static Map<String, Object> listed(
      Deployments.Overview o, Instant now, boolean daemonServing) {
    Map<String, Object> m = overview(o, now);
    m.put("daemonServing", daemonServing);
    return m;
  }

  public static Map<String, Object> host(HostRow h) {
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

  public static Map<String, Object> event(EventRow e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", e.at().toString());
    m.put("host", e.hostId().orElse(null));
    m.put("kind", e.kind());
    m.put("detail", e.detail());
    return m;
  }

  /** {@code status}: the overview with each host's details and the history. */
  public static Map<String, Object> status(
      Deployments.Status status, Deployments.Overview overview, Instant now) {
    Map<String, Object> m = new LinkedHashMap<>(overview(overview, now));
    m.put("hostDetails", status.hosts().stream().map(JsonViews::host).toList());
    m.put("events", status.events().stream().map(JsonViews::event).toList());
    return m;
  }

  public static Map<String, Object> launch(LaunchResult result) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", result.deploymentId());
    m.put("state", result.state().word());
    m.put("url", result.url());
    m.put("expiresAt", result.expiresAt() == null ? null : result.expiresAt().toString());
    m.put("hosts", result.hosts().stream().map(JsonViews::outcome).toList());
    m.put("cleanup", result.cleanup());
    return m;
  }

  /** One host's launch: healthy with its URL, or the step that failed and why. */
  public static Map<String, Object> outcome(HostOutcome h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", h.hostId());
    m.put("healthy", h.healthy());
    m.put("url", h.url());
    m.put("failedStep", h.failedStep());
    m.put("message", h.message());
    return m;
  }

  public static Map<String, Object> sync(Deployments.SyncResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.deploymentId());
    m.put("commit", r.commit());
    m.put("updated", r.updated());
    m.put("unchanged", r.unchanged());
    m.put("failures", r.failures());
    return m;
  }

  /** A catalog entry: a template file, valid or with its first problem. */
  public static Map<String, Object> catalogEntry(TemplateCatalog.Entry e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", e.name());
    m.put("file", e.file().toString());
    m.put("description", e.description().orElse(null));
    m.put("error", e.error().orElse(null));
    return m;
  }

  /** A whole template, secret defaults left out. */
  public static Map<String, Object> template(Template t) {
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
}
