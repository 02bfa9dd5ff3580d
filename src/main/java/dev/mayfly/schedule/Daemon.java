package dev.mayfly.schedule;

import dev.mayfly.MayflyException;
import dev.mayfly.deploy.Reaper;
import dev.mayfly.deploy.Upkeep;
import dev.mayfly.store.Database;
import dev.mayfly.store.ScheduleRow;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;

/**
 * {@code mayfly daemon}: Quartz on the registry's database (see {@link QuartzConfig}). The jobs are derived
 * from the registry (see {@link #reconcile()}), never the other way round.
 */
public final class Daemon implements AutoCloseable {
  private static final String EXPIRY = "expiry";
  private static final String NOTICE = "notice";
  private static final String SYNC = "sync";
  private static final String SYNC_RETRY = "sync-retry";
  private static final String DAEMON = "daemon";
  private static final int BATCH = 500;

  private final DaemonSettings settings;
  private final Upkeep upkeep;
  private final Reaper reaper;
  private final DaemonLog log;
  private final Scheduler scheduler;
  private final CountDownLatch stopped = new CountDownLatch(1);

  public Daemon(DaemonSettings settings, Database db, Upkeep upkeep, Reaper reaper, PrintWriter logTo) {
    this.settings = settings;
    this.upkeep = upkeep;
    this.reaper = reaper;
    this.log = new DaemonLog(logTo);
    try {
      this.scheduler = QuartzConfig.scheduler(settings, db);
      scheduler.setJobFactory((bundle, s) -> newJob(bundle.getJobDetail().getJobClass()));
      log.member(scheduler.getSchedulerInstanceId());
    } catch (SchedulerException e) {
      throw new MayflyException(MayflyException.Exit.FAILED, "cannot start the scheduler on " + db + ": "
          + e.getMessage(), e);
    }
  }

  private org.quartz.Job newJob(Class<?> type) {
    if (type == Jobs.Expiry.class) {
      return new Jobs.Expiry(this);
    } else if (type == Jobs.Notice.class) {
      return new Jobs.Notice(this);
    } else if (type == Jobs.SyncRound.class) {
      return new Jobs.SyncRound(this);
    } else if (type == Jobs.SyncRetry.class) {
      return new Jobs.SyncRetry(this);
    } else if (type == Jobs.Reconcile.class) {
      return new Jobs.Reconcile(this);
    } else if (type == Jobs.Reap.class) {
      return new Jobs.Reap(this);
    }
    throw new IllegalStateException("unknown job class " + type.getName());
  }

  DaemonSettings settings() {
    return settings;
  }

  Upkeep upkeep() {
    return upkeep;
  }

  Reaper reaper() {
    return reaper;
  }

  DaemonLog log() {
    return log;
  }

  /**
   * Picks up what changed in the registry while the daemon was down, then starts firing: an expiry that
   * passed meanwhile fires within one poll.
   */
  public void start() {
    long t0 = System.nanoTime();
    int changed = reconcile();
    try {
      schedulePeriodic("reconcile", Jobs.Reconcile.class, settings.reconcile());
      schedulePeriodic("reap", Jobs.Reap.class, settings.reapEvery());
      scheduler.start();
    } catch (SchedulerException e) {
      throw new MayflyException(MayflyException.Exit.FAILED, "cannot start the scheduler: " + e.getMessage(), e);
    }
    log.info("daemon started in " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms: " + changed
        + " deployment(s) (re)scheduled; poll " + settings.poll().toMillis() + " ms, reaper "
        + (settings.reapAct() ? "acting" : "dry run"));
  }

  private void schedulePeriodic(String name, Class<? extends org.quartz.Job> type, Duration every)
      throws SchedulerException {
    JobDetail job = JobBuilder.newJob(type).withIdentity(name, DAEMON).storeDurably().build();
    Trigger trigger = TriggerBuilder.newTrigger().withIdentity(name, DAEMON).forJob(job)
        .startAt(new Date(System.currentTimeMillis() + every.toMillis()))
        .withSchedule(SimpleScheduleBuilder.simpleSchedule().withIntervalInMilliseconds(every.toMillis())
            .repeatForever().withMisfireHandlingInstructionNextWithRemainingCount())
        .build();
    Trigger existing = scheduler.getTrigger(trigger.getKey());
    if (existing instanceof org.quartz.SimpleTrigger st && st.getRepeatInterval() == every.toMillis()) {
      return; // another member (or an earlier run) set it up with the same interval
    }
    scheduler.scheduleJob(job, Set.of(trigger), true);
  }

  /**
   * Brings the job store in line with the registry: an expiry and notices for every live deployment whose
   * schedule changed (new, extended, terminated), and one sync round per distinct cron.
   *
   * @return how many deployments were (re)scheduled
   */
  int reconcile() {
    try {
      int n = 0;
      List<ScheduleRow> changed = upkeep.changedSchedules();
      for (int from = 0; from < changed.size(); from += BATCH) {
        List<ScheduleRow> batch = changed.subList(from, Math.min(changed.size(), from + BATCH));
        scheduleDeployments(batch);
        n += batch.size();
      }
      reconcileSyncRounds();
      if (n > 0) {
        log.info("reconciled " + n + " deployment(s)");
      }
      return n;
    } catch (SchedulerException e) {
      throw new MayflyException(MayflyException.Exit.FAILED, "cannot schedule: " + e.getMessage(), e);
    }
  }

  private void scheduleDeployments(List<ScheduleRow> rows) throws SchedulerException {
    List<JobKey> obsolete = new ArrayList<>();
    Map<JobDetail, Set<? extends Trigger>> jobs = new LinkedHashMap<>();
    Instant now = Instant.now();
    for (ScheduleRow row : rows) {
      obsolete.add(JobKey.jobKey(row.id(), EXPIRY));
      obsolete.add(JobKey.jobKey(row.id(), NOTICE));
      if (!Upkeep.live(row.state()) || row.expiresAt().isEmpty()) {
        continue;
      }
      Instant expiresAt = row.expiresAt().get();
      JobDetail expiry = JobBuilder.newJob(Jobs.Expiry.class).withIdentity(row.id(), EXPIRY)
          .usingJobData(Jobs.DEPLOYMENT, row.id()).requestRecovery().build();
      jobs.put(expiry, Set.of(oneShot(TriggerKey.triggerKey(row.id(), EXPIRY), expiresAt)));
      Set<Trigger> notices = new HashSet<>();
      for (Duration lead : settings.notices()) {
        Instant at = expiresAt.minus(lead);
        if (at.isAfter(now)) {
          notices.add(TriggerBuilder.newTrigger().withIdentity(row.id() + "@" + lead.toSeconds(), NOTICE)
              .usingJobData(Jobs.LEAD_SECONDS, Long.toString(lead.toSeconds()))
              .usingJobData(Jobs.EXPIRES_AT, expiresAt.toString())
              .startAt(Date.from(at))
              .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
              .build());
        }
      }
      if (!notices.isEmpty()) {
        jobs.put(JobBuilder.newJob(Jobs.Notice.class).withIdentity(row.id(), NOTICE)
            .usingJobData(Jobs.DEPLOYMENT, row.id()).build(), notices);
      }
    }
    scheduler.deleteJobs(obsolete);
    if (!jobs.isEmpty()) {
      scheduler.scheduleJobs(jobs, true);
    }
    for (ScheduleRow row : rows) {
      upkeep.scheduled(row.id(), row.rev());
    }
  }

  /** A one-shot trigger that fires at once when its time passed while no daemon ran. */
  private static Trigger oneShot(TriggerKey key, Instant at) {
    return TriggerBuilder.newTrigger().withIdentity(key).startAt(Date.from(at))
        .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
        .build();
  }

  private void reconcileSyncRounds() throws SchedulerException {
    Set<String> wanted = new HashSet<>(upkeep.syncCrons());
    List<JobKey> obsolete = new ArrayList<>();
    Set<String> present = new HashSet<>();
    for (JobKey key : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(SYNC))) {
      if (wanted.contains(key.getName())) {
        present.add(key.getName());
      } else {
        obsolete.add(key);
      }
    }
    scheduler.deleteJobs(obsolete);
    for (String cron : wanted) {
      if (present.contains(cron)) {
        continue;
      }
      JobDetail job = JobBuilder.newJob(Jobs.SyncRound.class).withIdentity(cron, SYNC)
          .usingJobData(Jobs.CRON, cron).build();
      TriggerBuilder<Trigger> t = TriggerBuilder.newTrigger().withIdentity(cron, SYNC);
      Trigger trigger = settings.syncEvery() == null
          ? t.withSchedule(CronScheduleBuilder.cronSchedule(QuartzCron.fromUnix(cron))
              // after downtime: one catch-up round, not one per missed slot
              .withMisfireHandlingInstructionFireAndProceed()).build()
          : t.startAt(new Date(System.currentTimeMillis() + settings.syncEvery().toMillis()))
              .withSchedule(SimpleScheduleBuilder.simpleSchedule()
                  .withIntervalInMilliseconds(settings.syncEvery().toMillis()).repeatForever()
                  .withMisfireHandlingInstructionNextWithRemainingCount()).build();
      scheduler.scheduleJob(job, Set.of(trigger), true);
      Date next = trigger.getNextFireTime() != null ? trigger.getNextFireTime() : trigger.getStartTime();
      upkeep.nextRound(cron, next.toInstant());
      log.info("sync round scheduled for cron '" + cron + "', first at " + next.toInstant());
    }
  }

  /** Schedules a retry for each deployment whose sync failed, after exponential backoff with jitter. */
  void retryFailed(Upkeep.RoundReport report) {
    report.failed().forEach((id, failures) -> {
      Instant at = Instant.now().plus(Backoff.delay(settings.retryBase(), settings.retryMax(), failures,
          ThreadLocalRandom.current().nextDouble()));
      try {
        JobDetail job = JobBuilder.newJob(Jobs.SyncRetry.class).withIdentity(id, SYNC_RETRY)
            .usingJobData(Jobs.DEPLOYMENT, id).build();
        scheduler.scheduleJob(job, Set.of(oneShot(TriggerKey.triggerKey(id, SYNC_RETRY), at)), true);
        upkeep.retryAt(id, at);
        log.info("sync of " + id + " failed " + failures + " time(s) in a row; retry at " + at);
      } catch (SchedulerException e) {
        log.info("cannot schedule the sync retry of " + id + ": " + e.getMessage());
      }
    });
  }

  void scheduleExpiryRetry(String id, Instant at) {
    try {
      JobDetail job = JobBuilder.newJob(Jobs.Expiry.class).withIdentity(id, EXPIRY)
          .usingJobData(Jobs.DEPLOYMENT, id).requestRecovery().build();
      scheduler.scheduleJob(job, Set.of(oneShot(TriggerKey.triggerKey(id, EXPIRY), at)), true);
    } catch (SchedulerException e) {
      log.info("cannot schedule the expiry retry of " + id + ": " + e.getMessage());
    }
  }

  /**
   * The daemon's life: start, run until SIGTERM/SIGINT (or {@code runFor}, when given), then close within
   * the shutdown grace.
   */
  public void run(Duration runFor) throws InterruptedException {
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop();
      try {
        // bounded: Quartz's own grace plus a margin for the shutdown itself
        closed.await(settings.shutdownGrace().toMillis() + 5_000, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "mayfly-daemon-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      start();
      await(runFor);
    } finally {
      close();
      closed.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down: the hook is running and now returns
      }
    }
  }

  /**
   * Blocks until {@link #stop()} or until {@code limit} passes (null: no limit, the daemon's normal life).
   */
  public void await(Duration limit) throws InterruptedException {
    if (limit == null) {
      stopped.await();
    } else {
      stopped.await(limit.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  public void stop() {
    stopped.countDown();
  }

  /** Stops taking triggers, waits up to the shutdown grace for running jobs, then shuts Quartz down. */
  @Override
  public void close() {
    try {
      scheduler.standby();
      long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
      while (!scheduler.getCurrentlyExecutingJobs().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      int left = scheduler.getCurrentlyExecutingJobs().size();
      if (left > 0) {
        log.info("stopping with " + left + " job(s) still running after " + settings.shutdownGrace().toSeconds()
            + " s; a cluster member or the next start recovers them");
      }
      scheduler.shutdown(false);
      log.info("daemon stopped");
    } catch (SchedulerException e) {
      log.info("scheduler shutdown: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
