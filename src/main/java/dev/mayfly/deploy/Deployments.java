package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.git.GitRepos;
import dev.mayfly.host.SshAccess;
import dev.mayfly.provider.ProviderContext;
import dev.mayfly.provider.Providers;
import dev.mayfly.store.DeploymentLocks;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.EventRow;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.Registry;
import dev.mayfly.store.ScheduleRow;
import dev.mayfly.target.Target;
import dev.mayfly.target.Targets;
import dev.mayfly.template.SyncCron;
import dev.mayfly.template.Template;
import dev.mayfly.template.TemplateCatalog;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one entry point for commands: launch ({@link LaunchPlan}, {@link Launcher}), sync and
 * rollback ({@link Releases}), extend and terminate ({@link Lifecycle}), and what the registry says
 * about deployments (list, status, overview).
 */
public final class Deployments {
  /** The {@code --expires} value that means no expiry; it has to be given explicitly. */
  public static final String NEVER = "never";

  private final DeploymentContext ctx;
  private final Releases releases;
  private final Lifecycle lifecycle;
  private final ServiceReleases serviceReleases;

  public Deployments(
      Path stateDir, Registry registry, TemplateCatalog catalog, Providers providers, Clock clock) {
    this(stateDir, registry, catalog, providers, Targets.none(), clock, System.getenv());
  }

  /**
   * @param env the caller's environment: {@code SSH_AUTH_SOCK} for {@code --identity agent}
   */
  public Deployments(
      Path stateDir,
      Registry registry,
      TemplateCatalog catalog,
      Providers providers,
      Clock clock,
      Map<String, String> env) {
    this(stateDir, registry, catalog, providers, Targets.none(), clock, env);
  }

  /**
   * @param targets what {@code --target NAME} means
   * @param env the caller's environment: {@code SSH_AUTH_SOCK} for {@code --identity agent}
   */
  public Deployments(
      Path stateDir,
      Registry registry,
      TemplateCatalog catalog,
      Providers providers,
      Targets targets,
      Clock clock,
      Map<String, String> env) {
    this.ctx =
        new DeploymentContext(
            stateDir,
            registry,
            catalog,
            providers,
            targets,
            new GitRepos(stateDir, env),
            clock,
            env);
    this.releases = new Releases(ctx);
    this.lifecycle = new Lifecycle(ctx);
    this.serviceReleases = new ServiceReleases(ctx);
  }

  /** What {@code --target NAME} means here. */
  public Targets targets() {
    return ctx.targets();
  }

  /**
   * What a provider of {@code target} is made with here: the target's settings and name, this
   * mayfly's environment (for secrets a target points at) and registry (bare-metal reservations).
   *
   * @param deploymentId null for work on the target itself (listing, reaping)
   * @param access null where no host is opened
   */
  public ProviderContext context(Target target, String deploymentId, SshAccess access) {
    return ctx.providerContext(target, deploymentId, access);
  }

  /** A template by name from the catalog, or from a file when {@code file} is given. */
  public Template template(String name, Path file) {
    return ctx.template(name, file);
  }

  public TemplateCatalog catalog() {
    return ctx.catalog();
  }

  /** Validates everything first; only then records the deployment and touches hosts. */
  public LaunchResult launch(LaunchOptions options, Progress progress) {
    return launch(options, progress, LaunchCancel.NONE);
  }

  /**
   * Like {@link #launch(LaunchOptions, Progress)}; once {@code cancel} fires it ends what it
   * started and throws.
   */
  public LaunchResult launch(LaunchOptions options, Progress progress, LaunchCancel cancel) {
    LaunchResult result = new Launcher(ctx).launch(LaunchPlan.of(options, ctx), progress, cancel);
    return result.ok() ? result.withNote(daemonNote(result)) : result;
  }

  /**
   * Says, when it matters, that syncs and expiry need a running daemon: null when a daemon serves
   * this registry, or the deployment neither syncs nor expires.
   */
  private String daemonNote(LaunchResult result) {
    if (ctx.registry().daemonServing(ctx.clock().instant())) {
      return null;
    }
    List<String> needs = new java.util.ArrayList<>();
    ctx.registry()
        .schedule(result.deploymentId())
        .flatMap(ScheduleRow::syncCron)
        .ifPresent(cron -> needs.add("scheduled syncs (" + cron + ")"));
    if (result.expiresAt() != null) {
      needs.add("expiry (" + result.expiresAt() + ")");
    }
    return needs.isEmpty()
        ? null
        : "`mayfly daemon` runs "
            + String.join(" and ", needs)
            + "; none is running for this registry now";
  }

  /**
   * {@code list}: the deployments, whether a {@code mayfly daemon} serves them (it runs their syncs
   * and expiry), and how many terminated ones were left out.
   */
  public record Listing(List<Overview> deployments, boolean daemonServing, int hiddenTerminated) {}

  /**
   * @param terminatedToo whether ended deployments are listed too ({@code list --all})
   * @param olderThan see {@link #overview(String)}
   */
  public Listing list(boolean terminatedToo, String olderThan) {
    List<Overview> all = overview(olderThan);
    List<Overview> shown =
        terminatedToo
            ? all
            : all.stream()
                .filter(o -> o.deployment().state() != DeploymentState.TERMINATED)
                .toList();
    return new Listing(
        shown, ctx.registry().daemonServing(ctx.clock().instant()), all.size() - shown.size());
  }

  /**
   * Checks {@code options} and picks the deployment id now, so a caller that runs the launch in the
   * background (the web API) can refuse bad input at once and name the deployment before it exists.
   */
  public PlannedLaunch plan(LaunchOptions options) {
    LaunchPlan plan = LaunchPlan.of(options, ctx);
    return new PlannedLaunch(
        plan.id(), (progress, cancel) -> new Launcher(ctx).launch(plan, progress, cancel));
  }

  /**
   * Forgets a pinned host key ({@code addr[:port]}), after its owner confirmed the server was
   * rebuilt.
   */
  public boolean forgetHostKey(String hostPort) {
    String normalized =
        hostPort.matches(".*:[0-9]+$") && !hostPort.endsWith("]") ? hostPort : hostPort + ":22";
    return ctx.registry().forgetHostKey(normalized);
  }

  public List<DeploymentRow> list() {
    return ctx.registry().list();
  }

  /** A deployment with its hosts and history. */
  public record Status(DeploymentRow deployment, List<HostRow> hosts, List<EventRow> events) {}

  public Status status(String id) {
    DeploymentRow d = ctx.require(id);
    return new Status(d, ctx.registry().hosts(id), ctx.registry().events(id));
  }

  /**
   * The outcome of a sync.
   *
   * @param updated hosts that got the new release
   * @param failures host id to why, for hosts that kept their previous release
   * @param failedSteps the same hosts' failures with their step, last lines and log
   */
  public record SyncResult(
      String deploymentId,
      String commit,
      List<String> updated,
      List<String> unchanged,
      Map<String, String> failures,
      List<HostOutcome> failedSteps) {
    public boolean changedAnything() {
      return !updated.isEmpty();
    }
  }

  /**
   * Publishes the data repo's newest commit on every healthy host that does not have it yet; a host
   * that fails keeps serving its previous release. A manual sync also lifts a rollback's pin.
   */
  public SyncResult sync(String id, Progress progress) {
    ctx.requireLive(id);
    try (DeploymentLocks.Held lock = ctx.registry().lock(id, Lifecycle.LOCK_WAIT)) {
      return releases.sync(id, progress);
    }
  }

  /**
   * The data releases a deployment can roll back to.
   *
   * @param commits newest published first
   * @param live the commit its (first healthy) host serves, null before any publish
   * @param host the host whose releases these are; null when they are the commits the registry
   *     recorded as published, because no host could be asked
   * @param unread why the host could not be asked, or null
   */
  public record HeldReleases(List<String> commits, String live, String host, String unread) {}

  /**
   * The releases the deployment's first healthy host holds (rollback picks from these), else the
   * commits its hosts published as the registry recorded them.
   */
  public HeldReleases releases(String id) {
    return releases.held(id);
  }

  /**
   * Switches {@code current} back on every healthy host: to {@code to} (a commit or a unique prefix
   * of one among the host's releases), or else to the release published before the live one.
   * Scheduled syncs then leave the deployment at that commit until the next manual {@code mayfly
   * sync}.
   */
  public SyncResult rollback(String id, String to, Progress progress) {
    ctx.requireLive(id);
    try (DeploymentLocks.Held lock = ctx.registry().lock(id, Lifecycle.LOCK_WAIT)) {
      return releases.rollback(id, to, progress);
    }
  }

  /**
   * One host a recycle replaced.
   *
   * @param gapMillis from stopping the old service to the new one answering its health check
   */
  public record HostMove(String host, String oldRoot, String newRoot, long gapMillis) {}

  /**
   * The outcome of a recycle.
   *
   * @param ok false when the new hosts failed and the old ones kept serving ({@code why} says why)
   * @param urlChanged true when the deployment answers at a new URL ({@code url})
   */
  public record RecycleResult(
      String deploymentId,
      boolean ok,
      String oldService,
      String newService,
      String oldData,
      String newData,
      String url,
      boolean urlChanged,
      List<HostMove> hosts,
      String why) {
    /** The longest time a host served nothing. */
    public long maxGapMillis() {
      return hosts.stream().mapToLong(HostMove::gapMillis).max().orElse(0);
    }
  }

  /**
   * Replaces every host with a fresh one at the newest service and data commits ({@code
   * sameCommits}: the recorded ones); the old hosts serve until the new ones are healthy, and keep
   * serving when they fail. Keeps the id, history and expiry.
   */
  public RecycleResult recycle(String id, boolean sameCommits, Progress progress) {
    ctx.requireLive(id);
    try (DeploymentLocks.Held lock = ctx.registry().lock(id, Lifecycle.LOCK_WAIT)) {
      return new Recycler(ctx).recycle(id, sameCommits, progress);
    }
  }

  /**
   * Prints the service log of every host (or {@code host}), each line prefixed with its host;
   * {@code follow} keeps printing until interrupted. {@code since} (a duration, null for all) keeps
   * events and time-stamped lines that recent; {@code events} merges in the deployment's history.
   */
  public void logs(
      String id,
      String host,
      boolean follow,
      String since,
      int lines,
      boolean events,
      java.util.function.Consumer<String> out) {
    new HostAccess(ctx)
        .logs(
            id,
            new HostAccess.LogQuery(
                host,
                follow,
                since == null ? null : dev.mayfly.template.Durations.parse("--since", since),
                lines,
                events),
            out);
  }

  /**
   * Runs {@code command} on one host ({@code host}, else the first) in the deployment root with
   * {@code mayfly.env} loaded, or an interactive shell there when it is empty; the host key must be
   * the pinned one.
   *
   * @param note where a remark for the user goes (stderr)
   * @return the command's exit code
   */
  public int shell(
      String id,
      String host,
      List<String> command,
      java.util.function.Consumer<String> out,
      java.util.function.Consumer<String> note) {
    return new HostAccess(ctx).shell(id, host, command, out, note);
  }

  /**
   * The outcome of an upgrade, service rollback or restart.
   *
   * @param commit the service commit the hosts serve now
   * @param previous the one they served before
   * @param updated hosts that switched (or restarted)
   * @param unchanged hosts left as they were, already at {@code commit}
   * @param failures host id to why, for the host that failed (it went back to its release)
   * @param reverted hosts switched back to their previous release because another host failed
   */
  public record ServiceResult(
      String deploymentId,
      String commit,
      String previous,
      List<String> updated,
      List<String> unchanged,
      Map<String, String> failures,
      List<String> reverted) {}

  /**
   * Moves the service of every healthy host to {@code to} (a commit or ref; null for the template's
   * ref, resolved anew) in a new release: install, restart, health; a host that fails goes back to
   * its previous release, and so do the hosts switched before it. {@code template} also applies the
   * edited template file's install, start, health and url.
   */
  public ServiceResult upgrade(String id, String to, boolean template, Progress progress) {
    ctx.requireLive(id);
    try (DeploymentLocks.Held lock = ctx.registry().lock(id, Lifecycle.LOCK_WAIT)) {
      return serviceReleases.upgrade(id, to, template, progress);
    }
  }

  /** Switches every healthy host back to the service release before the live one and restarts. */
  public ServiceResult rollbackService(String id, Progress progress) {
    ctx.requireLive(id);
    try (DeploymentLocks.Held lock = ctx.registry().lock(id, Lifecycle.LOCK_WAIT)) {
      return serviceReleases.rollback(id, progress);
    }
  }

  /** Restarts the service on every healthy host with the frozen start command, then checks it. */
  public ServiceResult restart(String id, Progress progress) {
    ctx.requireLive(id);
    try (DeploymentLocks.Held lock = ctx.registry().lock(id, Lifecycle.LOCK_WAIT)) {
      return serviceReleases.restart(id, progress);
    }
  }

  /** What the parts behind this facade share, for {@link Reaper} and tests. */
  DeploymentContext deploymentContext() {
    return ctx;
  }

  Releases releases() {
    return releases;
  }

  /**
   * Moves the expiry: {@code by} a duration from the current expiry (or from now, when it has none
   * or is past), or to {@code until}; {@code never} removes it, and must be asked for on its own.
   *
   * @return the new expiry, empty for never
   */
  public Optional<Instant> extend(String id, String by, String until, boolean never) {
    return lifecycle.extend(id, by, until, never);
  }

  /** A deployment with what the scheduler keeps about it. */
  public record Overview(
      DeploymentRow deployment,
      Optional<ScheduleRow> schedule,
      Optional<dev.mayfly.store.RecycleRow> recycling) {
    public Overview(DeploymentRow deployment, Optional<ScheduleRow> schedule) {
      this(deployment, schedule, Optional.empty());
    }

    /** When the hosts now serving were made: at launch, or at the last recycle. */
    public Instant hostsSince() {
      return recycling.map(dev.mayfly.store.RecycleRow::hostsSince).orElse(deployment.createdAt());
    }

    /** How old the serving hosts are; empty once the deployment holds none. */
    public Optional<java.time.Duration> hostAge(Instant now) {
      return deployment.state() == DeploymentState.TERMINATED
          ? Optional.empty()
          : Optional.of(java.time.Duration.between(hostsSince(), now));
    }

    /**
     * When the daemon syncs it next: as scheduled, else the cron's next run; empty when it does not
     * sync.
     */
    public Optional<Instant> nextSync(Instant now) {
      if (schedule.isEmpty()
          || schedule.get().syncCron().isEmpty()
          || deployment.state() != DeploymentState.RUNNING
          || schedule.get().dataPin().isPresent()) {
        return Optional.empty();
      }
      return schedule
          .get()
          .nextSyncAt()
          .filter(now::isBefore)
          .or(() -> cronNext(schedule.get().syncCron().get(), now));
    }

    private static Optional<Instant> cronNext(String stored, Instant now) {
      try {
        return SyncCron.next(stored, now);
      } catch (IllegalArgumentException e) {
        return Optional.empty(); // a cron written by hand: the daemon marks it schedule-error
      }
    }
  }

  /** Every deployment with its schedule, newest first. */
  public List<Overview> overview() {
    return ctx.registry().overviews().stream()
        .map(o -> new Overview(o.deployment(), Optional.of(o.schedule()), o.recycling()))
        .toList();
  }

  /**
   * Forgets terminated deployments that ended more than {@code olderThan} ago: their rows, history
   * and logs, so their ids can be launched again.
   *
   * @return the ids forgotten (or, with {@code dryRun}, that would be)
   */
  public List<String> prune(Duration olderThan, boolean dryRun) {
    List<String> ids = ctx.registry().prune(Instant.now().minus(olderThan), dryRun);
    for (String id : dryRun ? List.<String>of() : ids) {
      try {
        DeploymentContext.deleteTree(ctx.logDir(id));
      } catch (java.io.IOException e) {
        throw MayflyException.failed(
            "deployment "
                + id
                + " was forgotten, but its logs could not be removed: "
                + e.getMessage());
      }
    }
    return ids;
  }

  /**
   * Like {@link #overview()}; with {@code olderThan} (a duration, {@code list --older-than}) only
   * deployments whose hosts are older than that.
   */
  public List<Overview> overview(String olderThan) {
    if (olderThan == null) {
      return overview();
    }
    java.time.Duration age = dev.mayfly.template.Durations.parse("--older-than", olderThan);
    Instant now = ctx.clock().instant();
    return overview().stream()
        .filter(o -> o.hostAge(now).filter(a -> a.compareTo(age) > 0).isPresent())
        .toList();
  }

  /** One deployment's overview, as {@code status} shows it. */
  public Overview overview(DeploymentRow d) {
    return new Overview(d, schedule(d.id()), ctx.registry().recycling(d.id()));
  }

  /** One deployment's schedule. */
  public Optional<ScheduleRow> schedule(String id) {
    return ctx.registry().schedule(id);
  }

  /**
   * Stops the service and removes the deployment root on every host, then has the provider end the
   * hosts. Safe to repeat on a failed, half-launched or terminate-failed deployment. Where a host
   * may still run the service (its clean stop failed on a server mayfly does not end), the
   * deployment is left {@code terminate-failed} and this throws; {@code force} forgets it anyway
   * and says what was left where.
   */
  public Termination terminate(String id, boolean force, Progress progress) {
    return lifecycle.terminate(id, progress, "terminated", force);
  }

  public Termination terminate(String id, Progress progress) {
    return terminate(id, false, progress);
  }

  Lifecycle lifecycle() {
    return lifecycle;
  }
}
