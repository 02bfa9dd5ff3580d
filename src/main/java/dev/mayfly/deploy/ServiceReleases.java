package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.deploy.Deployments.ServiceResult;
import dev.mayfly.git.GitRepos;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.HostState;
import dev.mayfly.store.Registry;
import dev.mayfly.template.Template;
import dev.mayfly.template.TemplateLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The service releases a deployment's hosts run ({@code service/releases/<release>}, {@code
 * service/current}): upgrade installs a new commit in a new release and switches to it, rollback
 * switches back one release, restart runs the frozen start command again. Hosts go one at a time; a
 * host whose new release does not get healthy is switched back to its previous release and
 * restarted, and so are the hosts already switched, so the deployment never serves two releases.
 */
final class ServiceReleases {
  private final DeploymentContext ctx;

  ServiceReleases(DeploymentContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Moves the service to {@code to} (a commit or ref; null: the template's ref, resolved anew).
   *
   * @param template apply the edited template file's install, start, health and URL as well
   */
  ServiceResult upgrade(String id, String to, boolean template, Progress progress) {
    DeploymentRow d = ctx.requireLive(id);
    Spec spec = Spec.fromJson(d.spec());
    Spec next = template ? spec.commandsOf(edited(d, spec)) : spec;
    Spec.Repo repo = spec.service();
    GitRepos.Pinned pinned =
        ctx.pin(
            "service.repo",
            to == null ? repo : new Spec.Repo(repo.url(), repo.localPath(), to.strip()));
    String was = d.serviceCommit().orElse("");
    if (!template && pinned.commit().equals(was)) {
      ctx.registry().event(id, null, "upgrade-unchanged", "service still at " + was);
      return new ServiceResult(id, was, was, List.of(), healthyIds(id), Map.of(), List.of());
    }
    // the same commit again (an edited template) installs into a release of its own
    String release =
        pinned.commit().equals(was)
            ? pinned.commit() + "-" + ctx.clock().instant().getEpochSecond()
            : pinned.commit();
    ServiceResult result =
        switchHosts(
            d,
            spec,
            next,
            progress,
            "upgrade",
            (s, steps, host, delivery) -> {
              steps.run(
                  host.id(),
                  "fetch-service",
                  () -> {
                    String how =
                        delivery.deliver(
                            "fetch-service",
                            "service.repo",
                            s,
                            pinned,
                            to == null ? repo.ref() : to.strip(),
                            null,
                            (from, ref) ->
                                s.fetchService(from, pinned.commit(), ref, release, next.serve()));
                    ctx.registry().event(id, host.id(), "git", how);
                  });
              steps.run(
                  host.id(),
                  "install",
                  () -> s.install(release, next.install(), next.keepServices()));
              return release;
            },
            was);
    if (result.failures().isEmpty()) {
      if (template) {
        ctx.registry().setSpec(id, next.toJson());
        healthy(id).stream()
            .findFirst()
            .ifPresent(
                row ->
                    ctx.registry()
                        .setUrl(id, HostSteps.url(next, RecordedHost.hostOf(row), next.url())));
        ctx.registry()
            .event(
                id,
                null,
                "template-upgraded",
                "install, start, health and url from " + spec.templateFile() + " applied");
      }
    }
    return result;
  }

  /** Switches every healthy host back to the service release it ran before the live one. */
  ServiceResult rollback(String id, Progress progress) {
    DeploymentRow d = ctx.requireLive(id);
    Spec spec = Spec.fromJson(d.spec());
    String was = d.serviceCommit().orElse("");
    return switchHosts(
        d,
        spec,
        spec,
        progress,
        "rollback",
        (s, steps, host, delivery) -> {
          List<String> releases = s.serviceReleases();
          if (releases.size() < 2) {
            throw new HostSession.StepFailed(
                "activate",
                "no earlier service release on the host to roll back to (releases: "
                    + String.join(", ", releases)
                    + ")");
          }
          String target = releases.get(1);
          steps.run(host.id(), "activate", () -> s.activateService(target, "activate"));
          return target;
        },
        was);
  }

  /** Restarts the service on every healthy host with the frozen start command. */
  ServiceResult restart(String id, Progress progress) {
    DeploymentRow d = ctx.requireLive(id);
    Spec spec = Spec.fromJson(d.spec());
    if (spec.start() == null) {
      throw MayflyException.wrongState(
          "deployment '" + id + "' has no service.start command: mayfly does not run its service");
    }
    String commit = d.serviceCommit().orElse("");
    List<String> updated = new ArrayList<>();
    Map<String, String> failures = new LinkedHashMap<>();
    HostSteps steps = new HostSteps(id, ctx.registry(), progress);
    try (Provider provider = ctx.providerFor(d, spec)) {
      for (HostRow row : healthy(id)) {
        Host host = RecordedHost.hostOf(row);
        try {
          RecordedHost.of(ctx, provider, row)
              .query(
                  s -> {
                    steps.run(host.id(), "start", () -> s.start(spec.start()));
                    steps.run(host.id(), "health", () -> steps.awaitHealthy(spec, host));
                    return null;
                  });
          ctx.registry().event(id, host.id(), "restarted", "service restarted at " + commit);
          updated.add(host.id());
        } catch (HostSession.StepFailed | MayflyException e) {
          String why = stepOf(e) + e.getMessage();
          ctx.registry().event(id, host.id(), "restart-failed", why);
          failures.put(host.id(), why);
        }
      }
    }
    return new ServiceResult(id, commit, commit, updated, List.of(), failures, List.of());
  }

  /** What changes on one host before the switched release is started and checked. */
  private interface Switch {
    /** Returns the release now current on the host. */
    String run(HostSession session, HostSteps steps, Host host, GitDelivery delivery);
  }

  /**
   * On each healthy host in turn: note its live release, {@code change} it (which makes another one
   * current), restart with {@code next}'s start and check {@code next}'s health. When a host fails,
   * it and every host switched before it go back to their previous release, restarted with {@code
   * spec}'s start, and the hosts after it are left alone.
   *
   * @return the commit the hosts serve now: the new one, or {@code was} when a host failed
   */
  private ServiceResult switchHosts(
      DeploymentRow d,
      Spec spec,
      Spec next,
      Progress progress,
      String kind,
      Switch change,
      String was) {
    String id = d.id();
    Registry registry = ctx.registry();
    // history words: a data rollback is "rollback" already
    String event = kind.equals("upgrade") ? "upgrade" : "service-rollback";
    List<HostRow> hosts = healthy(id);
    if (hosts.isEmpty()) {
      throw MayflyException.wrongState("deployment '" + id + "' has no healthy host to " + kind);
    }
    HostSteps steps = new HostSteps(id, registry, progress);
    Map<String, String> switched = new LinkedHashMap<>(); // host id to the release it left
    Map<String, String> failures = new LinkedHashMap<>();
    List<String> reverted = new ArrayList<>();
    String[] now = {null};
    try (Provider provider = ctx.providerFor(d, spec)) {
      GitDelivery delivery = new GitDelivery(ctx.git(), spec.git(), provider);
      Map<String, HostRow> rows = new LinkedHashMap<>();
      for (HostRow row : hosts) {
        rows.put(row.hostId(), row);
        Host host = RecordedHost.hostOf(row);
        String[] previous = {null};
        try {
          RecordedHost.of(ctx, provider, row)
              .query(
                  s -> {
                    previous[0] = live(s);
                    now[0] = change.run(s, steps, host, delivery);
                    if (previous[0] == null) {
                      // a root from before service releases: fetch-service adopted its checkout
                      previous[0] = s.serviceReleases().stream().skip(1).findFirst().orElse(null);
                    }
                    try {
                      restartAndCheck(steps, s, next, host);
                    } catch (HostSession.StepFailed e) {
                      restore(steps, s, spec, host, previous[0], e);
                      throw e;
                    }
                    return null;
                  });
          switched.put(host.id(), previous[0]);
          registry.event(
              id,
              host.id(),
              kind.equals("upgrade") ? "upgraded" : "service-rolled-back",
              "service at " + commitOf(now[0]) + " (was " + was + ")");
        } catch (HostSession.StepFailed | MayflyException e) {
          String why = stepOf(e) + e.getMessage();
          registry.event(id, host.id(), event + "-failed", why);
          failures.put(host.id(), why + " (host log: " + ctx.hostLog(id, host.id()) + ")");
          break;
        }
      }
      if (!failures.isEmpty()) {
        for (Map.Entry<String, String> back : switched.entrySet()) {
          HostRow row = rows.get(back.getKey());
          Host host = RecordedHost.hostOf(row);
          try {
            RecordedHost.of(ctx, provider, row)
                .query(
                    s -> {
                      restore(steps, s, spec, host, back.getValue(), null);
                      return null;
                    });
            reverted.add(host.id());
          } catch (HostSession.StepFailed | MayflyException e) {
            failures.put(host.id(), "switching back: " + e.getMessage());
          }
        }
        registry.event(
            id,
            null,
            event + "-failed",
            String.join("; ", failures.values()) + "; previous service release kept");
      }
    }
    String commit = commitOf(now[0]);
    if (failures.isEmpty()) {
      registry.setServiceCommit(id, commit);
      registry.event(
          id,
          null,
          event,
          "service at " + commit + " on " + switched.size() + " host(s) (was " + was + ")");
    }
    List<String> updated = failures.isEmpty() ? List.copyOf(switched.keySet()) : List.of();
    return new ServiceResult(
        id, failures.isEmpty() ? commit : was, was, updated, List.of(), failures, reverted);
  }

  private static void restartAndCheck(HostSteps steps, HostSession s, Spec spec, Host host) {
    if (spec.start() != null) {
      steps.run(host.id(), "start", () -> s.start(spec.start()));
    }
    steps.run(host.id(), "health", () -> steps.awaitHealthy(spec, host));
  }

  /**
   * Switches {@code host} back to {@code release} and restarts it; when that fails too the host is
   * recorded failed, since it may serve nothing.
   */
  private void restore(
      HostSteps steps,
      HostSession s,
      Spec spec,
      Host host,
      String release,
      HostSession.StepFailed cause) {
    if (release == null) {
      return; // nothing was live before: nothing to go back to
    }
    try {
      steps.run(
          host.id(),
          "switch-back",
          () -> {
            s.activateService(release, "switch-back");
            if (spec.start() != null) {
              s.start(spec.start());
            }
            steps.awaitHealthy(spec, host);
          });
    } catch (HostSession.StepFailed e) {
      ctx.registry()
          .putHost(
              new HostRow(
                  s.deploymentId(),
                  host.id(),
                  host.address(),
                  host.ports(),
                  Optional.of(s.root()),
                  HostState.FAILED,
                  Optional.empty(),
                  Optional.of(
                      "switch-back to service release " + release + ": " + e.getMessage())));
      if (cause != null) {
        throw new HostSession.StepFailed(
            cause.step,
            cause.getMessage()
                + "; switching back to "
                + release
                + " failed too: "
                + e.getMessage());
      }
      throw e;
    }
  }

  /** The template file the deployment was launched from, as it reads now. */
  private Spec edited(DeploymentRow d, Spec spec) {
    Template t = TemplateLoader.load(Path.of(spec.templateFile()));
    if (!t.name().equals(d.template())) {
      throw MayflyException.badInput(
          spec.templateFile()
              + ": names template '"
              + t.name()
              + "', deployment "
              + d.id()
              + " runs '"
              + d.template()
              + "'");
    }
    return Spec.of(t);
  }

  private static String live(HostSession s) {
    List<String> releases = s.serviceReleases();
    return releases.isEmpty() ? null : releases.get(0);
  }

  /** A release is named by its commit, with {@code -<n>} for a second install of the same one. */
  static String commitOf(String release) {
    return release == null ? "" : release.replaceFirst("-.*$", "");
  }

  private List<HostRow> healthy(String id) {
    return ctx.registry().hosts(id).stream().filter(Releases::healthy).toList();
  }

  private List<String> healthyIds(String id) {
    return healthy(id).stream().map(HostRow::hostId).toList();
  }

  private static String stepOf(RuntimeException e) {
    return e instanceof HostSession.StepFailed f ? f.step + ": " : "";
  }
}
