package dev.mayfly.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.ScheduleRow;
import dev.mayfly.template.SyncCron;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quartz.JobBuilder;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.simpl.RAMJobStore;

/** The planner against Quartz's in-memory job store, on a clock that stands still. */
class JobPlannerTest {
  static final Instant NOW = Instant.parse("2026-03-01T12:01:30Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final List<Duration> NOTICES = List.of(Duration.ofHours(24), Duration.ofHours(1));

  /** Far enough that every row these tests plan is within it, but for the horizon's own test. */
  static final Duration HORIZON = Duration.ofDays(30);

  private Scheduler scheduler;
  private JobPlanner planner;

  @BeforeEach
  void inMemoryScheduler() throws SchedulerException {
    scheduler = inMemory(Duration.ofMinutes(1));
    planner = new JobPlanner(scheduler, NOTICES, null, HORIZON, CLOCK);
  }

  private static Scheduler inMemory(Duration misfireThreshold) throws SchedulerException {
    Properties p = new Properties();
    // Quartz keeps schedulers in a JVM-wide registry by name
    p.setProperty("org.quartz.scheduler.instanceName", "planner-test-" + UUID.randomUUID());
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.threadPool.threadCount", "1");
    p.setProperty("org.quartz.jobStore.class", RAMJobStore.class.getName());
    p.setProperty(
        "org.quartz.jobStore.misfireThreshold", Long.toString(misfireThreshold.toMillis()));
    return new StdSchedulerFactory(p).getScheduler();
  }

  @AfterEach
  void shutDown() throws SchedulerException {
    scheduler.shutdown(false);
  }

  @Test
  void anExpiryInTheFutureGetsATriggerAtItsExpiresAt() throws SchedulerException {
    Instant expiresAt = NOW.plus(Duration.ofDays(3));
    planner.deployments(List.of(row("qa", "running", expiresAt, 1)));

    Trigger expiry = scheduler.getTrigger(TriggerKey.triggerKey("qa", JobPlanner.EXPIRY));
    assertEquals(expiresAt, expiry.getStartTime().toInstant());
    assertEquals(expiresAt, expiry.getNextFireTime().toInstant());
    assertEquals(
        "qa",
        scheduler.getJobDetail(expiry.getJobKey()).getJobDataMap().getString(Jobs.DEPLOYMENT));
    assertTrue(
        scheduler.getJobDetail(expiry.getJobKey()).requestsRecovery(),
        "a member that dies mid-way");
  }

  @Test
  void anExpiryThatPassedWhileNoDaemonRanFiresAtOnce() throws Exception {
    planner.deployments(List.of(row("late", "running", NOW.minus(Duration.ofMinutes(5)), 1)));

    Trigger expiry = scheduler.getTrigger(TriggerKey.triggerKey("late", JobPlanner.EXPIRY));
    assertEquals(SimpleTrigger.MISFIRE_INSTRUCTION_FIRE_NOW, expiry.getMisfireInstruction());
    assertTrue(
        scheduler.getTriggersOfJob(JobKey.jobKey("late", JobPlanner.NOTICE)).isEmpty(),
        "no notice after");
    CountDownLatch fired = new CountDownLatch(1);
    scheduler.setJobFactory((bundle, s) -> context -> fired.countDown());
    scheduler.start();
    assertTrue(fired.await(10, TimeUnit.SECONDS), "the expiry fired on start");
  }

  @Test
  void noticesGoOutBeforeTheExpiryOnlyWhileStillAhead() throws SchedulerException {
    Instant soon = NOW.plus(Duration.ofHours(2));
    Instant later = NOW.plus(Duration.ofHours(30));
    planner.deployments(
        List.of(row("soon", "running", soon, 1), row("later", "running", later, 1)));

    assertEquals(Map.of("soon@3600", soon.minus(Duration.ofHours(1))), notices("soon"));
    assertEquals(bothNotices("later", later), notices("later"));
    Trigger notice = scheduler.getTrigger(TriggerKey.triggerKey("soon@3600", JobPlanner.NOTICE));
    assertEquals("3600", notice.getJobDataMap().getString(Jobs.LEAD_SECONDS));
    assertEquals(soon.toString(), notice.getJobDataMap().getString(Jobs.EXPIRES_AT));
  }

  @Test
  void onlyDeploymentsWhoseFirstJobIsWithinTheHorizonGetJobs() throws SchedulerException {
    JobPlanner hourAhead = new JobPlanner(scheduler, NOTICES, null, Duration.ofHours(1), CLOCK);
    Instant near = NOW.plus(Duration.ofHours(24)).plus(Duration.ofMinutes(30)); // 24h notice in 30m
    Instant far = NOW.plus(Duration.ofDays(3));
    hourAhead.deployments(List.of(row("near", "running", near, 1), row("far", "running", far, 1)));

    assertEquals(Set.of("near"), expiryJobs());
    assertEquals(2, notices("near").size(), "both notices of a planned deployment");
    assertTrue(notices("far").isEmpty(), "nothing yet for one expiring in 3 days");
    assertEquals(
        NOW.plus(Duration.ofHours(25)),
        hourAhead.nearing(NOW),
        "a deployment expiring before this has its 24h notice within the hour");

    // planned again once near (what the daemon's nearing pass does): all of it, at its times
    Clock twoDaysOn = Clock.offset(CLOCK, Duration.ofDays(2).minusMinutes(30));
    new JobPlanner(scheduler, NOTICES, null, Duration.ofHours(1), twoDaysOn)
        .deployments(List.of(row("far", "running", far, 1)));
    assertEquals(
        far,
        scheduler
            .getTrigger(TriggerKey.triggerKey("far", JobPlanner.EXPIRY))
            .getStartTime()
            .toInstant());
    assertEquals(bothNotices("far", far), notices("far"));
  }

  @Test
  void aSyncCronGetsAOneShotAtItsNextTime() throws SchedulerException {
    Map<String, Instant> added = planner.syncRounds(List.of("*/5 * * * *")).added();

    assertEquals(Map.of("*/5 * * * *", Instant.parse("2026-03-01T12:05:00Z")), added);
    Trigger round = scheduler.getTrigger(TriggerKey.triggerKey("*/5 * * * *", JobPlanner.SYNC));
    SimpleTrigger once = assertInstanceOf(SimpleTrigger.class, round);
    assertNull(once.getFireTimeAfter(once.getStartTime()), "the next is planned as it fires");
    assertEquals(SimpleTrigger.MISFIRE_INSTRUCTION_FIRE_NOW, once.getMisfireInstruction());
    assertEquals(
        Map.of(),
        planner.syncRounds(List.of("*/5 * * * *")).added(),
        "a round already there stays as is");
  }

  @Test
  void aCronThatCannotBeScheduledIsReportedAndTheOthersAreScheduled() throws SchedulerException {
    for (JobPlanner p :
        List.of(
            planner, new JobPlanner(scheduler, NOTICES, Duration.ofSeconds(2), HORIZON, CLOCK))) {
      scheduler.clear();
      JobPlanner.Rounds rounds =
          p.syncRounds(List.of("*/5 * * * *", "0 0 1 * 1", "0 0 31 2 *", "61 * * * *"));

      assertEquals(Set.of("*/5 * * * *", "0 0 1 * 1"), rounds.added().keySet());
      assertEquals(Set.of("*/5 * * * *", "0 0 1 * 1"), syncJobs(), "no job for a bad cron");
      assertEquals(
          "sync cron '0 0 31 2 *' cannot be scheduled: it never fires",
          rounds.unschedulable().get("0 0 31 2 *"),
          "checked in sync-every mode too");
      assertEquals(
          "sync cron '61 * * * *' cannot be scheduled: minute 61 is out of 0-59",
          rounds.unschedulable().get("61 * * * *"),
          "as an older version, or a hand, may have stored it");
    }
  }

  @Test
  void aDayOfMonthOrDayOfWeekRoundFiresWhenListSaysAndPlansTheNext() throws Exception {
    scheduler.shutdown(false);
    scheduler = inMemory(LATE_BUT_NO_MISFIRE);
    roundsFireWhenListSays(scheduler);
  }

  /** How late the rounds of {@link #roundsFireWhenListSays} fire, yet not as misfires. */
  static final Duration LATE_BUT_NO_MISFIRE = Duration.between(NOW, Instant.now()).plusDays(30);

  /**
   * Plans a day-of-month OR day-of-week round on {@code scheduler} (whose misfire threshold is
   * {@link #LATE_BUT_NO_MISFIRE}: the rounds are due months before the real now, so each fires as
   * scheduled), runs it, and checks it fired at the times {@code list} shows, each round planning
   * the next as the daemon's does.
   */
  static void roundsFireWhenListSays(Scheduler scheduler) throws Exception {
    JobPlanner planner = new JobPlanner(scheduler, NOTICES, null, HORIZON, CLOCK);
    String cron = "CRON_TZ=Europe/Berlin 0 0 15 * MON"; // the 15th or a Monday, Berlin midnight
    List<Instant> fired = new CopyOnWriteArrayList<>();
    CountDownLatch four = new CountDownLatch(4);
    scheduler.setJobFactory(
        (bundle, s) ->
            context -> {
              Instant due = context.getScheduledFireTime().toInstant();
              fired.add(due);
              try {
                planner.nextRound(cron, due); // what Daemon.nextRound does after a round
              } catch (SchedulerException e) {
                throw new IllegalStateException(e);
              }
              four.countDown();
            });

    Instant first = planner.syncRounds(List.of(cron)).added().get(cron);
    assertEquals(SyncCron.next(cron, NOW).orElseThrow(), first, "what list shows");
    scheduler.start();
    assertTrue(four.await(60, TimeUnit.SECONDS), "fired " + fired);
    scheduler.standby();

    assertEquals(
        List.of(
            Instant.parse("2026-03-01T23:00:00Z"), // Monday 2 March
            Instant.parse("2026-03-08T23:00:00Z"), // Monday 9 March
            Instant.parse("2026-03-14T23:00:00Z"), // Sunday 15 March, by its day of month
            Instant.parse("2026-03-15T23:00:00Z")), // Monday 16 March
        List.copyOf(fired).subList(0, 4)); // a fifth may be firing as standby begins
  }

  @Test
  void aRoundWhoseNextTriggerWentMissingIsPlannedAgain() throws SchedulerException {
    planner.syncRounds(List.of("0 1 * * *"));
    scheduler.unscheduleJob(TriggerKey.triggerKey("0 1 * * *", JobPlanner.SYNC));
    scheduler.addJob(
        JobBuilder.newJob(Jobs.SyncRound.class)
            .withIdentity("0 1 * * *", JobPlanner.SYNC)
            .storeDurably()
            .build(),
        true); // as a member that died mid-round leaves it

    assertEquals(
        Map.of("0 1 * * *", Instant.parse("2026-03-02T01:00:00Z")),
        planner.syncRounds(List.of("0 1 * * *")).added());
  }

  @Test
  void aRowThatCannotBeScheduledIsReportedAndTheOthersAreScheduled() throws SchedulerException {
    Instant expiresAt = NOW.plus(Duration.ofHours(3));
    // a value H2 stores but java.util.Date cannot hold: what a tampered row can carry (long past,
    // so within the horizon; one as far ahead simply waits beyond it)
    Instant beyondDate = Instant.parse("-999999999-01-01T00:00:00Z");
    Map<String, String> failed =
        planner.deployments(
            List.of(
                row("qa", "running", expiresAt, 1),
                row("bad", "running", beyondDate, 1),
                row("other", "schedule-error", expiresAt, 1)));

    assertEquals(Set.of("bad"), failed.keySet());
    assertTrue(failed.get("bad").startsWith("its expiry cannot be scheduled: "), failed::toString);
    assertEquals(
        expiresAt,
        scheduler
            .getTrigger(TriggerKey.triggerKey("qa", JobPlanner.EXPIRY))
            .getStartTime()
            .toInstant());
    assertEquals(
        expiresAt,
        scheduler
            .getTrigger(TriggerKey.triggerKey("other", JobPlanner.EXPIRY))
            .getStartTime()
            .toInstant(),
        "a schedule-error deployment still expires");
    assertFalse(scheduler.checkExists(JobKey.jobKey("bad", JobPlanner.EXPIRY)));
  }

  @Test
  void aCronNoLongerSyncedLosesItsRound() throws SchedulerException {
    planner.syncRounds(List.of("*/5 * * * *", "0 1 * * *"));
    planner.syncRounds(List.of("0 1 * * *"));

    assertEquals(Set.of("0 1 * * *"), syncJobs());
  }

  @Test
  void syncEveryReplacesTheCronWithAFixedInterval() throws SchedulerException {
    JobPlanner demo = new JobPlanner(scheduler, NOTICES, Duration.ofSeconds(2), HORIZON, CLOCK);

    assertEquals(
        Map.of("0 1 * * *", NOW.plusSeconds(2)), demo.syncRounds(List.of("0 1 * * *")).added());
    SimpleTrigger round =
        assertInstanceOf(
            SimpleTrigger.class,
            scheduler.getTrigger(TriggerKey.triggerKey("0 1 * * *", JobPlanner.SYNC)));
    assertEquals(2_000, round.getRepeatInterval());
  }

  @Test
  void aTerminatedDeploymentLosesItsJobs() throws SchedulerException {
    planner.deployments(List.of(row("done", "running", NOW.plus(Duration.ofDays(2)), 1)));
    planner.deployments(List.of(row("done", "terminated", NOW.plus(Duration.ofDays(2)), 2)));

    assertFalse(scheduler.checkExists(JobKey.jobKey("done", JobPlanner.EXPIRY)));
    assertFalse(scheduler.checkExists(JobKey.jobKey("done", JobPlanner.NOTICE)));
  }

  @Test
  void aDeploymentExtendedForeverLosesItsExpiry() throws SchedulerException {
    planner.deployments(List.of(row("kept", "running", NOW.plus(Duration.ofHours(2)), 1)));
    planner.deployments(
        List.of(
            new ScheduleRow(
                "kept",
                DeploymentState.RUNNING,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                0,
                Optional.empty(),
                2)));

    assertFalse(scheduler.checkExists(JobKey.jobKey("kept", JobPlanner.EXPIRY)));
    assertFalse(scheduler.checkExists(JobKey.jobKey("kept", JobPlanner.NOTICE)));
  }

  @Test
  void aRevisionBumpReplansExpiryAndNotices() throws SchedulerException {
    Instant first = NOW.plus(Duration.ofHours(30));
    Instant extended = NOW.plus(Duration.ofHours(3));
    planner.deployments(List.of(row("qa", "running", first, 1), row("other", "running", first, 1)));
    planner.deployments(List.of(row("qa", "running", extended, 2)));

    assertEquals(
        extended,
        scheduler
            .getTrigger(TriggerKey.triggerKey("qa", JobPlanner.EXPIRY))
            .getStartTime()
            .toInstant());
    assertEquals(
        Map.of("qa@3600", extended.minus(Duration.ofHours(1))),
        notices("qa"),
        "the 24h notice went");
    assertEquals(
        first,
        scheduler
            .getTrigger(TriggerKey.triggerKey("other", JobPlanner.EXPIRY))
            .getStartTime()
            .toInstant(),
        "rows not given are left alone");
  }

  @Test
  void aPeriodicJobWithTheSameIntervalIsLeftAsAnotherMemberSetItUp() throws SchedulerException {
    planner.periodic("reap", Jobs.Reap.class, Duration.ofMinutes(10));
    Clock later = Clock.offset(CLOCK, Duration.ofMinutes(3));
    new JobPlanner(scheduler, NOTICES, null, HORIZON, later)
        .periodic("reap", Jobs.Reap.class, Duration.ofMinutes(10));
    TriggerKey reap = TriggerKey.triggerKey("reap", JobPlanner.DAEMON);
    assertEquals(
        NOW.plus(Duration.ofMinutes(10)), scheduler.getTrigger(reap).getStartTime().toInstant());

    new JobPlanner(scheduler, NOTICES, null, HORIZON, later)
        .periodic("reap", Jobs.Reap.class, Duration.ofMinutes(1));
    SimpleTrigger changed = (SimpleTrigger) scheduler.getTrigger(reap);
    assertEquals(60_000, changed.getRepeatInterval());
    assertEquals(NOW.plus(Duration.ofMinutes(4)), changed.getStartTime().toInstant());
  }

  @Test
  void retriesAreOneShotsFromTheClocksNow() throws SchedulerException {
    assertEquals(NOW.plusSeconds(90), planner.syncRetry("qa", Duration.ofSeconds(90)));
    assertEquals(NOW.plusSeconds(60), planner.expiryRetry("qa", Duration.ofSeconds(60)));

    Trigger sync = scheduler.getTrigger(TriggerKey.triggerKey("qa", JobPlanner.SYNC_RETRY));
    assertEquals(NOW.plusSeconds(90), sync.getStartTime().toInstant());
    assertNull(sync.getFireTimeAfter(sync.getStartTime()), "fires once");
    assertEquals(
        NOW.plusSeconds(60),
        scheduler
            .getTrigger(TriggerKey.triggerKey("qa", JobPlanner.EXPIRY))
            .getStartTime()
            .toInstant());
  }

  private Set<String> syncJobs() throws SchedulerException {
    return jobs(JobPlanner.SYNC);
  }

  private Set<String> expiryJobs() throws SchedulerException {
    return jobs(JobPlanner.EXPIRY);
  }

  private Set<String> jobs(String group) throws SchedulerException {
    return scheduler.getJobKeys(GroupMatcher.jobGroupEquals(group)).stream()
        .map(JobKey::getName)
        .collect(Collectors.toSet());
  }

  /** The 24h and 1h notice triggers of {@code id} by name, at their times. */
  private static Map<String, Instant> bothNotices(String id, Instant expiresAt) {
    return Map.of(
        id + "@86400", expiresAt.minus(Duration.ofHours(24)),
        id + "@3600", expiresAt.minus(Duration.ofHours(1)));
  }

  private Map<String, Instant> notices(String id) throws SchedulerException {
    return scheduler.getTriggersOfJob(JobKey.jobKey(id, JobPlanner.NOTICE)).stream()
        .collect(Collectors.toMap(t -> t.getKey().getName(), t -> t.getStartTime().toInstant()));
  }

  private static ScheduleRow row(String id, String state, Instant expiresAt, long rev) {
    return new ScheduleRow(
        id,
        DeploymentState.of(state),
        Optional.of(expiresAt),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        0,
        Optional.empty(),
        rev);
  }
}
