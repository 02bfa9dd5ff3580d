package dev.mayfly.deploy;

import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.Registry;
import dev.mayfly.store.ScheduleRow;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What keeps deployments alive and ends them without anyone at the keyboard: expiry, expiry notices
 * and sync rounds. The scheduler decides when; this decides what, from the registry, so every call
 * is safe to repeat (a job re-run after a daemon died half-way does no harm).
 */
public final class Upkeep {
  private final Registry registry;
  private final ExpiryRounds expiry;
  private final Notices notices;
  private final SyncRounds sync;
  private final Deployments deployments;
  private final Clock clock;

  /**
   * @param webhook where expiry notices are POSTed, or null for none
   * @param webhookTimeout the bound on one webhook call
   */
  public Upkeep(
      Deployments deployments,
      Registry registry,
      Clock clock,
      URI webhook,
      Duration webhookTimeout) {
    this.registry = registry;
    this.deployments = deployments;
    this.clock = clock;
    this.expiry = new ExpiryRounds(deployments.lifecycle(), registry, clock);
    this.notices = new Notices(registry, clock, webhook, webhookTimeout);
    this.sync = new SyncRounds(deployments.releases(), registry, clock);
  }

  // ---- what to schedule -------------------------------------------------------------------------

  /** Deployments whose expiry, state or sync cron changed since the daemon last scheduled them. */
  public List<ScheduleRow> changedSchedules() {
    return registry.unscheduled();
  }

  /** Deployments (in any state) that expire before {@code cutoff}. */
  public List<ScheduleRow> expiringBefore(Instant cutoff) {
    return registry.expiringBefore(cutoff);
  }

  /** Records that the daemon scheduled these revisions (by deployment id), as one transaction. */
  public void scheduled(Map<String, Long> revs) {
    registry.markScheduled(revs);
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
   * Marks a deployment the daemon cannot schedule, found in the stored state {@code word}, with the
   * reason in its history. It stays live, so it still expires. A state changed meanwhile (say,
   * terminated) is left as it is.
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

  /**
   * Marks every running deployment on {@code cron}, which cannot be scheduled; returns their ids.
   */
  public List<String> cronError(String cron, String why) {
    return registry.idsSyncingOn(cron, DeploymentState.RUNNING).stream()
        .filter(id -> scheduleError(id, DeploymentState.RUNNING.word(), why))
        .toList();
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
    return expiry.expire(id);
  }

  /**
   * The notice {@code lead} before expiry: an event in the history and, when configured, a webhook
   * POST. Sent once per expiry time (a retry or another daemon finds it claimed); not sent when the
   * expiry moved or passed.
   *
   * @return true when this call sent it
   */
  public boolean notice(String id, Duration lead, Instant forExpiry) {
    return notices.notice(id, lead, forExpiry);
  }

  // ---- sync -------------------------------------------------------------------------------------

  /**
   * What one sync round did.
   *
   * @param resolves how many (repo, ref) were resolved: one per distinct data repo, however many
   *     deployments
   * @param hostSessions hosts contacted (only those whose published commit differs)
   * @param failed deployment id to how many scheduled syncs in a row failed, for the retry backoff
   */
  public record RoundReport(
      int deployments,
      int resolves,
      int hostSessions,
      List<String> updated,
      Map<String, Integer> failed,
      List<String> skipped) {}

  /**
   * One scheduled round: every running deployment on {@code cron}, except pinned ones and those in
   * backoff.
   */
  public RoundReport syncRound(String cron) {
    return sync.syncRound(cron);
  }

  /** A retry of one deployment's failed scheduled sync. */
  public RoundReport syncRetry(String id) {
    return sync.syncRetry(id);
  }

  /** Shows when a failed deployment's sync is retried, for {@code mayfly list}. */
  public void retryAt(String id, Instant at) {
    sync.retryAt(id, at);
  }

  // ---- recycle ----------------------------------------------------------------------------------

  /** Running deployments whose hosts are older than their policy, and not in backoff. */
  public List<String> recyclesDue() {
    Instant now = clock.instant();
    Map<String, dev.mayfly.store.RecycleRow> rows = registry.recyclings();
    return registry.list().stream()
        .filter(d -> d.state() == DeploymentState.RUNNING)
        .filter(d -> rows.containsKey(d.id()) && rows.get(d.id()).due(now))
        .map(dev.mayfly.store.DeploymentRow::id)
        .toList();
  }

  /**
   * Recycles one deployment at the newest commits.
   *
   * @return null when it worked, else why not (the old hosts still serve)
   */
  public String recycle(String id) {
    Deployments.RecycleResult r = deployments.recycle(id, false, Progress.SILENT);
    return r.ok() ? null : r.why();
  }

  /** Scheduled recycles of {@code id} that failed in a row. */
  public int recycleFailures(String id) {
    return registry.recycling(id).map(dev.mayfly.store.RecycleRow::failures).orElse(0);
  }

  /** Records a failed scheduled recycle; the daemon tries again at {@code retryAt}. */
  public void recycleFailed(String id, Instant retryAt, String why) {
    registry.recycleFailed(id, retryAt, why);
  }
}
