package dev.mayfly.schedule;

import dev.mayfly.store.Database;
import java.util.Properties;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.StdSchedulerFactory;

/**
 * The daemon's Quartz: its JDBC job store in the registry's database, clustered, so any number of
 * daemons on one PostgreSQL fire each job once and take over from a member that dies.
 */
final class QuartzConfig {
  private QuartzConfig() {}

  /** A scheduler on the registry's database, in standby until started. */
  static Scheduler scheduler(DaemonSettings settings, Database db) throws SchedulerException {
    return new StdSchedulerFactory(properties(settings, db)).getScheduler();
  }

  static Properties properties(DaemonSettings s, Database db) {
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", "mayfly");
    p.setProperty("org.quartz.scheduler.instanceId", s.instanceId());
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.scheduler.idleWaitTime", Long.toString(s.poll().toMillis()));
    p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(s.threads()));
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty(
        "org.quartz.jobStore.driverDelegateClass",
        db.postgres()
            ? "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate"
            : "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
    p.setProperty("org.quartz.jobStore.dataSource", "registry");
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.jobStore.useProperties", "true");
    p.setProperty("org.quartz.jobStore.misfireThreshold", Long.toString(s.misfire().toMillis()));
    // clustered even on H2: a second daemon on the same file then cannot double-fire
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty(
        "org.quartz.jobStore.clusterCheckinInterval", Long.toString(s.checkin().toMillis()));
    p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
    p.setProperty("org.quartz.dataSource.registry.provider", "hikaricp");
    p.setProperty(
        "org.quartz.dataSource.registry.driver",
        db.postgres() ? "org.postgresql.Driver" : "org.h2.Driver");
    p.setProperty("org.quartz.dataSource.registry.URL", db.url());
    p.setProperty("org.quartz.dataSource.registry.user", db.user());
    p.setProperty("org.quartz.dataSource.registry.password", db.password());
    p.setProperty(
        "org.quartz.dataSource.registry.maxConnections", Integer.toString(s.threads() + 3));
    return p;
  }
}
