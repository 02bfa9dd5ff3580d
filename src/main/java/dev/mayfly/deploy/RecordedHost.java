package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.HostRow;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A host the registry knows, reached again after launch (sync, rollback, destroy) through its
 * deployment's provider, with what it prints appended to its log.
 *
 * @param log the host's log file, {@link DeploymentContext#hostLog}
 * @param registryId the registry's id, which the host's root marker must carry
 */
record RecordedHost(HostRow row, Provider provider, Path log, String registryId) {

  static RecordedHost of(DeploymentContext ctx, Provider provider, HostRow row) {
    return new RecordedHost(
        row, provider, ctx.hostLog(row.deploymentId(), row.hostId()), ctx.registry().id());
  }

  /** The host as providers know it, from its registry row. */
  static Host hostOf(HostRow row) {
    return new Host(row.hostId(), row.address(), row.ports(), row.root());
  }

  /** Opens a logged session on the host and asks it something; a failing step throws. */
  <T> T query(Function<HostSession, T> question) {
    try (HostLog hostLog = new HostLog(log);
        HostSession session = open(hostLog)) {
      return question.apply(session);
    }
  }

  /**
   * Opens a logged session on the host and runs {@code body} as one step reported to {@code
   * progress}.
   *
   * @return null when it worked, else why not (the host keeps what it had)
   */
  String step(String step, Progress progress, Consumer<HostSession> body) {
    HostOutcome failed = attempt(step, progress, body);
    return failed == null ? null : failed.message();
  }

  /**
   * Like {@link #step}, and a failure says everything a user needs: the step, why, the last lines
   * it printed and the full log's path.
   *
   * @return null when it worked
   */
  HostOutcome attempt(String step, Progress progress, Consumer<HostSession> body) {
    long start = System.nanoTime();
    progress.started(row.hostId(), step);
    HostOutcome failed = null;
    try (HostLog hostLog = new HostLog(log)) {
      try (HostSession session = open(hostLog)) {
        body.accept(session);
      } catch (HostSession.StepFailed | MayflyException e) {
        failed =
            new HostOutcome(
                row.hostId(), null, step, e.getMessage(), hostLog.tail(), log.toString());
      }
    }
    progress.finished(
        row.hostId(),
        step,
        Duration.ofNanos(System.nanoTime() - start),
        failed == null ? null : failed.message());
    return failed;
  }

  private HostSession open(HostLog hostLog) {
    return HostSession.open(
        provider.open(hostOf(row)),
        hostLog,
        row.root().orElseThrow(),
        row.deploymentId(),
        registryId);
  }
}
