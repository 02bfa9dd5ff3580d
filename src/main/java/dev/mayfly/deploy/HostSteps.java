package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.provider.Host;
import dev.mayfly.store.Registry;
import java.time.Duration;

/**
 * The named steps a deployment runs on its hosts (launch, upgrade, restart): each reported to
 * {@code progress} as it starts and ends and recorded in the history, and a failure turned into
 * {@link HostSession.StepFailed} naming the step.
 */
final class HostSteps {
  private final String deploymentId;
  private final Registry registry;
  private final Progress progress;

  HostSteps(String deploymentId, Registry registry, Progress progress) {
    this.deploymentId = deploymentId;
    this.registry = registry;
    this.progress = progress;
  }

  interface Step<T> {
    T run();
  }

  interface Action {
    void run();
  }

  void run(String hostId, String step, Action body) {
    timed(
        hostId,
        step,
        () -> {
          body.run();
          return null;
        });
  }

  <T> T timed(String hostId, String step, Step<T> body) {
    long start = System.nanoTime();
    progress.started(hostId, step);
    try {
      T result = body.run();
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      progress.finished(hostId, step, elapsed, null);
      registry.event(deploymentId, hostId, "step", step + " done in " + seconds(elapsed));
      return result;
    } catch (HostSession.StepFailed e) {
      progress.finished(hostId, step, Duration.ofNanos(System.nanoTime() - start), e.getMessage());
      throw e;
    } catch (MayflyException | java.io.UncheckedIOException e) {
      progress.finished(hostId, step, Duration.ofNanos(System.nanoTime() - start), e.getMessage());
      throw new HostSession.StepFailed(step, e.getMessage());
    }
  }

  static String seconds(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
  }

  /** The "health" check of {@code spec} against {@code host}; throws when it does not pass. */
  void awaitHealthy(Spec spec, Host host) {
    awaitHealthy(spec, host, HealthCheck.POLL);
  }

  /** Like {@link #awaitHealthy(Spec, Host)}, probing at least every {@code maxPoll}. */
  void awaitHealthy(Spec spec, Host host, Duration maxPoll) {
    String failure;
    try {
      failure =
          HealthCheck.await(
              url(spec, host, spec.healthPath()),
              spec.healthStatus(),
              spec.healthExpect(),
              Duration.ofSeconds(spec.healthDeadlineSeconds()),
              maxPoll,
              "healthy (" + host.id() + ")",
              progress);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HostSession.StepFailed("health", "interrupted");
    }
    if (failure != null) {
      throw new HostSession.StepFailed("health", failure);
    }
  }

  /** {@code path} on the port the health check probes. */
  static String url(Spec spec, Host host, String path) {
    Integer port =
        host.ports().getOrDefault(spec.healthPort(), spec.ports().get(spec.healthPort()));
    return "http://" + host.address() + ":" + port + path;
  }
}
