package dev.mayfly.deploy;

import dev.mayfly.store.HostState;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.MayflyException;
import dev.mayfly.git.GitRepos;
import dev.mayfly.host.Identity;
import dev.mayfly.host.SshAccess;
import dev.mayfly.host.ssh.KeyFiles;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.Launched;
import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.Provider;
import dev.mayfly.provider.ProviderContext;
import dev.mayfly.provider.Providers;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.EventRow;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.Registry;
import dev.mayfly.target.Target;
import dev.mayfly.target.Targets;
import dev.mayfly.store.ScheduleRow;
import dev.mayfly.template.Commands;
import dev.mayfly.template.Durations;
import dev.mayfly.template.Params;
import dev.mayfly.template.Template;
import dev.mayfly.template.TemplateCatalog;
import dev.mayfly.template.TemplateLoader;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/** The deployment lifecycle: launch, list, status, sync, terminate. The one entry point for commands. */
public final class Deployments {
  /** The {@code --expires} value that means no expiry; it has to be given explicitly. */
  public static final String NEVER = "never";
  private static final String SECRET_MASK = "(secret)";
  /** "ssh open" for sync and terminate: the hosts are up already, so fail sooner than at launch. */
  private static final Duration OPERATION_SSH_DEADLINE = Duration.ofSeconds(60);
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

  private final Path stateDir;
  private final Registry registry;
  private final TemplateCatalog catalog;
  private final Providers providers;
  private final Targets targets;
  private final GitRepos git;
  private final Clock clock;
  private final Map<String, String> env;

  public Deployments(Path stateDir, Registry registry, TemplateCatalog catalog, Providers providers, Clock clock) {
    this(stateDir, registry, catalog, providers, Targets.none(), clock, System.getenv());
  }

  /** @param env the caller's environment: {@code SSH_AUTH_SOCK} for {@code --identity agent} */
  public Deployments(Path stateDir, Registry registry, TemplateCatalog catalog, Providers providers, Clock clock,
      Map<String, String> env) {
    this(stateDir, registry, catalog, providers, Targets.none(), clock, env);
  }

  /**
   * @param targets what {@code --target NAME} means
   * @param env the caller's environment: {@code SSH_AUTH_SOCK} for {@code --identity agent}
   */
  public Deployments(Path stateDir, Registry registry, TemplateCatalog catalog, Providers providers, Targets targets,
      Clock clock, Map<String, String> env) {
    this.stateDir = stateDir;
    this.registry = registry;
    this.catalog = catalog;
    this.providers = providers;
    this.targets = targets;
    this.git = new GitRepos(stateDir);
    this.clock = clock;
    this.env = Map.copyOf(env);
  }

  /** What {@code --target NAME} means here. */
  public Targets targets() {
    return targets;
  }

  /** The provider behind a target name, with the target's settings, for one deployment; the caller closes it. */
  private Provider provider(String targetName, String id, SshAccess access) {
    Target target = targets.resolve(targetName);
    return providers.create(target.provider(), context(target, id, access));
  }

  /**
   * What a provider of {@code target} is made with here: the target's settings and name, this mayfly's
   * environment (for secrets a target points at) and registry (bare-metal reservations).
   *
   * @param deploymentId null for work on the target itself (listing, reaping)
   * @param access null where no host is opened
   */
  public ProviderContext context(Target target, String deploymentId, SshAccess access) {
    return new ProviderContext(stateDir, target.settings(), deploymentId, access, target.name(), env,
        Optional.of(registry));
  }

  /** A template by name from the catalog, or from a file when {@code file} is given. */
  public Template template(String name, Path file) {
    return TemplateLoader.load(file != null ? file : catalog.find(name));
  }

  public TemplateCatalog catalog() {
    return catalog;
  }

  /** Validates everything first; only then records the deployment and touches hosts. */
  public LaunchResult launch(LaunchOptions options, Progress progress) {
    Template template = template(options.template(), options.file());
    Map<String, String> params = Params.resolve(template, Params.parseAssignments(options.params()));
    HostRoots.requireAllowed(template, targets.resolve(options.target()));
    Instant now = clock.instant();
    // "never" must be asked for by name: no default, no template, makes a deployment live forever
    Instant expiresAt = options.expires() == null
        ? now.plus(template.lifetime())
        : NEVER.equals(options.expires().strip()) ? null : Durations.parseExpiry("--expires", options.expires(), now);
    String syncCron = options.sync() != null
        ? SyncCron.validate("--sync", options.sync())
        : template.sync().map(Template.Sync::cron).orElse(null);
    if (options.count() < 1) {
      throw MayflyException.badInput("--count: must be at least 1");
    }
    String id = newId(options.name(), template.name());
    Template.GitMode gitMode = template.git();
    if (options.gitMode() != null) {
      gitMode = Template.GitMode.parse(options.gitMode());
      if (gitMode == null) {
        throw MayflyException.badInput("--git-mode: '" + options.gitMode() + "' must be pull, push or auto");
      }
    }
    Duration sshDeadline = options.sshTimeout() == null
        ? SshAccess.DEFAULT_CONNECT_DEADLINE
        : Durations.parse("--ssh-timeout", options.sshTimeout());
    Identity identity = options.identity() == null
        ? Identity.generated(keyFile(id))
        : Identity.parse("--identity", options.identity(), Path.of("").toAbsolutePath(), env.get("SSH_AUTH_SOCK"));
    try (Provider provider = provider(options.target(), id, access(identity).withConnectDeadline(sshDeadline))) {
      return launch(options, template, params, id, now, expiresAt, syncCron, gitMode, identity, provider, progress);
    }
  }

  private LaunchResult launch(LaunchOptions options, Template template, Map<String, String> params, String id,
      Instant now, Instant expiresAt, String syncCron, Template.GitMode gitMode, Identity identity,
      Provider provider, Progress progress) {
    Spec spec = Spec.of(template).with(gitMode, identity.spec());
    GitRepos.Pinned service = pin("service.repo", spec.service());
    GitRepos.Pinned data = pin("data.repo", spec.data());

    registry.insert(new DeploymentRow(id, template.name(), options.target(), DeploymentState.LAUNCHING, masked(template, params),
        spec.toJson(), Optional.of(service.commit()), Optional.of(data.commit()), Optional.empty(), now,
        Optional.ofNullable(expiresAt), 0));
    if (syncCron != null) {
      registry.setSyncCron(id, syncCron);
    }
    registry.event(id, null, "launched", "template " + template.name() + " on " + options.target() + ", "
        + options.count() + " host(s), service " + service.commit() + ", data " + data.commit()
        + (syncCron == null ? "" : ", sync '" + syncCron + "'") + (expiresAt == null ? ", never expires" : ""));

    if (identity.generated()) {
      KeyFiles.generateEd25519(identity.keyFile(), "mayfly-" + id);
    }
    // the row above exists before the provider creates anything: a crash from here on leaves tagged
    // resources the reaper can match to it
    Map<String, List<String>> providerOptions = new LinkedHashMap<>(options.providerOptions());
    providerOptions.put("host", options.hosts());
    Launched launched;
    try {
      launched = provider.launch(new LaunchRequest(id, template.name(), options.count(), template.ports(),
          expiresAt, providerOptions));
    } catch (RuntimeException e) {
      // the row stays, so terminate and the reaper can still find whatever the provider made
      registry.setState(id, DeploymentState.FAILED);
      registry.event(id, null, "failed", "getting hosts: " + e.getMessage());
      throw e;
    }
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("MAYFLY_DEPLOYMENT", id);
    Bootstrap bootstrap = new Bootstrap(id, spec, service, data,
        (host, root) -> envFile(template, params, host, root, extra), provider, registry, progress, logDir(id),
        new GitDelivery(git, gitMode, provider.hostsSeeControllerFiles()));
    List<HostOutcome> outcomes = new ArrayList<>(fanOut(id, launched.hosts(), bootstrap, options.parallel()));
    launched.failed().forEach((hostId, why) -> {
      registry.event(id, hostId, "failed", "provision: " + why);
      outcomes.add(new HostOutcome(hostId, null, "provision", why, null, null));
    });

    boolean ok = outcomes.stream().allMatch(HostOutcome::healthy);
    String url = outcomes.stream().filter(HostOutcome::healthy).map(HostOutcome::url).findFirst().orElse(null);
    if (url != null) {
      registry.setUrl(id, url);
    }
    DeploymentState state = ok ? DeploymentState.RUNNING : DeploymentState.FAILED;
    registry.setState(id, state);
    registry.event(id, null, ok ? "running" : "failed",
        outcomes.stream().filter(HostOutcome::healthy).count() + " of " + outcomes.size() + " host(s) healthy");
    return new LaunchResult(id, state, url, expiresAt, outcomes);
  }

  /** @param root the deployment root as resolved on the host (a leading ~ already expanded) */
  private String envFile(Template template, Map<String, String> params, Host host, String root,
      Map<String, String> extra) {
    Map<String, String> all = new LinkedHashMap<>(extra);
    if (root != null) {
      all.put("MAYFLY_ROOT", root);
      all.put("MAYFLY_DATA", root + "/data/current");
    }
    return Commands.envFile(template, params, host.ports(), all);
  }

  /**
   * Bootstraps every host, at most {@code parallel} at once. A host whose bootstrap crashed is reported as
   * failed like any other, so one host never hides the others' results.
   */
  private List<HostOutcome> fanOut(String id, List<Host> hosts, Bootstrap bootstrap, int parallel) {
    if (parallel < 1) {
      throw MayflyException.badInput("--parallel: must be at least 1");
    }
    int threads = Math.max(1, Math.min(hosts.size(), parallel));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<HostOutcome>> futures = new ArrayList<>();
      for (Host host : hosts) {
        futures.add(pool.submit(() -> bootstrap.run(host)));
      }
      List<HostOutcome> outcomes = new ArrayList<>();
      for (int i = 0; i < futures.size(); i++) {
        try {
          outcomes.add(futures.get(i).get());
        } catch (ExecutionException e) {
          Host host = hosts.get(i);
          String why = "internal error: " + e.getCause();
          registry.event(id, host.id(), "failed", why);
          outcomes.add(new HostOutcome(host.id(), bootstrap.url(host, "/"), "bootstrap", why, null,
              logDir(id).resolve(host.id() + ".log").toString()));
        }
      }
      return outcomes;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw MayflyException.failed("launch interrupted; `mayfly terminate` cleans up what started");
    } finally {
      pool.shutdownNow();
    }
  }

  private Path keyFile(String id) {
    return stateDir.resolve("keys").resolve(id).resolve("id_ed25519");
  }

  private SshAccess access(Identity identity) {
    return new SshAccess(identity, new RegistryHostKeys(registry), SshAccess.DEFAULT_CONNECT_DEADLINE,
        SshAccess.DEFAULT_KEEPALIVE);
  }

  /** The provider for a recorded deployment, logging in as it did at launch. */
  private Provider providerFor(DeploymentRow d, Spec spec) {
    Identity identity = spec.identity() == null
        ? Identity.generated(keyFile(d.id()))
        : Identity.fromSpec(spec.identity(), env.get("SSH_AUTH_SOCK"));
    return provider(d.target(), d.id(), access(identity).withConnectDeadline(OPERATION_SSH_DEADLINE));
  }

  /** Forgets a pinned host key ({@code addr[:port]}), after its owner confirmed the server was rebuilt. */
  public boolean forgetHostKey(String hostPort) {
    String normalized = hostPort.matches(".*:[0-9]+$") && !hostPort.endsWith("]") ? hostPort : hostPort + ":22";
    return registry.forgetHostKey(normalized);
  }

  private GitRepos.Pinned pin(String field, Spec.Repo repo) {
    return git.pin(field, repo.url(), repo.path(), repo.ref());
  }

  private String newId(String name, String template) {
    if (name != null) {
      if (!NAME.matcher(name).matches()) {
        throw MayflyException.badInput("--name: '" + name + "' must be lower-case letters, digits and '-', at most 40");
      }
      if (registry.find(name).isPresent()) {
        throw MayflyException.badInput("--name: a deployment named '" + name + "' exists already");
      }
      return name;
    }
    SecureRandom random = new SecureRandom();
    while (true) {
      byte[] bytes = new byte[3];
      random.nextBytes(bytes);
      String id = template + "-" + HexFormat.of().formatHex(bytes);
      if (registry.find(id).isEmpty()) {
        return id;
      }
    }
  }

  private static Map<String, String> masked(Template template, Map<String, String> params) {
    Map<String, String> shown = new LinkedHashMap<>();
    params.forEach((k, v) -> shown.put(k, template.params().get(k).secret() ? SECRET_MASK : v));
    return shown;
  }

  private Path logDir(String id) {
    return stateDir.resolve("logs").resolve(id);
  }

  public List<DeploymentRow> list() {
    return registry.list();
  }

  /** A deployment with its hosts and history. */
  public record Status(DeploymentRow deployment, List<HostRow> hosts, List<EventRow> events) {}

  public Status status(String id) {
    DeploymentRow d = require(id);
    return new Status(d, registry.hosts(id), registry.events(id));
  }

  DeploymentRow require(String id) {
    return registry.find(id).orElseThrow(() -> MayflyException.wrongState(
        "unknown deployment '" + id + "' (see `mayfly list`)"));
  }

  private DeploymentRow requireLive(String id) {
    DeploymentRow d = require(id);
    if (d.state() == DeploymentState.TERMINATED) {
      throw MayflyException.wrongState("deployment '" + id + "' is terminated");
    }
    return d;
  }

  /**
   * The outcome of a sync.
   *
   * @param updated hosts that got the new release
   * @param failures host id to why, for hosts that kept their previous release
   */
  public record SyncResult(String deploymentId, String commit, List<String> updated, List<String> unchanged,
      Map<String, String> failures) {
    public boolean changedAnything() {
      return !updated.isEmpty();
    }
  }

  /**
   * Publishes the data repo's newest commit on every healthy host that does not have it yet. The repo is
   * resolved once; hosts already at that commit are not contacted. A host that fails keeps serving its
   * previous release. A manual sync also lifts a rollback's pin.
   */
  public SyncResult sync(String id, Progress progress) {
    DeploymentRow d = requireLive(id);
    Spec spec = Spec.fromJson(d.spec());
    GitRepos.Pinned data = resolveData(spec);
    registry.setDataPin(id, null);
    SyncResult result = publish(d, spec, data, "synced", progress);
    if (result.updated().isEmpty() && result.failures().isEmpty()) {
      registry.event(id, null, "sync-unchanged", "data repo still at " + data.commit());
    }
    return result;
  }

  /** Resolves a data repo to its newest commit (one ls-remote, or one snapshot of a local folder). */
  GitRepos.Pinned resolveData(Spec spec) {
    return pin("data.repo", spec.data());
  }

  /** The healthy hosts of {@code d} that do not serve {@code commit}: the ones a sync would contact. */
  List<HostRow> stale(String id, String commit) {
    return registry.hosts(id).stream()
        .filter(Deployments::healthy)
        .filter(row -> row.dataCommit().filter(commit::equals).isEmpty())
        .toList();
  }

  /**
   * Publishes {@code data} on each healthy host of {@code d} that does not serve it yet, one host session
   * each. Records {@code kind} (synced, rolled-back) per host; a failing host keeps its release.
   */
  SyncResult publish(DeploymentRow d, Spec spec, GitRepos.Pinned data, String kind, Progress progress) {
    try (Provider provider = providerFor(d, spec)) {
      return publish(d, spec, data, kind, provider, progress);
    }
  }

  private SyncResult publish(DeploymentRow d, Spec spec, GitRepos.Pinned data, String kind, Provider provider,
      Progress progress) {
    String id = d.id();
    GitDelivery delivery = new GitDelivery(git, spec.git(), provider.hostsSeeControllerFiles());
    List<String> updated = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    Map<String, String> failures = new LinkedHashMap<>();
    for (HostRow row : registry.hosts(id)) {
      if (!healthy(row)) {
        continue;
      }
      if (row.dataCommit().filter(data.commit()::equals).isPresent()) {
        unchanged.add(row.hostId());
        continue;
      }
      String why = onHost(id, provider, row, "sync", progress, session -> {
        String how = delivery.deliver("sync", "data.repo", session, data, spec.data().ref(),
            (url, ref) -> session.publishData(url, data.commit(), ref, spec.publish(), spec.keep()));
        registry.event(id, row.hostId(), "git", how);
        registry.putHost(new HostRow(id, row.hostId(), row.address(), row.ports(), row.root(), row.state(),
            Optional.of(data.commit()), row.detail()));
        registry.event(id, row.hostId(), kind, "data at " + data.commit());
      });
      if (why == null) {
        updated.add(row.hostId());
      } else {
        registry.event(id, row.hostId(), kind.equals("synced") ? "sync-failed" : kind + "-failed",
            why + "; previous release still serving");
        failures.put(row.hostId(), why);
      }
    }
    if (!updated.isEmpty() && failures.isEmpty()) {
      registry.setDataCommit(id, data.commit());
    }
    return new SyncResult(id, data.commit(), updated, unchanged, failures);
  }

  /**
   * Switches {@code current} back on every healthy host: to {@code to} (a commit or a unique prefix of
   * one among the host's releases), or else to the release published before the live one. Scheduled
   * syncs then leave the deployment at that commit until the next manual {@code mayfly sync}.
   */
  public SyncResult rollback(String id, String to, Progress progress) {
    DeploymentRow d = requireLive(id);
    Spec spec = Spec.fromJson(d.spec());
    String current = d.dataCommit().orElseThrow(() -> MayflyException.wrongState(
        "deployment '" + id + "' has no published data to roll back from"));
    List<HostRow> healthy = registry.hosts(id).stream().filter(Deployments::healthy).toList();
    if (healthy.isEmpty()) {
      throw MayflyException.wrongState("deployment '" + id + "' has no healthy host to roll back");
    }
    HostRow first = healthy.get(0);
    List<String> releases;
    try (Provider provider = providerFor(d, spec);
        HostLog log = new HostLog(logDir(id).resolve(first.hostId() + ".log"));
        HostSession session = HostSession.open(provider.open(hostOf(first)), log, first.root().orElseThrow(), id,
            registry.id())) {
      releases = session.releases();
    }
    String target = rollbackTarget(to, current, releases);
    GitRepos.Pinned data = new GitRepos.Pinned(resolveData(spec).fetchUrl(), target);
    SyncResult result = publish(d, spec, data, "rolled-back", progress);
    registry.setDataPin(id, target);
    registry.event(id, null, "rollback", "data pinned at " + target + " (was " + current
        + "); `mayfly sync " + id + "` resumes syncing");
    return result;
  }

  private static String rollbackTarget(String to, String current, List<String> releases) {
    if (to == null) {
      return releases.stream().filter(r -> !r.equals(current)).findFirst().orElseThrow(() ->
          MayflyException.wrongState("no earlier release on the host to roll back to (releases: "
              + String.join(", ", releases) + ")"));
    }
    String prefix = to.strip().toLowerCase(java.util.Locale.ROOT);
    if (!prefix.matches("[0-9a-f]{4,40}")) {
      throw MayflyException.badInput("--to: '" + to + "' is not a commit id (4 to 40 hex digits)");
    }
    List<String> matches = releases.stream().filter(r -> r.startsWith(prefix)).toList();
    if (matches.size() != 1) {
      throw MayflyException.badInput("--to: '" + to + "' matches " + matches.size()
          + " release(s) on the host (releases: " + String.join(", ", releases) + ")");
    }
    return matches.get(0);
  }

  /**
   * Opens a logged session on a recorded host and runs {@code body} as one step reported to
   * {@code progress}.
   *
   * @return null when it worked, else why not (the host keeps what it had)
   */
  private String onHost(String id, Provider provider, HostRow row, String step, Progress progress,
      Consumer<HostSession> body) {
    long start = System.nanoTime();
    progress.started(row.hostId(), step);
    String why = null;
    try (HostLog log = new HostLog(logDir(id).resolve(row.hostId() + ".log"));
        HostSession session = HostSession.open(provider.open(hostOf(row)), log, row.root().orElseThrow(), id,
            registry.id())) {
      body.accept(session);
    } catch (HostSession.StepFailed | MayflyException e) {
      why = e.getMessage();
    }
    progress.finished(row.hostId(), step, Duration.ofNanos(System.nanoTime() - start), why);
    return why;
  }

  /** Hosts that came up healthy are the ones syncs and rollbacks serve. */
  private static boolean healthy(HostRow row) {
    return row.state() == HostState.HEALTHY;
  }

  private static Host hostOf(HostRow row) {
    return new Host(row.hostId(), row.address(), row.ports(), row.root());
  }

  /**
   * Moves the expiry: {@code by} a duration from the current expiry (or from now, when it has none or is
   * past), or to {@code until}; {@code never} removes it, and must be asked for on its own.
   *
   * @return the new expiry, empty for never
   */
  public Optional<Instant> extend(String id, String by, String until, boolean never) {
    DeploymentRow d = requireLive(id);
    int given = (by != null ? 1 : 0) + (until != null ? 1 : 0) + (never ? 1 : 0);
    if (given != 1) {
      throw MayflyException.badInput("extend: give exactly one of --by DURATION, --until TIME or --never");
    }
    Instant now = clock.instant();
    Instant expiresAt;
    if (never) {
      expiresAt = null;
    } else if (by != null) {
      Instant from = d.expiresAt().filter(now::isBefore).orElse(now);
      expiresAt = from.plus(Durations.parse("--by", by));
    } else {
      expiresAt = Durations.parseExpiry("--until", until, now);
    }
    registry.setExpiry(id, expiresAt);
    registry.event(id, null, "extended", "expires " + (expiresAt == null ? NEVER : expiresAt.toString())
        + " (was " + d.expiresAt().map(Instant::toString).orElse(NEVER) + ")");
    // the backend's own copy: EC2 moves its expiry tags and re-arms the fail-safe on each instance
    try (Provider provider = providerFor(d, Spec.fromJson(d.spec()))) {
      provider.extend(id, registry.hosts(id).stream().map(Deployments::hostOf).toList(), expiresAt);
    }
    return Optional.ofNullable(expiresAt);
  }

  /** A deployment with what the scheduler keeps about it. */
  public record Overview(DeploymentRow deployment, Optional<ScheduleRow> schedule) {
    /** When the daemon syncs it next: as scheduled, else the cron's next run; empty when it does not sync. */
    public Optional<Instant> nextSync(Instant now) {
      if (schedule.isEmpty() || schedule.get().syncCron().isEmpty()
          || deployment.state() != DeploymentState.RUNNING || schedule.get().dataPin().isPresent()) {
        return Optional.empty();
      }
      return schedule.get().nextSyncAt().filter(now::isBefore)
          .or(() -> SyncCron.next(schedule.get().syncCron().get(), now));
    }
  }

  /** Every deployment with its schedule, newest first. */
  public List<Overview> overview() {
    Map<String, ScheduleRow> schedules = registry.schedules();
    return registry.list().stream().map(d -> new Overview(d, Optional.ofNullable(schedules.get(d.id())))).toList();
  }

  /** One deployment's schedule. */
  public Optional<ScheduleRow> schedule(String id) {
    return registry.schedule(id);
  }

  /**
   * Stops the service and removes the deployment root on every host, then has the provider end the
   * hosts. Safe to repeat on a failed or half-launched deployment.
   */
  public void terminate(String id, Progress progress) {
    terminate(id, progress, "terminated");
  }

  /** @param why the history entry: {@code terminated}, {@code expired}, {@code reaped} */
  void terminate(String id, Progress progress, String why) {
    DeploymentRow d = requireLive(id);
    try (Provider provider = providerFor(d, Spec.fromJson(d.spec()))) {
      terminate(id, provider, progress, why);
    }
  }

  private void terminate(String id, Provider provider, Progress progress, String why) {
    List<HostRow> rows = registry.hosts(id);
    List<Host> hosts = new ArrayList<>();
    for (HostRow row : rows) {
      Host host = hostOf(row);
      hosts.add(host);
      if (row.root().isEmpty()) {
        continue;
      }
      String failed = onHost(id, provider, row, "destroy", progress, HostSession::destroy);
      if (failed != null) {
        // the provider still ends the host; record why the clean stop did not happen
        registry.event(id, host.id(), "destroy-failed", failed);
      }
    }
    provider.terminate(id, hosts);
    for (HostRow row : rows) {
      registry.putHost(new HostRow(id, row.hostId(), row.address(), row.ports(), row.root(), HostState.TERMINATED,
          row.dataCommit(), row.detail()));
    }
    registry.setState(id, DeploymentState.TERMINATED);
    registry.event(id, null, why, hosts.size() + " host(s) ended");
  }
}
