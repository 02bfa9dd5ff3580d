package dev.mayfly.schedule;

import dev.mayfly.MayflyException;
import dev.mayfly.deploy.Reaper;
import dev.mayfly.deploy.Upkeep;
import dev.mayfly.store.Database;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.ScheduleRow;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code mayfly daemon}: the scheduler's life (start, run until stopped, close) on the registry's
 * database (see {@link QuartzConfig}). Its jobs are derived from the registry by a {@link
 * JobPlanner} (see {@link #reconcile()}), never the other way round.
 */
public final class Daemon implements AutoCloseable {
  private static final int BATCH = 500;

  private final DaemonSettings settings;
  private final Upkeep upkeep;
  private final Reaper reaper;
  private final Clock clock;
  private final DaemonLog log;
  private final Scheduler scheduler;
  private final JobPlanner planner;

  /** Up to when the job store holds every expiry and notice; null until the first reconcile. */
  private volatile Instant plannedUntil;

  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile Runnable onceJobsEnded = () -> {};

  /**
   * @param clock what "now" is for every scheduling decision; the same one {@code upkeep} uses
   */
  public Daemon(
      DaemonSettings settings,
      Database db,
      Upkeep upkeep,
      Reaper reaper,
      Clock clock,
      PrintWriter logTo) {
    this.settings = settings;
    this.clock = clock;
    this.upkeep = upkeep;
    this.reaper = reaper;
    this.log = new DaemonLog(logTo, clock);
    try {
      this.scheduler = QuartzConfig.scheduler(settings, db);
      scheduler.setJobFactory(
          (bundle, s) -> Jobs.create(bundle.getJobDetail().getJobClass(), this));
      log.member(scheduler.getSchedulerInstanceId());
    } catch (SchedulerException e) {
      throw new MayflyException(
          MayflyException.Exit.FAILED,
          "cannot start the scheduler on " + db + ": " + e.getMessage(),
          e);
    }
    this.planner =
        new JobPlanner(
            scheduler, settings.notices(), settings.syncEvery(), settings.horizon(), clock);
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
   * Picks up what changed in the registry while the daemon was down, then starts firing: an expiry
   * that passed meanwhile fires within one poll.
   */
  public void start() {
    long t0 = System.nanoTime();
    int changed = reconcile();
    try {
      planner.periodic("reconcile", Jobs.Reconcile.class, settings.reconcile());
      planner.periodic("reap", Jobs.Reap.class, settings.reapEvery());
      planner.periodic("recycle", Jobs.Recycle.class, settings.recycleCheck());
      scheduler.start();
    } catch (SchedulerException e) {
      throw new MayflyException(
          MayflyException.Exit.FAILED, "cannot start the scheduler: " + e.getMessage(), e);
    }
    log.info(
        "daemon started in "
            + Duration.ofNanos(System.nanoTime() - t0).toMillis()
            + " ms (ready "
            + sinceProcessStart().toMillis()
            + " ms after the process started): "
            + changed
            + " deployment(s) (re)scheduled; poll "
            + settings.poll().toMillis()
            + " ms, reaper "
            + (settings.reapAct() ? "acting" : "dry run"));
  }

  /** Wall time since this process (JVM boot, registry, Quartz and all) began. */
  private static Duration sinceProcessStart() {
    return ProcessHandle.current()
        .info()
        .startInstant()
        .map(start -> Duration.between(start, Instant.now()))
        .orElse(Duration.ZERO);
  }

  /**
   * Brings the job store in line with the registry: the expiry and notices of every deployment
   * whose revision changed (launched, extended, terminated) or whose first job came within the
   * horizon, and one sync round per distinct cron. What cannot be scheduled (a state this version
   * cannot read, a cron that never fires) marks its deployments {@code schedule-error} and the rest
   * goes on; only a failing database fails the call.
   *
   * @return how many deployments were (re)scheduled
   */
  int reconcile() {
    try {
      upkeep
          .unreadableStates()
          .forEach(
              (id, word) ->
                  scheduleError(
                      id,
                      word,
                      "unknown state '"
                          + word
                          + "' (written by another mayfly version, or by hand)"));
      List<ScheduleRow> changed = upkeep.changedSchedules();
      plan(changed, changed.isEmpty() ? Set.of() : planner.deploymentJobs(), true);
      int near = planNearing();
      if (near > 0) {
        log.info("planned " + near + " deployment(s) now within the horizon");
      }
      JobPlanner.Rounds rounds = planner.syncRounds(upkeep.syncCrons());
      rounds
          .added()
          .forEach(
              (cron, first) -> {
                showNextRound(cron, first);
                log.info("sync round scheduled for cron '" + cron + "', first at " + first);
              });
      rounds
          .unschedulable()
          .forEach(
              (cron, why) ->
                  upkeep
                      .cronError(cron, why)
                      .forEach(id -> log.info("schedule-error " + id + ": " + why)));
      if (!changed.isEmpty()) {
        Instant now = clock.instant();
        long later = changed.stream().filter(r -> planner.beyondHorizon(r, now)).count();
        log.info(
            "reconciled "
                + changed.size()
                + " deployment(s)"
                + (later > 0
                    ? ", " + later + " of them expiring beyond the horizon (no jobs yet)"
                    : ""));
      }
      return changed.size();
    } catch (SchedulerException e) {
      throw new MayflyException(
          MayflyException.Exit.FAILED, "cannot schedule: " + e.getMessage(), e);
    }
  }

  /**
   * Hands {@code rows} to the planner in batches (one job store transaction each), {@code existing}
   * being the expiry and notice jobs the store held before, and marks what it could not schedule
   * {@code schedule-error}; {@code markScheduled}: and records each row's revision as scheduled.
   */
  private void plan(List<ScheduleRow> rows, Set<JobKey> existing, boolean markScheduled)
      throws SchedulerException {
    for (int from = 0; from < rows.size(); from += BATCH) {
      List<ScheduleRow> batch = rows.subList(from, Math.min(rows.size(), from + BATCH));
      Map<String, String> failed = planner.deployments(batch, existing);
      Map<String, Long> scheduled = new LinkedHashMap<>();
      for (ScheduleRow row : batch) {
        String why = failed.get(row.id());
        if (why != null && row.state() != DeploymentState.SCHEDULE_ERROR) {
          scheduleError(
              row.id(), row.state().word(), why); // bumps the revision: planned again next round
          continue;
        }
        if (why != null) {
          log.info("schedule-error " + row.id() + " remains: " + why);
        }
        scheduled.put(row.id(), row.rev());
      }
      if (markScheduled) {
        upkeep.scheduled(scheduled);
      }
    }
  }

  /**
   * Every half horizon, plans the live deployments whose first job has come within the horizon and
   * that have no expiry job yet: planned while further off, or missed while no daemon ran.
   *
   * @return how many it planned
   */
  private int planNearing() throws SchedulerException {
    Instant now = clock.instant();
    if (plannedUntil != null && now.plus(planner.horizon().dividedBy(2)).isBefore(plannedUntil)) {
      return 0;
    }
    Set<JobKey> existing = planner.deploymentJobs();
    List<ScheduleRow> due =
        upkeep.expiringBefore(planner.nearing(now)).stream()
            .filter(
                row ->
                    Upkeep.live(row.state())
                        && !existing.contains(JobKey.jobKey(row.id(), JobPlanner.EXPIRY)))
            .toList();
    plan(due, existing, false);
    plannedUntil = now.plus(planner.horizon());
    return due.size();
  }

  /**
   * Writes a round's time for {@code list} only where it is not the cron's own next time (the
   * {@code --sync-every} demo mode): {@code list} computes that one with the same {@code SyncCron}
   * the planner used, and writing it cost an UPDATE of every deployment on the cron each round (2 s
   * for 10,000 on a first start).
   */
  private void showNextRound(String cron, Instant at) {
    if (settings.syncEvery() != null) {
      upkeep.nextRound(cron, at);
    }
  }

  /** Plans the round after the one on {@code cron} that was {@code due}; shown by {@code list}. */
  void nextRound(String cron, Instant due) {
    try {
      showNextRound(cron, planner.nextRound(cron, due));
    } catch (SchedulerException | RuntimeException e) {
      log.info(
          "cannot plan the next sync round of cron '"
              + cron
              + "' (the next reconcile will): "
              + e.getMessage());
    }
  }

  private void scheduleError(String id, String word, String why) {
    if (upkeep.scheduleError(id, word, why)) {
      log.info("schedule-error " + id + ": " + why);
    }
  }

  /**
   * Schedules a retry for each deployment whose sync failed, after exponential backoff with jitter.
   */
  void retryFailed(Upkeep.RoundReport report) {
    report
        .failed()
        .forEach(
            (id, failures) -> {
              Duration delay =
                  Backoff.delay(
                      settings.retryBase(),
                      settings.retryMax(),
                      failures,
                      ThreadLocalRandom.current().nextDouble());
              try {
                Instant at = planner.syncRetry(id, delay);
                upkeep.retryAt(id, at);
                log.info(
                    "sync of " + id + " failed " + failures + " time(s) in a row; retry at " + at);
              } catch (SchedulerException e) {
                log.info("cannot schedule the sync retry of " + id + ": " + e.getMessage());
              }
            });
  }

  /**
   * Recycles each deployment whose hosts are older than its policy; one that fails keeps its hosts
   * and is tried again after a backoff that grows with its failures in a row.
   */
  void recycleDue() {
    for (String id : upkeep.recyclesDue()) {
      String why;
      try {
        why = upkeep.recycle(id);
      } catch (RuntimeException e) {
        why = String.valueOf(e.getMessage());
      }
      if (why == null) {
        log.info("recycled " + id);
        continue;
      }
      int failures = upkeep.recycleFailures(id) + 1;
      Instant at =
          clock
              .instant()
              .plus(
                  Backoff.delay(
                      settings.retryBase(),
                      settings.retryMax(),
                      failures,
                      ThreadLocalRandom.current().nextDouble()));
      upkeep.recycleFailed(id, at, why);
      log.info(
          "recycle of "
              + id
              + " failed "
              + failures
              + " time(s) in a row, its hosts keep serving; retry after "
              + at
              + ": "
              + why);
    }
  }

  /**
   * Schedules the expiry of {@code id} again, one retry-base from now, after it failed for {@code
   * why}.
   */
  void retryExpiry(String id, String why) {
    try {
      Instant at = planner.expiryRetry(id, settings.retryBase());
      log.info("expiry " + id + " failed, retrying at " + at + ": " + why);
    } catch (SchedulerException e) {
      log.info("expiry " + id + " failed: " + why);
      log.info("cannot schedule the expiry retry of " + id + ": " + e.getMessage());
    }
  }

  /**
   * The daemon's life: start, run until SIGTERM/SIGINT (or {@code runFor}, when given), then close
   * within the shutdown grace; a second signal quits at once.
   *
   * <p>Signals are caught with {@code sun.misc.Signal}, not a shutdown hook: once the JVM shuts
   * down, H2's own hook closes the registry that the jobs and the web launches ending after this
   * returns still write to.
   */
  public void run(Duration runFor) throws InterruptedException {
    run(runFor, () -> {});
  }

  /**
   * Like {@link #run(Duration)}; {@code onceJobsEnded} runs while stopping, after the running jobs
   * ended (or the grace passed) and before the scheduler and its database connections close.
   */
  public void run(Duration runFor, Runnable onceJobsEnded) throws InterruptedException {
    this.onceJobsEnded = onceJobsEnded;
    Map<Signal, SignalHandler> previous = new HashMap<>();
    for (String name : List.of("INT", "TERM")) {
      Signal signal = new Signal(name);
      previous.put(signal, Signal.handle(signal, this::signalled));
    }
    try {
      start();
      await(runFor);
    } finally {
      close();
      previous.forEach(Signal::handle);
    }
  }

  private void signalled(Signal signal) {
    if (stopped.getCount() == 0) {
      // asked twice: out now, the next start and the reaper recover what is left
      System.exit(MayflyException.Exit.INTERRUPTED.code);
    }
    log.info("SIG" + signal.getName() + ": stopping");
    stop();
  }

  /**
   * Blocks until {@link #stop()} or until {@code limit} passes (null: no limit, the daemon's normal
   * life).
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

  /**
   * Stops taking triggers, waits up to the shutdown grace for running jobs, then shuts Quartz down.
   */
  @Override
  public void close() {
    try {
      scheduler.standby();
      // elapsed time, not wall-clock time: a stop must not hang on a clock that stands still
      long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
      while (!scheduler.getCurrentlyExecutingJobs().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      int left = scheduler.getCurrentlyExecutingJobs().size();
      if (left > 0) {
        log.info(
            "stopping with "
                + left
                + " job(s) still running after "
                + settings.shutdownGrace().toSeconds()
                + " s; a cluster member or the next start recovers them");
      }
      try {
        onceJobsEnded.run();
      } catch (RuntimeException e) {
        log.info("while stopping: " + e.getMessage());
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
