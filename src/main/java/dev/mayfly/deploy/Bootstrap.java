package dev.mayfly.deploy;

import dev.mayfly.git.GitRepos;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.HostState;
import dev.mayfly.store.Registry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Turns one raw host into the running service: connect, prepare, fetch the service, write the env
 * file, install, publish data, start, check health. Every step is timed, reported and recorded.
 */
final class Bootstrap {
  /** How often a recycle's health check probes the service that just took over. */
  private static final Duration SWITCH_POLL = Duration.ofMillis(20);

  private final String deploymentId;
  private final Spec spec;
  private final GitRepos.Pinned service;
  private final GitRepos.Pinned data;
  private final BiFunction<Host, String, String> envFile;
  private final Provider provider;
  private final Registry registry;
  private final Progress progress;
  private final Path logDir;
  private final GitDelivery delivery;
  private final HostSteps steps;

  /** The template's {@code files:}, rendered: path in a release to content. */
  private final Function<Host, Map<String, String>> files;

  Bootstrap(
      String deploymentId,
      Spec spec,
      GitRepos.Pinned service,
      GitRepos.Pinned data,
      BiFunction<Host, String, String> envFile,
      Provider provider,
      Registry registry,
      Progress progress,
      Path logDir,
      GitDelivery delivery,
      Function<Host, Map<String, String>> files) {
    this.delivery = delivery;
    this.files = files;
    this.deploymentId = deploymentId;
    this.spec = spec;
    this.service = service;
    this.data = data;
    this.envFile = envFile;
    this.provider = provider;
    this.registry = registry;
    this.progress = progress;
    this.logDir = logDir;
    this.steps = new HostSteps(deploymentId, registry, progress);
  }

  HostOutcome run(Host host) {
    String url = url(host);
    try (HostLog log = new HostLog(logDir.resolve(host.id() + ".log"))) {
      HostSession session = null;
      try {
        session = connect(host, log, rootFor(host));
        record(host, HostState.PENDING, session.root(), null, null);
        build(host, session);
        serve(host, session);
        record(host, HostState.HEALTHY, session.root(), data.commit(), null);
        return new HostOutcome(host.id(), url, null, null, null, log.file().toString());
      } catch (HostSession.StepFailed e) {
        String tail = e.step.equals("health") ? session.serviceLogTail() : log.tail();
        record(
            host,
            HostState.FAILED,
            session == null ? null : session.claimedRoot(),
            null,
            e.step + ": " + e.getMessage());
        registry.event(deploymentId, host.id(), "failed", e.step + ": " + e.getMessage());
        return new HostOutcome(host.id(), url, e.step, e.getMessage(), tail, log.file().toString());
      } finally {
        if (session != null) {
          session.close();
        }
      }
    }
  }

  /** Step "connect": a session on the host working in {@code root}; the caller closes it. */
  HostSession connect(Host host, HostLog log, String root) {
    return steps.timed(
        host.id(),
        "connect",
        () ->
            HostSession.open(
                provider.open(host, progress), log, root, deploymentId, registry.id()));
  }

  /**
   * Makes the root ready to start the service: prepare, fetch the service, configure, install,
   * publish the data. Nothing that serves is touched, so a recycle runs this beside the live root.
   */
  void build(Host host, HostSession s) {
    steps.run(host.id(), "prepare", s::prepare);
    steps.run(
        host.id(),
        "fetch-service",
        () -> {
          String how =
              delivery.deliver(
                  "fetch-service",
                  "service.repo",
                  s,
                  service,
                  spec.service().ref(),
                  null,
                  (from, ref) ->
                      s.fetchService(from, service.commit(), ref, service.commit(), spec.serve()));
          registry.event(deploymentId, host.id(), "git", how);
        });
    steps.run(
        host.id(),
        "configure",
        () -> {
          s.writeEnv(envFile.apply(host, s.root()));
          s.writeFiles(files.apply(host));
        });
    FutureTask<Boolean> dataAhead = fetchDataAhead(host, s);
    try {
      steps.run(
          host.id(),
          "install",
          () -> s.install(service.commit(), spec.install(), spec.keepServices()));
    } finally {
      // the host is left with nothing of ours running, whatever the installer did
      await(dataAhead, s);
    }
    steps.run(
        host.id(),
        "publish-data",
        () -> {
          String how =
              delivery.deliver(
                  "publish-data",
                  "data.repo",
                  s,
                  data,
                  spec.data().ref(),
                  null,
                  (from, ref) ->
                      s.publishData(from, data.commit(), ref, spec.publish(), spec.keep()));
          registry.event(deploymentId, host.id(), "git", how);
        });
  }

  /**
   * The data fetched on a second channel while the installer runs, when the host pulls it itself (a
   * pushed bundle waits for publish-data); null when not.
   */
  private FutureTask<Boolean> fetchDataAhead(Host host, HostSession s) {
    if (!delivery.hostPulls(data)) {
      return null;
    }
    FutureTask<Boolean> task =
        new FutureTask<>(
            () ->
                s.fetchDataAhead(
                    data.fetchUrl(), data.commit(), spec.data().ref(), spec.publish()));
    Thread thread = new Thread(task, "mayfly-data-ahead-" + host.id());
    thread.setDaemon(true);
    thread.start();
    return task;
  }

  private static void await(FutureTask<Boolean> dataAhead, HostSession s) {
    if (dataAhead == null) {
      return;
    }
    String failure;
    try {
      failure = dataAhead.get() ? null : "the host step failed";
    } catch (ExecutionException e) {
      failure = e.getCause().getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (failure != null) {
      s.log()
          .accept(
              "mayfly: fetching the data ahead failed (" + failure + "); publish-data fetches it");
    }
  }

  /** Starts the service of a built root (when the template starts one) and waits until healthy. */
  void serve(Host host, HostSession s) {
    if (spec.start() != null) {
      steps.run(host.id(), "start", () -> s.start(spec.start()));
    }
    steps.run(host.id(), "health", () -> steps.awaitHealthy(spec, host));
  }

  /**
   * A recycle's switch to a built root: one host call stops the service of {@code oldRoot} and
   * starts the new one (when the template starts one); {@link #awaitTakeOver} follows.
   */
  void switchTo(Host host, HostSession s, String oldRoot) {
    if (spec.start() != null) {
      steps.run(host.id(), "switch", () -> s.switchFrom(oldRoot, spec.start()));
    }
  }

  /** The health check after {@link #switchTo}, probing often, since nothing serves meanwhile. */
  void awaitTakeOver(Host host) {
    steps.run(host.id(), "health", () -> steps.awaitHealthy(spec, host, SWITCH_POLL));
  }

  /** One more reported and recorded step on {@code host}, for callers that drive the others. */
  <T> T timed(Host host, String step, HostSteps.Step<T> body) {
    return steps.timed(host.id(), step, body);
  }

  String rootFor(Host host) {
    return host.root().orElse(spec.root() != null ? spec.root() : "~/.mayfly/" + deploymentId);
  }

  /** What launch prints for the host: its address, port and the template's {@code url.path}. */
  String url(Host host) {
    return HostSteps.url(spec, host, spec.url());
  }

  private void record(Host host, HostState state, String root, String dataCommit, String detail) {
    registry.putHost(
        new HostRow(
            deploymentId,
            host.id(),
            host.address(),
            Map.copyOf(host.ports()),
            Optional.ofNullable(root),
            state,
            Optional.ofNullable(dataCommit),
            Optional.ofNullable(detail)));
  }
}
