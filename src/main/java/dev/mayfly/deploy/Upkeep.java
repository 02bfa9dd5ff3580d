package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.git.GitRepos;
import dev.mayfly.store.DeploymentLocks;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.Registry;
import dev.mayfly.store.ScheduleRow;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What keeps deployments alive and ends them without anyone at the keyboard: expiry, expiry notices and
 * sync rounds. The scheduler decides when; this decides what, from the registry, so every call is safe to
 * repeat (a job re-run after a daemon died half-way does no harm).
 */
public final class Upkeep {
  private final Releases releases;
  private final Lifecycle lifecycle;
  private final Registry registry;
  private final Clock clock;
  private final Optional<Webhook> webhook;

  /**
   * @param webhook where expiry notices are POSTed, or null for none
   * @param webhookTimeout the bound on one webhook call
   */
  public Upkeep(Deployments deployments, Registry registry, Clock clock, URI webhook, Duration webhookTimeout) {
    this.releases = deployments.releases();
    this.lifecycle = deployments.lifecycle();
    this.registry = registry;
    this.clock = clock;
    this.webhook = Optional.ofNullable(webhook).map(url -> new Webhook(url, webhookTimeout));
  }

  // ---- what to schedule -------------------------------------------------------------------------

  /** Deployments whose expiry, state or sync cron changed since the daemon last scheduled them. */
  public List<ScheduleRow> changedSchedules() {
    return registry.unscheduled();
  }

  /** Records that the daemon scheduled revision {@code rev} of {@code id}. */
  public void scheduled(String id, long rev) {
    registry.markScheduled(id, rev);
  }

  /** Whether a deployment in {@code state} still has an expiry to enforce. */
  public static boolean live(DeploymentState state) {
    return state.live();
  }

  /** The distinct crons running deployments sync on: one scheduled round each. */
  public List<String> syncCrons() {
    return registry.syncCrons(DeploymentState.RUNNING);
  }

  /** Deployments whose stored state this version cannot read, by id, with the word found. */
  public Map<String, String> unreadableStates() {
    return registry.unknownStates();
  }

  /**
   * Marks a deployment the daemon cannot schedule, found in the stored state {@code word}, with the reason
   * in its history. It stays live, so it still expires. A state changed meanwhile (say, terminated) is left
   * as it is.
   *
   * @return true when this call marked it
   */
  public boolean scheduleError(String id, String word, String why) {
    if (!registry.replaceState(id, word, DeploymentState.SCHEDULE_ERROR)) {
      return false;
    }
    registry.event(id, null, DeploymentState.SCHEDULE_ERROR.word(), why);
    return true;
  }

  /** Marks every running deployment on {@code cron}, which cannot be scheduled; returns their ids. */
  public List<String> cronError(String cron, String why) {
    return registry.idsSyncingOn(cron, DeploymentState.RUNNING).stream()
        .filter(id -> scheduleError(id, DeploymentState.RUNNING.word(), why)).toList();
  }

  /** Shows when the round on {@code cron} runs next, for {@code mayfly list}. */
  public void nextRound(String cron, Instant at) {
    registry.setNextSync(cron, at);
  }

  // ---- expiry -----------------------------------------------------------------------------------

  /**
   * Terminates the deployment through its provider if its expiry has come. Does nothing when it was
   * extended meanwhile, or is terminated already.
   *
   * @return true when this call ended it
   */
  public boolean expire(String id) {
    if (!due(registry.find(id))) {
      return false;
    }
    // a CLI terminate or extend may be at it: wait, then look again
    try (DeploymentLocks.Held lock = registry.lock(id, Lifecycle.LOCK_WAIT)) {
      Optional<DeploymentRow> d = registry.find(id);
      if (!due(d)) {
        return false;
      }
      registry.event(id, null, "expiring", "expiry " + d.get().expiresAt().get() + " reached");
      return !lifecycle.terminate(id, Progress.SILENT, "expired", false).alreadyTerminated();
    }
  }

  private boolean due(Optional<DeploymentRow> d) {
    Instant now = clock.instant();
    return d.isPresent() && live(d.get().state()) && d.get().expiresAt().filter(at -> !at.isAfter(now)).isPresent();
  }

  /**
   * The notice {@code lead} before expiry: an event in the history and, when configured, a webhook POST.
   * Sent once per expiry time (a retry or another daemon finds it claimed); not sent when the expiry
   * moved or passed.
   *
   * @return true when this call sent it
   */
  public boolean notice(String id, Duration lead, Instant forExpiry) {
    Optional<DeploymentRow> d = registry.find(id);
    Instant now = clock.instant();
    if (d.isEmpty() || !live(d.get().state()) || !d.get().expiresAt().equals(Optional.of(forExpiry))
        || !forExpiry.isAfter(now) || !registry.claimNotice(id, forExpiry, lead)) {
      return false;
    }
    Duration left = Duration.between(now, forExpiry);
    String text = "expires in " + dev.mayfly.template.Durations.human(left) + " at " + forExpiry
        + " (`mayfly extend " + id + " --by 7d` keeps it)";
    registry.event(id, null, "expiry-notice", text);
    webhook.ifPresent(hook -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("event", "expiry-notice");
      body.put("deployment", id);
      body.put("template", d.get().template());
      body.put("url", d.get().url().orElse(null));
      body.put("expiresAt", forExpiry.toString());
      body.put("secondsLeft", left.toSeconds());
      body.put("text", id + " " + text);
      String failure = hook.post(body);
      registry.event(id, null, failure == null ? "webhook" : "webhook-failed",
          failure == null ? "expiry notice delivered" : failure);
    });
    return true;
  }

  // ---- sync -------------------------------------------------------------------------------------

  /**
   * What one sync round did.
   *
   * @param resolves how many (repo, ref) were resolved: one per distinct data repo, however many deployments
   * @param hostSessions hosts contacted (only those whose published commit differs)
   * @param failed deployment id to how many scheduled syncs in a row failed, for the retry backoff
   */
  public record RoundReport(int deployments, int resolves, int hostSessions, List<String> updated,
      Map<String, Integer> failed, List<String> skipped) {}

  /** One scheduled round: every running deployment on {@code cron}, except pinned ones and those in backoff. */
  public RoundReport syncRound(String cron) {
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
  public RoundReport syncRetry(String id) {
    Optional<ScheduleRow> s = registry.schedule(id);
    if (s.isEmpty() || s.get().state() != DeploymentState.RUNNING || s.get().dataPin().isPresent()) {
      return new RoundReport(0, 0, 0, List.of(), Map.of(), List.of(id));
    }
    return sync(List.of(id), List.of());
  }

  private record Source(String url, String localPath, String ref) {}

  private RoundReport sync(List<String> ids, List<String> skipped) {
    Instant now = clock.instant();
    Map<Source, List<DeploymentRow>> bySource = new LinkedHashMap<>();
    Map<String, Spec> specs = new LinkedHashMap<>();
    for (String id : ids) {
      registry.find(id).ifPresent(d -> {
        Spec spec = Spec.fromJson(d.spec());
        specs.put(id, spec);
        bySource.computeIfAbsent(new Source(spec.data().url(), spec.data().localPath(), spec.data().ref()),
            k -> new ArrayList<>()).add(d);
      });
    }
    int resolves = 0;
    int sessions = 0;
    List<String> unchanged = new ArrayList<>();
    List<String> updated = new ArrayList<>();
    Map<String, Integer> failed = new LinkedHashMap<>();
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
          busy.add(d.id()); // another command (a terminate, a manual sync) is at it: the next round syncs it
          continue;
        }
        Deployments.SyncResult r;
        try (DeploymentLocks.Held held = lock.get()) {
          if (registry.find(d.id()).map(DeploymentRow::state).orElse(null) != DeploymentState.RUNNING) {
            continue;
          }
          r = releases.publish(d, specs.get(d.id()), data, "synced", Progress.SILENT);
        }
        if (r.failures().isEmpty()) {
          registry.recordSync(d.id(), now, "published " + data.commit() + " on " + r.updated().size()
              + " host(s)", false);
          updated.add(d.id());
        } else {
          fail(d.id(), now, r.failures().size() + " host(s) failed, previous release serving: "
              + String.join("; ", r.failures().values()), failed);
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
  public void retryAt(String id, Instant at) {
    registry.setNextSyncOf(id, at);
    registry.event(id, null, "sync-retry", "next attempt at " + at);
  }
}
