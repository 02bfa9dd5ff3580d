package dev.mayfly.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mayfly.store.Database;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class QuartzConfigTest {
  private static final DaemonSettings SETTINGS =
      DaemonSettings.resolve(
          Map.of("threads", "6", "misfire", "90s", "checkin", "2s", "instance-id", "member-1"),
          new Properties());

  @Test
  void everyDaemonJoinsOneClusterOnTheRegistrysDatabase() {
    Properties p =
        QuartzConfig.properties(
            SETTINGS, new Database("jdbc:postgresql://db:5432/mayfly", "u", "pw"));

    assertEquals(
        "org.quartz.impl.jdbcjobstore.JobStoreTX", p.getProperty("org.quartz.jobStore.class"));
    assertEquals(
        "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate",
        p.getProperty("org.quartz.jobStore.driverDelegateClass"));
    assertEquals(
        "jdbc:postgresql://db:5432/mayfly", p.getProperty("org.quartz.dataSource.registry.URL"));
    assertEquals("true", p.getProperty("org.quartz.jobStore.isClustered"));
    assertEquals("2000", p.getProperty("org.quartz.jobStore.clusterCheckinInterval"));
    assertEquals("member-1", p.getProperty("org.quartz.scheduler.instanceId"));
  }

  @Test
  void threadsAndMisfireComeFromTheSettings() {
    Properties p =
        QuartzConfig.properties(SETTINGS, new Database("jdbc:h2:file:/tmp/registry", "mayfly", ""));

    assertEquals("6", p.getProperty("org.quartz.threadPool.threadCount"));
    assertEquals(
        "9",
        p.getProperty("org.quartz.dataSource.registry.maxConnections"),
        "one per job and spare");
    assertEquals("90000", p.getProperty("org.quartz.jobStore.misfireThreshold"));
    assertEquals("5000", p.getProperty("org.quartz.scheduler.idleWaitTime"), "the default poll");
    assertEquals(
        "org.quartz.impl.jdbcjobstore.StdJDBCDelegate",
        p.getProperty("org.quartz.jobStore.driverDelegateClass"));
    assertEquals("true", p.getProperty("org.quartz.jobStore.isClustered"), "even on H2");
  }
}
