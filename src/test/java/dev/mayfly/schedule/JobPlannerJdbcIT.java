package dev.mayfly.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.mayfly.store.Database;
import dev.mayfly.store.Registry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.listeners.SchedulerListenerSupport;

/**
 * The planner on the daemon's own JDBC job store (the registry's H2 file): a sync round replans its
 * one-shot trigger while it runs, and the store must keep that trigger rather than delete it as
 * fired.
 */
class JobPlannerJdbcIT {
  @TempDir Path dir;

  @Test
  void aRoundReplannedAsItRunsKeepsFiringOnTheJdbcJobStore() throws Exception {
    Path state = dir.resolve("state");
    Registry.open(state).close(); // migrates, Quartz's tables too
    DaemonSettings settings =
        DaemonSettings.resolve(
            Map.of(
                "poll",
                "1s",
                "instance-id",
                "planner-it",
                "misfire",
                JobPlannerTest.LATE_BUT_NO_MISFIRE.toHours() + "h"),
            new Properties());
    Scheduler scheduler = QuartzConfig.scheduler(settings, Database.embedded(state));
    List<String> storeErrors = new CopyOnWriteArrayList<>();
    scheduler
        .getListenerManager()
        .addSchedulerListener(
            new SchedulerListenerSupport() {
              @Override
              public void schedulerError(String msg, SchedulerException cause) {
                storeErrors.add(msg + ": " + cause);
              }
            });
    List<String> whileRunning;
    try {
      JobPlannerTest.roundsFireWhenListSays(scheduler);
    } finally {
      // the store's errors while the rounds ran; a scan in flight as the store shuts down reports
      // "JobStore is shutdown" (CI saw it once), which says nothing about the rounds
      whileRunning = List.copyOf(storeErrors);
      // bounded, and not waiting for jobs: every round has fired by now, and a job store that keeps
      // failing retries forever would hold a plain shutdown
      Thread stop =
          new Thread(
              () -> {
                try {
                  scheduler.shutdown(false);
                } catch (SchedulerException e) {
                  storeErrors.add("shutdown: " + e);
                }
              });
      stop.setDaemon(true);
      stop.start();
      stop.join(30_000);
      assertFalse(stop.isAlive(), "the scheduler stopped; errors: " + storeErrors);
    }
    assertEquals(List.of(), whileRunning);
  }
}
