package dev.mayfly.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.schedule.Postgres;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryIT {
  @TempDir Path home;

  @Test
  void theSameRegistryWorksOnEmbeddedH2() {
    try (Registry registry = Registry.open(home)) {
      exercise(registry);
    }
  }

  @Test
  void theSameRegistryWorksOnPostgresql() {
    try (Registry registry = Registry.open(new Database(Postgres.freshDatabase(), "", "", home))) {
      exercise(registry);
    }
  }

  @Test
  void aRegistryKeepsOneIdentityAndTwoRegistriesDiffer(@TempDir Path other) {
    String id;
    try (Registry registry = Registry.open(home)) {
      id = registry.id();
      assertTrue(id.matches("[0-9a-f]{16}"), id);
      assertEquals(id, registry.id());
    }
    try (Registry again = Registry.open(home);
        Registry second = Registry.open(other)) {
      assertEquals(id, again.id(), "the id survives a reopen");
      assertNotEquals(id, second.id());
    }
  }

  @Test
  void printedUrlsCarryNoPassword() {
    assertEquals(
        "jdbc:postgresql://db.example:5432/mayfly",
        Registry.redact("jdbc:postgresql://db.example:5432/mayfly?user=m&password=hunter2"));
    assertEquals(
        "jdbc:postgresql://db.example/mayfly",
        Registry.redact("jdbc:postgresql://m:hunter2@db.example/mayfly"));
    assertEquals(
        "jdbc:h2:file:/x/registry", Registry.redact("jdbc:h2:file:/x/registry;PASSWORD=hunter2"));
  }

  private static int hostCount(Registry registry, String id) {
    return registry.list().stream()
        .filter(d -> d.id().equals(id))
        .findFirst()
        .orElseThrow()
        .hostCount();
  }

  private static void exercise(Registry registry) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    registry.insert(
        new DeploymentRow(
            "d1",
            "t",
            "local",
            DeploymentState.RUNNING,
            Map.of("a", "b"),
            "{}",
            Optional.of("s"),
            Optional.empty(),
            Optional.empty(),
            now,
            Optional.of(now.plusSeconds(60)),
            0));
    registry.putHost(
        new HostRow(
            "d1",
            "host-1",
            "127.0.0.1",
            Map.of("http", 1),
            Optional.of("/r"),
            HostState.HEALTHY,
            Optional.empty(),
            Optional.empty()));
    registry.putHost(
        new HostRow(
            "d1",
            "host-1",
            "127.0.0.1",
            Map.of("http", 1),
            Optional.of("/r"),
            HostState.HEALTHY,
            Optional.of("c1"),
            Optional.empty()));
    assertEquals(Optional.of("c1"), registry.hosts("d1").get(0).dataCommit());
    HostRow second =
        new HostRow(
            "d1",
            "host-2",
            "127.0.0.2",
            Map.of("http", 1),
            Optional.of("/r"),
            HostState.PENDING,
            Optional.empty(),
            Optional.empty());
    registry.putHost(second);
    registry.putHost(second); // an update: not a third host
    assertEquals(2, hostCount(registry, "d1"));
    registry.removeHost("d1", "host-2");
    registry.removeHost("d1", "host-9"); // none such: nothing to count
    assertEquals(1, hostCount(registry, "d1"), "list's HOSTS follows inserts and removals");
    registry.setExpiry("d1", null);
    registry.setSyncCron("d1", "*/5 * * * *");

    List<ScheduleRow> pending = registry.unscheduled();
    assertEquals(1, pending.size());
    ScheduleRow row = pending.get(0);
    assertEquals(Optional.empty(), row.expiresAt());
    registry.markScheduled(Map.of("d1", row.rev()));
    assertTrue(registry.unscheduled().isEmpty(), "scheduled rows are not pending");
    registry.setState("d1", DeploymentState.TERMINATED);
    assertEquals(1, registry.unscheduled().size(), "a state change makes the row pending again");
    registry.markScheduled(Map.of("d1", row.rev()));
    assertEquals(
        1,
        registry.unscheduled().size(),
        "a change made while scheduling the old rev stays pending");
    registry.setState("d1", DeploymentState.RUNNING);

    assertEquals(List.of("*/5 * * * *"), registry.syncCrons(DeploymentState.RUNNING));
    assertEquals(List.of("d1"), registry.idsSyncingOn("*/5 * * * *", DeploymentState.RUNNING));
    registry.recordSync("d1", now, "failed: x", true);
    registry.recordSync("d1", now, "failed: x", true);
    assertEquals(2, registry.schedule("d1").orElseThrow().syncFailures());
    registry.recordSyncs(List.of("d1"), now, "unchanged");
    assertEquals(0, registry.schedule("d1").orElseThrow().syncFailures());
    registry.setNextSync("*/5 * * * *", now.plusSeconds(300));
    assertEquals(Optional.of(now.plusSeconds(300)), registry.schedules().get("d1").nextSyncAt());

    assertTrue(registry.claimNotice("d1", now, Duration.ofHours(1)));
    assertFalse(registry.claimNotice("d1", now, Duration.ofHours(1)), "a notice is claimed once");
    registry.event("d1", null, "x", "y");
    assertEquals(1, registry.events("d1").size());

    // list's one query reads what the three separate reads do, with and without a recycling row
    registry.insert(TestRows.running("d2", now.plusSeconds(1)));
    registry.startRecycling("d1", Duration.ofHours(2), now);
    List<OverviewRow> overviews = registry.overviews();
    // the rows hold a lambda (specSealed), so compare what list prints of them
    assertEquals(
        registry.list().stream().map(d -> List.of(d.id(), d.hostCount(), d.params())).toList(),
        overviews.stream()
            .map(OverviewRow::deployment)
            .map(d -> List.of(d.id(), d.hostCount(), d.params()))
            .toList());
    for (OverviewRow o : overviews) {
      String id = o.deployment().id();
      assertEquals(registry.schedules().get(id), o.schedule(), id);
      assertEquals(Optional.ofNullable(registry.recyclings().get(id)), o.recycling(), id);
    }
    assertTrue(overviews.get(1).recycling().isPresent(), "d1 recycles");
    assertEquals(Optional.empty(), overviews.get(0).recycling(), "d2 does not");
  }
}
