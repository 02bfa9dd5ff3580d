package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
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
import java.util.function.BiFunction;

/**
 * Turns one raw host into the running service: connect, prepare, fetch the service, write the env
 * file, install, publish data, start, check health. Every step is timed, reported and recorded.
 */
final class Bootstrap {
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
      GitDelivery delivery) {
    this.delivery = delivery;
    this.deploymentId = deploymentId;
    this.spec = spec;
    this.service = service;
    this.data = data;
    this.envFile = envFile;
    this.provider = provider;
    this.registry = registry;
    this.progress = progress;
    this.logDir = logDir;
  }

  HostOutcome run(Host host) {
    String url = url(host, "/");
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
    return timed(
        host,
        "connect",
        () -> HostSession.open(provider.open(host), log, root, deploymentId, registry.id()));
  }

  /**
   * Makes the root ready to start the service: prepare, fetch the service, configure, install,
   * publish the data. Nothing that serves is touched, so a recycle runs this beside the live root.
   */
  void build(Host host, HostSession s) {
    timed(
        host,
        "prepare",
        () -> {
          s.prepare();
          return null;
        });
    timed(
        host,
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
                  (from, ref) -> s.fetchService(from, service.commit(), ref));
          registry.event(deploymentId, host.id(), "git", how);
          return null;
        });
    timed(
        host,
        "configure",
        () -> {
          s.writeEnv(envFile.apply(host, s.root()));
          return null;
        });
    timed(
        host,
        "install",
        () -> {
          s.install(spec.install());
          return null;
        });
    timed(
        host,
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
          return null;
        });
  }

  /** Starts the service of a built root (when the template starts one) and waits until healthy. */
  void serve(Host host, HostSession s) {
    if (spec.start() != null) {
      timed(
          host,
          "start",
          () -> {
            s.start(spec.start());
            return null;
          });
    }
    timed(
        host,
        "health",
        () -> {
          awaitHealthy(host, s);
          return null;
        });
  }

  private String rootFor(Host host) {
    return host.root().orElse(spec.root() != null ? spec.root() : "~/.mayfly/" + deploymentId);
  }

  private void awaitHealthy(Host host, HostSession session) {
    String failure;
    try {
      failure =
          HealthCheck.await(
              url(host, spec.healthPath()),
              spec.healthStatus(),
              Duration.ofSeconds(spec.healthDeadlineSeconds()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HostSession.StepFailed("health", "interrupted");
    }
    if (failure != null) {
      throw new HostSession.StepFailed("health", failure);
    }
  }

  String url(Host host, String path) {
    Integer port =
        host.ports().getOrDefault(spec.healthPort(), spec.ports().get(spec.healthPort()));
    return "http://" + host.address() + ":" + port + path;
  }

  interface Step<T> {
    T run();
  }

  /**
   * Runs one step reported to progress and recorded; a failure throws {@link
   * HostSession.StepFailed}.
   */
  <T> T timed(Host host, String step, Step<T> body) {
    long start = System.nanoTime();
    progress.started(host.id(), step);
    try {
      T result = body.run();
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      progress.finished(host.id(), step, elapsed, null);
      registry.event(deploymentId, host.id(), "step", step + " done in " + seconds(elapsed));
      return result;
    } catch (HostSession.StepFailed e) {
      progress.finished(
          host.id(), step, Duration.ofNanos(System.nanoTime() - start), e.getMessage());
      throw e;
    } catch (MayflyException | java.io.UncheckedIOException e) {
      progress.finished(
          host.id(), step, Duration.ofNanos(System.nanoTime() - start), e.getMessage());
      throw new HostSession.StepFailed(step, e.getMessage());
    }
  }

  static String seconds(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
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
