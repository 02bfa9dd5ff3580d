package dev.mayfly.deploy;

import dev.mayfly.git.GitRepos;
import dev.mayfly.host.SshAccess;
import dev.mayfly.host.ssh.KeyFiles;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.Launched;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.DeploymentLocks;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.Registry;
import dev.mayfly.template.Commands;
import dev.mayfly.template.Durations;
import dev.mayfly.template.Template;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Carries out a {@link LaunchPlan}: pins the repos, records the deployment, gets hosts from the
 * provider and bootstraps them (at most {@code --parallel} at once), then records how it went.
 * Hosts that did not come up or did not get healthy are reported, not thrown, so the result names
 * each host and its failed step. What becomes of the hosts of a launch that does not end healthy is
 * {@link LaunchAftermath}'s.
 */
final class Launcher {
  private static final String SECRET_MASK = "(secret)";

  /**
   * The id is new: whoever holds its lock is a launch of the same --name, which we should not wait
   * for.
   */
  private static final Duration LOCK_WAIT = Duration.ofSeconds(10);

  private final DeploymentContext ctx;
  private final LaunchAftermath aftermath;

  Launcher(DeploymentContext ctx) {
    this.ctx = ctx;
    this.aftermath = new LaunchAftermath(ctx);
  }

  LaunchResult launch(LaunchPlan plan, Progress progress) {
    return launch(plan, progress, LaunchCancel.NONE);
  }

  /**
   * @param cancel stops the launch; it then ends what it started and throws an INTERRUPTED error
   */
  LaunchResult launch(LaunchPlan plan, Progress progress, LaunchCancel cancel) {
    SshAccess access = ctx.access(plan.identity()).withConnectDeadline(plan.sshDeadline());
    try (DeploymentLocks.Held lock = ctx.registry().lock(plan.id(), LOCK_WAIT);
        Provider provider = ctx.provider(plan.target(), plan.id(), access)) {
      return launch(plan, provider, progress, cancel);
    }
  }

  private LaunchResult launch(
      LaunchPlan plan, Provider provider, Progress progress, LaunchCancel cancel) {
    Registry registry = ctx.registry();
    String id = plan.id();
    Template template = plan.template();
    Spec spec = Spec.of(template).with(plan.gitMode(), plan.identity().spec());
    GitRepos.Pinned service = ctx.pin("service.repo", spec.service());
    GitRepos.Pinned data = ctx.pin("data.repo", spec.data());
    if (cancel.requested()) {
      throw cancel.interrupted("nothing was recorded or created");
    }
    record(plan, spec, service, data);

    // a provider whose hosts are this machine (or containers) never logs in: no key to make
    if (plan.identity().generated() && provider.logsInOverSsh()) {
      KeyFiles.generateEd25519(plan.identity().keyFile(), "mayfly-" + id);
    }
    // the row exists before the provider creates anything: a crash from here on leaves tagged
    // resources the reaper can match to it
    Launched launched;
    try {
      launched =
          provider.launch(
              new LaunchRequest(
                  id,
                  template.name(),
                  plan.count(),
                  template.ports(),
                  plan.expiresAt(),
                  plan.providerOptions()));
    } catch (RuntimeException e) {
      // the row stays, so terminate and the reaper can still find whatever the provider made
      registry.setState(id, DeploymentState.FAILED);
      registry.event(id, null, "failed", "getting hosts: " + e.getMessage());
      // whatever the provider made before it failed is found by its tags
      aftermath.afterFailure(plan, provider, List.of(), progress);
      throw e;
    }
    if (cancel.requested()) {
      throw aftermath.interrupted(id, provider, launched.hosts(), progress, cancel);
    }
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("MAYFLY_DEPLOYMENT", id);
    extra.put("MAYFLY_BIND", bindAddress(template, provider));
    Bootstrap bootstrap =
        new Bootstrap(
            id,
            spec,
            service,
            data,
            (host, root) -> envFile(template, plan.params(), host, root, extra),
            provider,
            registry,
            progress,
            ctx.logDir(id),
            new GitDelivery(ctx.git(), plan.gitMode(), provider),
            host -> files(template, plan.params(), host));
    List<HostOutcome> outcomes =
        new ArrayList<>(
            FanOut.run(
                launched.hosts(),
                plan.parallel(),
                bootstrap::run,
                (host, crash) -> crashed(id, bootstrap, host, crash),
                cancel));
    if (cancel.requested()) {
      throw aftermath.interrupted(id, provider, launched.hosts(), progress, cancel);
    }
    launched
        .failed()
        .forEach(
            (hostId, why) -> {
              registry.event(id, hostId, "failed", "provision: " + why);
              outcomes.add(new HostOutcome(hostId, null, "provision", why, null, null));
            });
    return conclude(plan, provider, launched.hosts(), outcomes, progress);
  }

  private void record(LaunchPlan plan, Spec spec, GitRepos.Pinned service, GitRepos.Pinned data) {
    Registry registry = ctx.registry();
    String id = plan.id();
    Template template = plan.template();
    registry.insert(
        new DeploymentRow(
            id,
            template.name(),
            plan.target(),
            DeploymentState.LAUNCHING,
            masked(template, plan.params()),
            spec.toJson(),
            Optional.of(service.commit()),
            Optional.of(data.commit()),
            Optional.empty(),
            plan.createdAt(),
            Optional.ofNullable(plan.expiresAt()),
            0));
    if (plan.syncCron() != null) {
      registry.setSyncCron(id, plan.syncCron());
    }
    registry.startRecycling(id, plan.recycleEvery(), plan.createdAt());
    registry.event(
        id,
        null,
        "launched",
        "template "
            + template.name()
            + " on "
            + plan.target()
            + ", "
            + plan.count()
            + " host(s), service "
            + service.commit()
            + ", data "
            + data.commit()
            + (plan.syncCron() == null ? "" : ", sync '" + plan.syncCron() + "'")
            + (plan.recycleEvery() == null
                ? ""
                : ", recycle every " + Durations.human(plan.recycleEvery()))
            + (plan.expiresAt() == null ? ", never expires" : ""));
  }

  /**
   * Where services listen: the template's {@code bind:}, else loopback on this machine, else every
   * interface.
   */
  private static String bindAddress(Template template, Provider provider) {
    return template.bind().orElse(provider.hostsAreThisMachine() ? "127.0.0.1" : "0.0.0.0");
  }

  /** A host whose bootstrap crashed is reported as failed like any other. */
  private HostOutcome crashed(String id, Bootstrap bootstrap, Host host, Throwable crash) {
    String why = "internal error: " + crash;
    ctx.registry().event(id, host.id(), "failed", why);
    return new HostOutcome(
        host.id(),
        bootstrap.url(host),
        "bootstrap",
        why,
        null,
        ctx.hostLog(id, host.id()).toString());
  }

  /**
   * Running when every host is healthy, else failed; the first healthy host's URL is the
   * deployment's.
   */
  private LaunchResult conclude(
      LaunchPlan plan,
      Provider provider,
      List<Host> hosts,
      List<HostOutcome> outcomes,
      Progress progress) {
    Registry registry = ctx.registry();
    String id = plan.id();
    boolean ok = outcomes.stream().allMatch(HostOutcome::healthy);
    String url =
        outcomes.stream()
            .filter(HostOutcome::healthy)
            .map(HostOutcome::url)
            .findFirst()
            .orElse(null);
    if (url != null) {
      registry.setUrl(id, url);
    }
    DeploymentState state = ok ? DeploymentState.RUNNING : DeploymentState.FAILED;
    registry.setState(id, state);
    registry.event(
        id,
        null,
        ok ? "running" : "failed",
        outcomes.stream().filter(HostOutcome::healthy).count()
            + " of "
            + outcomes.size()
            + " host(s) healthy");
    if (ok) {
      return new LaunchResult(id, state, url, plan.expiresAt(), outcomes);
    }
    LaunchAftermath.Cleanup cleanup = aftermath.afterFailure(plan, provider, hosts, progress);
    return new LaunchResult(id, state, url, cleanup.expiresAt(), outcomes, cleanup.text());
  }

  /**
   * @param root the deployment root as resolved on the host (a leading ~ already expanded)
   */
  private static String envFile(
      Template template,
      Map<String, String> params,
      Host host,
      String root,
      Map<String, String> extra) {
    Map<String, String> all = new LinkedHashMap<>(extra);
    if (root != null) {
      all.put("MAYFLY_ROOT", root);
      all.put("MAYFLY_DATA", root + "/data/current");
      all.put("MAYFLY_SERVICE", root + "/service/current");
      all.put(
          "MAYFLY_SERVE",
          root + "/service/current" + template.service().serve().map(s -> "/" + s).orElse(""));
    }
    return Commands.envFile(template, params, host.ports(), all);
  }

  /** The template's {@code files:} with their placeholders filled for {@code host}. */
  private static Map<String, String> files(
      Template template, Map<String, String> params, Host host) {
    Map<String, Integer> ports = new LinkedHashMap<>(template.ports());
    ports.putAll(host.ports());
    Map<String, String> files = new LinkedHashMap<>();
    template.files().forEach((path, text) -> files.put(path, Commands.fill(text, params, ports)));
    return files;
  }

  private static Map<String, String> masked(Template template, Map<String, String> params) {
    Map<String, String> shown = new LinkedHashMap<>();
    params.forEach((k, v) -> shown.put(k, template.params().get(k).secret() ? SECRET_MASK : v));
    return shown;
  }
}
