package dev.mayfly.web;

import dev.mayfly.MayflyException;
import dev.mayfly.deploy.Deployments;
import dev.mayfly.deploy.HostOutcome;
import dev.mayfly.deploy.LaunchResult;
import dev.mayfly.deploy.Progress;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.HostState;
import dev.mayfly.target.Target;
import dev.mayfly.target.Targets;
import dev.mayfly.template.Template;
import dev.mayfly.template.TemplateCatalog;
import dev.mayfly.view.Cells;
import dev.mayfly.view.JsonViews;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** The console's pages, rendered on the server from the templates in {@code src/main/jte}. */
final class Pages {
  static final int PAGE_SIZE = 50;

  /** Deployment pages whose releases are remembered, so the live refresh does not ask hosts. */
  private static final int RELEASES_KEPT = 256;

  private static final TemplateEngine ENGINE = TemplateEngine.createPrecompiled(ContentType.Html);

  private final Deployments deployments;
  // id -> what the registry said when the host was asked, and the answer
  private final Map<String, Map.Entry<String, Deployments.HeldReleases>> heldReleases =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(
            Map.Entry<String, Map.Entry<String, Deployments.HeldReleases>> eldest) {
          return size() > RELEASES_KEPT;
        }
      };
  private final Api api;
  private final Sessions sessions;
  private final Clock clock;

  Pages(Deployments deployments, Api api, Sessions sessions, Clock clock) {
    this.deployments = deployments;
    this.api = api;
    this.sessions = sessions;
    this.clock = clock;
  }

  private static void render(Context ctx, String template, Object page) {
    StringOutput out = new StringOutput();
    ENGINE.render(template, page, out);
    ctx.html(out.toString());
  }

  private Page.Frame frame(Context ctx, String title) {
    Sessions.Session s = ctx.attribute(Guard.SESSION);
    String notice = s == null ? null : sessions.takeNotice(s.id());
    boolean error = notice != null && notice.startsWith("!");
    return new Page.Frame(
        title, s == null ? null : s.csrf(), error ? notice.substring(1) : notice, error);
  }

  private void notice(Context ctx, String text) {
    Sessions.Session s = ctx.attribute(Guard.SESSION);
    sessions.notice(s.id(), text);
  }

  void loginPage(Context ctx) {
    render(ctx, "login.jte", new Page.Login(frame(ctx, "Log in"), null));
  }

  void login(Context ctx, Guard guard) {
    if (!guard.tokenMatches(ctx.formParam("token"))) {
      guard.wrongToken(ctx);
      ctx.status(HttpStatus.UNAUTHORIZED);
      render(ctx, "login.jte", new Page.Login(frame(ctx, "Log in"), "wrong token"));
      return;
    }
    Sessions.Session s = sessions.create();
    guard.setCookie(ctx, s.id(), Sessions.LIFETIME.toSeconds());
    ctx.redirect("/deployments", HttpStatus.SEE_OTHER);
  }

  void logout(Context ctx) {
    Sessions.Session s = ctx.attribute(Guard.SESSION);
    sessions.end(s.id());
    ctx.header("Set-Cookie", Sessions.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    ctx.redirect("/login", HttpStatus.SEE_OTHER);
  }

  void error(Context ctx, Problem p) {
    ctx.status(p.status);
    render(ctx, "problem.jte", new Page.Problem(frame(ctx, p.title()), p.status, p.getMessage()));
  }

  void deployments(Context ctx) {
    Instant now = clock.instant();
    Api.Filter filter = Api.Filter.of(ctx);
    List<Deployments.Overview> all = deployments.overview();
    // without a state asked for, the page shows what still exists; "all" shows the terminated too
    boolean everything = "all".equals(filter.state());
    Api.Filter shown =
        everything ? new Api.Filter(filter.template(), filter.target(), null) : filter;
    List<Deployments.Overview> matching =
        all.stream()
            .filter(shown::matches)
            .filter(
                o ->
                    everything
                        || filter.state() != null
                        || o.deployment().state() != DeploymentState.TERMINATED)
            .toList();
    int pages = Math.max(1, (matching.size() + PAGE_SIZE - 1) / PAGE_SIZE);
    int page = Math.min(pages, Math.max(1, number(ctx.queryParam("page"))));
    List<Page.Row> rows =
        matching
            .subList((page - 1) * PAGE_SIZE, Math.min(matching.size(), page * PAGE_SIZE))
            .stream()
            .map(o -> row(o, deployments.status(o.deployment().id()).hosts(), now))
            .toList();
    render(
        ctx,
        "deployments.jte",
        new Page.Deployments(
            frame(ctx, "Deployments"),
            rows,
            filter.template(),
            filter.target(),
            filter.state(),
            distinct(all.stream().map(o -> o.deployment().template())),
            distinct(all.stream().map(o -> o.deployment().target())),
            Arrays.stream(DeploymentState.values()).map(DeploymentState::word).toList(),
            page,
            pages,
            matching.size(),
            page > 1 ? link(filter, page - 1) : null,
            page < pages ? link(filter, page + 1) : null));
  }

  private static List<String> distinct(Stream<String> values) {
    return values.collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new)).stream()
        .toList();
  }

  private static int number(String text) {
    try {
      return text == null ? 1 : Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  private static String link(Api.Filter f, int page) {
    StringBuilder q = new StringBuilder("/deployments?page=" + page);
    Map<String, String> parts = new LinkedHashMap<>();
    parts.put("template", f.template());
    parts.put("target", f.target());
    parts.put("state", f.state());
    parts.forEach(
        (k, v) -> {
          if (v != null) {
            q.append('&')
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
          }
        });
    return q.toString();
  }

  static Page.Row row(Deployments.Overview o, List<HostRow> hosts, Instant now) {
    DeploymentRow d = o.deployment();
    return new Page.Row(
        d.id(),
        d.template(),
        d.target(),
        (int) hosts.stream().filter(h -> h.state() == HostState.HEALTHY).count(),
        d.hostCount(),
        d.state().word(),
        d.url().orElse(null),
        d.state().live() ? d.expiresAt().map(Instant::toString).orElse(null) : null,
        JsonViews.expiresIn(d, now),
        Cells.nextSync(o, now),
        Cells.lastSync(o, now));
  }

  void deployment(Context ctx) {
    String id = ctx.pathParam("id");
    Deployments.Status status = deployments.status(id);
    Deployments.Overview overview =
        new Deployments.Overview(status.deployment(), deployments.schedule(id));
    DeploymentRow d = status.deployment();
    List<Page.Setting> settings = new ArrayList<>();
    settings.add(new Page.Setting("created", d.createdAt().toString()));
    settings.add(new Page.Setting("expires", d.expiresAt().map(Instant::toString).orElse("never")));
    settings.add(new Page.Setting("service commit", d.serviceCommit().orElse("-")));
    settings.add(new Page.Setting("data commit", d.dataCommit().orElse("-")));
    settings.add(
        new Page.Setting("sync", overview.schedule().flatMap(s -> s.syncCron()).orElse("never")));
    // secrets were masked as (secret) before they reached the registry
    d.params().forEach((k, v) -> settings.add(new Page.Setting("param " + k, v)));
    Deployments.HeldReleases held = releases(id, status);
    List<Page.Release> releases =
        held.commits().stream().map(c -> new Page.Release(c, c.equals(held.live()))).toList();
    render(
        ctx,
        "deployment.jte",
        new Page.Deployment(
            frame(ctx, "Deployment " + id),
            row(overview, status.hosts(), clock.instant()),
            settings,
            status.hosts().stream()
                .map(
                    h ->
                        new Page.HostLine(
                            h.hostId(),
                            h.address() + (h.ports().isEmpty() ? "" : " " + h.ports()),
                            h.state().word(),
                            h.dataCommit().orElse("-"),
                            h.detail().orElse("")))
                .toList(),
            releases,
            held.host() != null,
            held.host() != null
                ? "held by " + held.host() + ", newest first"
                : held.unread() != null
                    ? held.unread() + "; these are the commits its hosts published"
                    : "the commits its hosts published",
            status.events().stream()
                .map(
                    e ->
                        new Page.Event(
                            e.at().toString(), e.hostId().orElse(""), e.kind(), e.detail()))
                .toList(),
            d.state() != DeploymentState.TERMINATED));
  }

  /**
   * The releases a host holds change only by steps the registry records (publish events, host
   * rows), so the host is asked again only once those changed, not on every live refresh.
   */
  private Deployments.HeldReleases releases(String id, Deployments.Status status) {
    String stamp =
        status.deployment().state().word()
            + " "
            + status.events().size()
            + " "
            + status.hosts().stream()
                .map(h -> h.hostId() + "=" + h.state().word() + "@" + h.dataCommit().orElse(""))
                .toList();
    synchronized (heldReleases) {
      Map.Entry<String, Deployments.HeldReleases> known = heldReleases.get(id);
      if (known != null && known.getKey().equals(stamp)) {
        return known.getValue();
      }
    }
    Deployments.HeldReleases held = deployments.releases(id);
    synchronized (heldReleases) {
      heldReleases.put(id, Map.entry(stamp, held));
    }
    return held;
  }

  /** Runs one action and goes back to the deployment's page with what happened. */
  private void act(Context ctx, String what, java.util.function.Supplier<String> action) {
    String id = ctx.pathParam("id");
    try {
      notice(ctx, action.get());
    } catch (MayflyException e) {
      notice(ctx, "!" + what + ": " + e.getMessage());
    }
    ctx.redirect(
        "/deployments/" + URLEncoder.encode(id, StandardCharsets.UTF_8), HttpStatus.SEE_OTHER);
  }

  void sync(Context ctx) {
    act(
        ctx,
        "sync",
        () -> {
          Deployments.SyncResult r = deployments.sync(ctx.pathParam("id"), Progress.SILENT);
          return syncText("sync", r);
        });
  }

  private static String syncText(String what, Deployments.SyncResult r) {
    String text =
        what
            + ": data at "
            + r.commit()
            + (r.updated().isEmpty() ? " (unchanged)" : " on " + String.join(", ", r.updated()));
    return r.failures().isEmpty() ? text : "!" + text + "; failed: " + r.failures();
  }

  void extend(Context ctx) {
    act(
        ctx,
        "extend",
        () -> {
          String by = blank(ctx.formParam("by"));
          String until = blank(ctx.formParam("until"));
          boolean never = "true".equals(ctx.formParam("never"));
          Optional<Instant> at = deployments.extend(ctx.pathParam("id"), by, until, never);
          return "expires " + at.map(Instant::toString).orElse("never");
        });
  }

  void rollback(Context ctx) {
    act(
        ctx,
        "rollback",
        () ->
            syncText(
                "rollback",
                deployments.rollback(
                    ctx.pathParam("id"), blank(ctx.formParam("to")), Progress.SILENT)));
  }

  void terminateConfirm(Context ctx) {
    DeploymentRow d = deployments.status(ctx.pathParam("id")).deployment();
    render(
        ctx,
        "confirm.jte",
        new Page.Confirm(frame(ctx, "Terminate " + d.id()), d.id(), d.template(), d.hostCount()));
  }

  void terminate(Context ctx) {
    String id = ctx.pathParam("id");
    if (!id.equals(ctx.formParam("confirm"))) {
      throw Problem.badInput("terminate: type the deployment's id (" + id + ") to confirm");
    }
    var t = deployments.terminate(id, Progress.SILENT);
    notice(ctx, t.alreadyTerminated() ? id + " already terminated" : "terminated " + id);
    ctx.redirect("/deployments", HttpStatus.SEE_OTHER);
  }

  void templates(Context ctx) {
    TemplateCatalog catalog = deployments.catalog();
    List<Page.TemplateLine> lines = new ArrayList<>();
    for (TemplateCatalog.Entry e : catalog.list()) {
      if (!e.ok()) {
        lines.add(
            new Page.TemplateLine(
                e.name(), e.file().toString(), null, e.error().orElse(""), null, null, List.of()));
        continue;
      }
      Template t = catalog.load(e.name());
      lines.add(
          new Page.TemplateLine(
              t.name(),
              e.file().toString(),
              t.description(),
              null,
              t.service().repo() + " @ " + t.service().ref(),
              t.data().repo() + " @ " + t.data().ref(),
              params(t, Map.of())));
    }
    render(ctx, "templates.jte", new Page.Templates(frame(ctx, "Templates"), lines));
  }

  /** The form's fields; a secret's value is never sent back to the browser. */
  private static List<Page.Param> params(Template t, Map<String, String> given) {
    return t.params().values().stream()
        .map(
            p ->
                new Page.Param(
                    p.name(),
                    p.description(),
                    p.required(),
                    p.secret() ? "" : given.getOrDefault(p.name(), p.defaultValue().orElse("")),
                    p.secret(),
                    p.pattern().map(java.util.regex.Pattern::pattern).orElse(null)))
        .toList();
  }

  private Template launchable(String name) {
    TemplateCatalog.Entry e = Api.entry(deployments.catalog(), name);
    if (!e.ok()) {
      throw Problem.badInput("template '" + name + "' does not validate: " + e.error().orElse(""));
    }
    return deployments.catalog().load(name);
  }

  private List<String> targets() {
    LinkedHashSet<String> names = new LinkedHashSet<>();
    names.add(Targets.LOCAL);
    deployments.targets().defined().stream().map(Target::name).forEach(names::add);
    return List.copyOf(names);
  }

  void launchForm(Context ctx) {
    Template t = launchable(ctx.pathParam("template"));
    render(
        ctx,
        "launch.jte",
        new Page.LaunchForm(
            frame(ctx, "Launch " + t.name()),
            t.name(),
            t.description(),
            params(t, Map.of()),
            Targets.LOCAL,
            targets(),
            1,
            "",
            null));
  }

  void launch(Context ctx) {
    Template t = launchable(ctx.pathParam("template"));
    Map<String, String> given = new LinkedHashMap<>();
    for (Template.Param p : t.params().values()) {
      String v = ctx.formParam("param." + p.name());
      // an empty field is a value not given: the template's default, or "required" from the plan
      if (v != null && !v.isEmpty()) {
        given.put(p.name(), v);
      }
    }
    String target = Optional.ofNullable(blank(ctx.formParam("target"))).orElse(Targets.LOCAL);
    String countText = Optional.ofNullable(blank(ctx.formParam("count"))).orElse("1");
    String expires = blank(ctx.formParam("expires"));
    try {
      int count;
      try {
        count = Integer.parseInt(countText);
      } catch (NumberFormatException e) {
        throw MayflyException.badInput("count: '" + countText + "' must be a whole number");
      }
      String id = api.start(t.name(), given, target, count, expires, null, null);
      ctx.redirect(
          "/launches/" + URLEncoder.encode(id, StandardCharsets.UTF_8), HttpStatus.SEE_OTHER);
    } catch (MayflyException e) {
      ctx.status(Problem.of(e).status);
      render(
          ctx,
          "launch.jte",
          new Page.LaunchForm(
              frame(ctx, "Launch " + t.name()),
              t.name(),
              t.description(),
              params(t, given),
              target,
              targets(),
              number(countText),
              expires == null ? "" : expires,
              e.getMessage()));
    }
  }

  void progress(Context ctx) {
    Launches.Run run = api.run(ctx.pathParam("id"));
    LaunchResult r = run.result();
    List<String> failures = new ArrayList<>();
    if (r != null) {
      for (HostOutcome h : r.hosts()) {
        if (!h.healthy()) {
          failures.add(
              h.hostId()
                  + ": step "
                  + h.failedStep()
                  + " failed: "
                  + h.message()
                  + (h.logTail() == null || h.logTail().isBlank() ? "" : "\n" + h.logTail()));
        }
      }
    }
    render(
        ctx,
        "progress.jte",
        new Page.Progress(
            frame(ctx, "Launching " + run.id),
            run.id,
            run.lines().stream().map(Launches.Line::text).toList(),
            run.done(),
            r != null && r.ok() ? r.url() : null,
            run.error() != null ? run.error() : r != null && !r.ok() ? r.cleanup() : null,
            failures));
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
