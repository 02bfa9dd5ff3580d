package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.deploy.Upkeep.RoundReport;
import dev.mayfly.git.GitRepos;
import dev.mayfly.store.DeploymentLocks;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.Registry;
import dev.mayfly.store.ScheduleRow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scheduled sync rounds: resolves each data repo once per round, publishes where the commit moved
 * and records failures for the retry backoff.
 */
final class SyncRounds {
  private final Releases releases;
  private final Registry registry;
  private final Clock clock;

  SyncRounds(Releases releases, Registry registry, Clock clock) {
    this.releases = releases;
    this.registry = registry;
    this.clock = clock;
  }

  /**
   * One scheduled round: every running deployment on {@code cron}, except pinned ones and those in
   * backoff.
   */
  RoundReport syncRound(String cron) {
    List<String> due = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    Map<String, ScheduleRow> schedules = registry.schedules();
    for (String id : registry.idsSyncingOn(cron, DeploymentState.RUNNING)) {
      ScheduleRow s = schedules.get(id);
      if (s == null || s.dataPin().isPresent() || s.syncFailures() > 0) {
        skipped.add(id); // pinned by a rollback, or its own retry is scheduled
      } else {
        due.add(id);
      }
    }
    return sync(due, skipped);
  }

  /** A retry of one deployment's failed scheduled sync. */
  RoundReport syncRetry(String id) {
    Optional<ScheduleRow> s = registry.schedule(id);
    if (s.isEmpty()
        || s.get().state() != DeploymentState.RUNNING
        || s.get().dataPin().isPresent()) {
      return new RoundReport(0, 0, 0, List.of(), Map.of(), List.of(id));
    }
    return sync(List.of(id), List.of());
  }

  private record Source(String url, String localPath, String ref) {}

  private RoundReport sync(List<String> ids, List<String> skipped) {
    Instant now = clock.instant();
    Map<Source, List<DeploymentRow>> bySource = new LinkedHashMap<>();
    Map<String, Spec> specs = new LinkedHashMap<>();
    Map<String, Integer> failed = new LinkedHashMap<>();
    for (String id : ids) {
      Optional<DeploymentRow> row = registry.find(id);
      if (row.isEmpty()) {
        continue;
      }
      Spec spec;
      try {
        spec = Spec.fromJson(row.get().spec());
      } catch (MayflyException e) {
        // one tampered row is refused on its own; the round goes on for everyone else
        fail(id, now, e.getMessage(), failed);
        continue;
      }
      specs.put(id, spec);
      bySource
          .computeIfAbsent(
              new Source(spec.data().url(), spec.data().localPath(), spec.data().ref()),
              k -> new ArrayList<>())
          .add(row.get());
    }
    int resolves = 0;
    int sessions = 0;
    List<String> unchanged = new ArrayList<>();
    List<String> updated = new ArrayList<>();
    List<String> busy = new ArrayList<>(skipped);
    for (List<DeploymentRow> group : bySource.values()) {
      GitRepos.Pinned data;
      try {
        resolves++;
        data = releases.resolveData(specs.get(group.get(0).id()));
      } catch (MayflyException e) {
        for (DeploymentRow d : group) {
          fail(d.id(), now, "cannot resolve the data repo: " + e.getMessage(), failed);
        }
        continue;
      }
      for (DeploymentRow d : group) {
        int stale = releases.stale(d.id(), data.commit()).size();
        if (stale == 0) {
          unchanged.add(d.id());
          continue;
        }
        sessions += stale;
        Optional<DeploymentLocks.Held> lock = tryLock(d.id());
        if (lock.isEmpty()) {
          busy.add(d.id()); // another command (a terminate, a manual sync) is at it: the next round
          // syncs it
          continue;
        }
        Deployments.SyncResult r;
        try (DeploymentLocks.Held held = lock.get()) {
          if (registry.find(d.id()).map(DeploymentRow::state).orElse(null)
              != DeploymentState.RUNNING) {
            continue;
          }
          r = releases.publish(d, specs.get(d.id()), data, "synced", Progress.SILENT);
        }
        if (r.failures().isEmpty()) {
          registry.recordSync(
              d.id(),
              now,
              "published " + data.commit() + " on " + r.updated().size() + " host(s)",
              false);
          updated.add(d.id());
        } else {
          fail(
              d.id(),
              now,
              r.failures().size()
                  + " host(s) failed, previous release serving: "
                  + String.join("; ", r.failures().values()),
              failed);
        }
      }
    }
    if (!unchanged.isEmpty()) {
      registry.recordSyncs(unchanged, now, "unchanged");
    }
    return new RoundReport(ids.size(), resolves, sessions, updated, failed, busy);
  }

  private Optional<DeploymentLocks.Held> tryLock(String id) {
    try {
      return Optional.of(registry.lock(id, Duration.ZERO));
    } catch (MayflyException e) {
      if (e.exit() != MayflyException.Exit.FAILED) {
        throw e;
      }
      return Optional.empty();
    }
  }

  private void fail(String id, Instant now, String why, Map<String, Integer> failed) {
    registry.recordSync(id, now, "failed: " + why, true);
    registry.event(id, null, "sync-failed", why);
    failed.put(id, registry.schedule(id).map(ScheduleRow::syncFailures).orElse(1));
  }

  /** Shows when a failed deployment's sync is retried, for {@code mayfly list}. */
  void retryAt(String id, Instant at) {
    registry.setNextSyncOf(id, at);
    registry.event(id, null, "sync-retry", "next attempt at " + at);
  }
}
