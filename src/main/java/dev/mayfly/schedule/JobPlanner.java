package dev.mayfly.schedule;

import dev.mayfly.deploy.Upkeep;
import dev.mayfly.store.ScheduleRow;
import dev.mayfly.template.SyncCron;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.JobPersistenceException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;

/**
 * Derives the daemon's Quartz jobs and triggers from registry rows: an expiry and its notices per
 * live deployment whose first of them falls within the horizon, one sync round per cron, the
 * daemon's periodic jobs and one-shot retries. It touches only the job store and takes "now" from
 * its clock, so it runs as well on Quartz's in-memory store.
 */
final class JobPlanner {
  static final String EXPIRY = "expiry";
  static final String NOTICE = "notice";
  static final String SYNC = "sync";
  static final String SYNC_RETRY = "sync-retry";
  static final String DAEMON = "daemon";

  private final Scheduler scheduler;
  private final List<Duration> notices;
  private final Duration syncEvery;
  private final Duration horizon;
  private final Duration longestLead;
  private final Clock clock;

  /**
   * @param notices how long before expiry notices go out
   * @param syncEvery null: sync rounds follow their crons; else this fixed interval
   * @param horizon a deployment gets its jobs once its first notice (or its expiry) is this near;
   *     until then it has none, and {@link #nearing} finds it
   */
  JobPlanner(
      Scheduler scheduler,
      List<Duration> notices,
      Duration syncEvery,
      Duration horizon,
      Clock clock) {
    this.scheduler = scheduler;
    this.notices = List.copyOf(notices);
    this.syncEvery = syncEvery;
    this.horizon = horizon;
    this.longestLead = notices.stream().max(Duration::compareTo).orElse(Duration.ZERO);
    this.clock = clock;
  }

  Duration horizon() {
    return horizon;
  }

  /**
   * Deployments expiring before this have their first job within the horizon from {@code now}; a
   * row among them without an expiry job is due for {@link #deployments}.
   */
  Instant nearing(Instant now) {
    return now.plus(horizon).plus(longestLead);
  }

  /** Whether {@code row} is live but expires too far off for jobs at {@code now}. */
  boolean beyondHorizon(ScheduleRow row, Instant now) {
    return Upkeep.live(row.state())
        && row.expiresAt().map(at -> at.isAfter(nearing(now))).orElse(false);
  }

  /**
   * Replaces the expiry and notice jobs of each row's deployment with those of its current
   * revision: a live deployment within the horizon gets an expiry at its expires-at and the notices
   * still ahead; any other gets none (yet). A row that cannot be scheduled does not hold back the
   * others; a failing job store fails the call.
   *
   * @return the deployments left without jobs, with why
   */
  Map<String, String> deployments(List<ScheduleRow> rows) throws SchedulerException {
    return deployments(rows, deploymentJobs());
  }

  /**
   * {@link #deployments(List)} for one batch of a reconcile, with {@code existing} from one {@link
   * #deploymentJobs()} for all its batches.
   */
  Map<String, String> deployments(List<ScheduleRow> rows, Set<JobKey> existing)
      throws SchedulerException {
    try {
      schedule(rows, existing); // the common case: one job store transaction for the lot
      return Map.of();
    } catch (JobPersistenceException e) {
      throw e;
    } catch (SchedulerException | RuntimeException e) {
      Map<String, String> failed = new LinkedHashMap<>();
      for (ScheduleRow row : rows) {
        try {
          schedule(List.of(row), existing);
        } catch (JobPersistenceException f) {
          throw f;
        } catch (SchedulerException | RuntimeException f) {
          failed.put(row.id(), "its expiry cannot be scheduled: " + f.getMessage());
        }
      }
      return failed;
    }
  }

  /**
   * The expiry and notice jobs the store holds: one key listing per group. Most rows of a first
   * start have none, and a delete per key (several statements on the JDBC store) cost more.
   */
  Set<JobKey> deploymentJobs() throws SchedulerException {
    Set<JobKey> keys = new HashSet<>(scheduler.getJobKeys(GroupMatcher.jobGroupEquals(EXPIRY)));
    keys.addAll(scheduler.getJobKeys(GroupMatcher.jobGroupEquals(NOTICE)));
    return keys;
  }

  private void schedule(List<ScheduleRow> rows, Set<JobKey> existing) throws SchedulerException {
    List<JobKey> replaced = new ArrayList<>();
    Map<JobDetail, Set<? extends Trigger>> jobs = new LinkedHashMap<>();
    Instant now = clock.instant();
    for (ScheduleRow row : rows) {
      replaced.add(JobKey.jobKey(row.id(), EXPIRY));
      replaced.add(JobKey.jobKey(row.id(), NOTICE));
      if (!Upkeep.live(row.state()) || row.expiresAt().isEmpty() || beyondHorizon(row, now)) {
        continue; // beyond the horizon: waits in the registry for a reconcile's nearing pass
      }
      Instant expiresAt = row.expiresAt().get();
      jobs.put(
          expiryJob(row.id()), Set.of(oneShot(TriggerKey.triggerKey(row.id(), EXPIRY), expiresAt)));
      Set<Trigger> ahead = new HashSet<>();
      for (Duration lead : notices) {
        Instant at = expiresAt.minus(lead);
        if (at.isAfter(now)) {
          ahead.add(
              TriggerBuilder.newTrigger()
                  .withIdentity(row.id() + "@" + lead.toSeconds(), NOTICE)
                  .usingJobData(Jobs.LEAD_SECONDS, Long.toString(lead.toSeconds()))
                  .usingJobData(Jobs.EXPIRES_AT, expiresAt.toString())
                  .startAt(Date.from(at))
                  .withSchedule(
                      SimpleScheduleBuilder.simpleSchedule()
                          .withMisfireHandlingInstructionFireNow())
                  .build());
        }
      }
      if (!ahead.isEmpty()) {
        jobs.put(
            JobBuilder.newJob(Jobs.Notice.class)
                .withIdentity(row.id(), NOTICE)
                .usingJobData(Jobs.DEPLOYMENT, row.id())
                .build(),
            ahead);
      }
    }
    replaced.retainAll(existing);
    if (!replaced.isEmpty()) {
      scheduler.deleteJobs(replaced);
    }
    if (!jobs.isEmpty()) {
      scheduler.scheduleJobs(jobs, true);
    }
  }

  /**
   * What {@link #syncRounds} did.
   *
   * @param added the first fire time of each round added
   * @param unschedulable the crons that cannot be scheduled, with why; the others are
   */
  record Rounds(Map<String, Instant> added, Map<String, String> unschedulable) {}

  /**
   * Keeps one sync round job per cron in {@code crons} and removes the rest; one bad cron stops no
   * other. A round whose next trigger went missing (a member died between a round and planning the
   * next) is planned again.
   */
  Rounds syncRounds(Collection<String> crons) throws SchedulerException {
    Set<String> wanted = new HashSet<>(crons);
    List<JobKey> obsolete = new ArrayList<>();
    Set<String> present = new HashSet<>();
    for (JobKey key : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(SYNC))) {
      if (!wanted.contains(key.getName())) {
        obsolete.add(key);
        continue;
      }
      Trigger next = scheduler.getTrigger(TriggerKey.triggerKey(key.getName(), SYNC));
      if (next != null && next.getNextFireTime() != null) {
        present.add(key.getName());
      }
    }
    scheduler.deleteJobs(obsolete);
    Map<String, Instant> added = new LinkedHashMap<>();
    Map<String, String> unschedulable = new LinkedHashMap<>();
    for (String cron : wanted) {
      if (present.contains(cron)) {
        continue;
      }
      try {
        JobDetail job =
            JobBuilder.newJob(Jobs.SyncRound.class)
                .withIdentity(cron, SYNC)
                .usingJobData(Jobs.CRON, cron)
                .build();
        Trigger trigger = roundTrigger(cron, clock.instant());
        scheduler.scheduleJob(job, Set.of(trigger), true);
        added.put(cron, trigger.getStartTime().toInstant());
      } catch (JobPersistenceException e) {
        throw e;
      } catch (SchedulerException | RuntimeException e) {
        unschedulable.put(cron, "sync cron '" + cron + "' cannot be scheduled: " + e.getMessage());
      }
    }
    return new Rounds(added, unschedulable);
  }

  /**
   * Plans the round after the one on {@code cron} that was {@code due}, from the later of now and
   * then (a member whose clock runs behind must not run the same round twice); a round that overran
   * its next time is not caught up. With {@code syncEvery} the repeating trigger stays.
   *
   * @return when the next round is due
   */
  Instant nextRound(String cron, Instant due) throws SchedulerException {
    TriggerKey key = TriggerKey.triggerKey(cron, SYNC);
    if (syncEvery != null) {
      return scheduler.getTrigger(key).getFireTimeAfter(Date.from(clock.instant())).toInstant();
    }
    Instant now = clock.instant();
    Trigger next = roundTrigger(cron, now.isAfter(due) ? now : due);
    // Quartz keeps a trigger replaced while its job runs, rather than deleting it as fired
    if (scheduler.rescheduleJob(key, next) == null) {
      scheduler.scheduleJob(next);
    }
    return next.getStartTime().toInstant();
  }

  /**
   * The round's trigger: one shot at the cron's next time after {@code after}, by {@link SyncCron}
   * (Quartz's CronTrigger cannot say cronie's day-of-month OR day-of-week, nor its DST rules), so
   * it fires when {@code list} says. The cron is checked in {@code syncEvery} mode too, so a demo
   * shows what would fail.
   */
  private Trigger roundTrigger(String cron, Instant after) {
    Instant next =
        SyncCron.stored(cron)
            .next(after)
            .orElseThrow(() -> new IllegalArgumentException("it never fires"));
    if (syncEvery == null) {
      // after downtime: one catch-up round, not one per missed slot
      return oneShot(TriggerKey.triggerKey(cron, SYNC), next);
    }
    return TriggerBuilder.newTrigger()
        .withIdentity(cron, SYNC)
        .forJob(cron, SYNC)
        .startAt(Date.from(clock.instant().plus(syncEvery)))
        .withSchedule(
            SimpleScheduleBuilder.simpleSchedule()
                .withIntervalInMilliseconds(syncEvery.toMillis())
                .repeatForever()
                .withMisfireHandlingInstructionNextWithRemainingCount())
        .build();
  }

  /**
   * A daemon job repeating {@code every}, first one interval from now; left as is when already so.
   */
  void periodic(String name, Class<? extends Job> type, Duration every) throws SchedulerException {
    JobDetail job = JobBuilder.newJob(type).withIdentity(name, DAEMON).storeDurably().build();
    Trigger trigger =
        TriggerBuilder.newTrigger()
            .withIdentity(name, DAEMON)
            .forJob(job)
            .startAt(Date.from(clock.instant().plus(every)))
            .withSchedule(
                SimpleScheduleBuilder.simpleSchedule()
                    .withIntervalInMilliseconds(every.toMillis())
                    .repeatForever()
                    .withMisfireHandlingInstructionNextWithRemainingCount())
            .build();
    Trigger existing = scheduler.getTrigger(trigger.getKey());
    if (existing instanceof SimpleTrigger st && st.getRepeatInterval() == every.toMillis()) {
      return; // another member (or an earlier run) set it up with the same interval
    }
    scheduler.scheduleJob(job, Set.of(trigger), true);
  }

  /** Retries a failed sync of one deployment {@code after} from now; returns when. */
  Instant syncRetry(String id, Duration after) throws SchedulerException {
    Instant at = clock.instant().plus(after);
    JobDetail job =
        JobBuilder.newJob(Jobs.SyncRetry.class)
            .withIdentity(id, SYNC_RETRY)
            .usingJobData(Jobs.DEPLOYMENT, id)
            .build();
    scheduler.scheduleJob(job, Set.of(oneShot(TriggerKey.triggerKey(id, SYNC_RETRY), at)), true);
    return at;
  }

  /**
   * Retries a failed expiry {@code after} from now, in place of the one that fired; returns when.
   */
  Instant expiryRetry(String id, Duration after) throws SchedulerException {
    Instant at = clock.instant().plus(after);
    scheduler.scheduleJob(
        expiryJob(id), Set.of(oneShot(TriggerKey.triggerKey(id, EXPIRY), at)), true);
    return at;
  }

  private static JobDetail expiryJob(String id) {
    return JobBuilder.newJob(Jobs.Expiry.class)
        .withIdentity(id, EXPIRY)
        .usingJobData(Jobs.DEPLOYMENT, id)
        .requestRecovery()
        .build();
  }

  /** A one-shot trigger that fires at once when its time passed while no daemon ran. */
  private static Trigger oneShot(TriggerKey key, Instant at) {
    return TriggerBuilder.newTrigger()
        .withIdentity(key)
        .forJob(key.getName(), key.getGroup()) // each job here shares its trigger's key
        .startAt(Date.from(at))
        .withSchedule(
            SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
        .build();
  }
}
