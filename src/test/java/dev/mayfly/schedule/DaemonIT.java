package dev.mayfly.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mayfly.store.Database;
import dev.mayfly.store.Registry;
import dev.mayfly.template.SyncCron;
import dev.mayfly.testing.MayflyCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A real {@code mayfly daemon} process on the embedded H2 registry, driving real local deployments
 * of the bundled demo, while the test uses the command line like a person would.
 */
class DaemonIT extends DaemonTestBase {
  @Override
  String dbEnv() {
    return null; // the embedded H2 file
  }

  @Test
  void expiryWhileRunningTerminatesThroughTheProviderAfterItsNotice() throws Exception {
    Webhook hook = Webhook.start("/hook/s3cret-token");
    List<String> posted = hook.posted();
    try {
      DaemonProcess daemon = daemon("daemon", "--notices", "6s", "--webhook", hook.url());
      launch("brief", "--expires", "12s");

      daemon.awaitLog("expired brief", Duration.ofSeconds(40));
      assertEquals("terminated", state("brief"));
      assertExpiredOnTime("brief");
      assertFalse(
          Files.exists(mayfly.stateDir().resolve("sandboxes/brief")),
          "the provider ended the host");
      List<String> kinds = events("brief");
      assertEquals(1, count(kinds, "expiry-notice"), kinds::toString);
      assertEquals(1, count(kinds, "webhook"), kinds::toString);
      assertEquals(1, count(kinds, "expired"), kinds::toString);
      assertTrue(kinds.indexOf("expiry-notice") < kinds.indexOf("expired"), kinds::toString);
      synchronized (posted) {
        assertEquals(1, posted.size());
        JsonNode body = JSON.readTree(posted.get(0));
        assertEquals("expiry-notice", body.get("event").asText());
        assertEquals("brief", body.get("deployment").asText());
      }
      assertFalse(
          daemon.log().contains("s3cret-token"), "the webhook's secret path is never logged");
    } finally {
      hook.close();
    }
  }

  @Test
  void anExpiryBeyondTheHorizonWaitsInTheRegistryAndStillEndsOnTimeAfterItsNotice()
      throws Exception {
    DaemonProcess daemon = daemon("daemon", "--horizon", "4s", "--notices", "3s"); // reconcile 1s
    launch("distant", "--expires", "16s");

    daemon.awaitLog("1 of them expiring beyond the horizon (no jobs yet)", Duration.ofSeconds(10));
    daemon.awaitLog("planned 1 deployment(s) now within the horizon", Duration.ofSeconds(20));
    daemon.awaitLog("expired distant", Duration.ofSeconds(30));
    assertExpiredOnTime("distant");
    List<String> kinds = events("distant");
    assertEquals(1, count(kinds, "expiry-notice"), kinds::toString);
    assertTrue(kinds.indexOf("expiry-notice") < kinds.indexOf("expired"), kinds::toString);
  }

  @Test
  void anExpiryMissedWhileNoDaemonRanFiresWithinSecondsOfStart() throws Exception {
    launch("missed", "--expires", "2s");
    Waits.await(
        "the expiry to pass",
        Duration.ofSeconds(10),
        () -> mayfly.run("list").out().contains("overdue"),
        () -> mayfly.run("list").toString());
    assertEquals("running", state("missed"), "nobody ended it while no daemon ran");

    DaemonProcess daemon = daemon("daemon");
    daemon.awaitLog("expired missed", Duration.ofSeconds(10));
    assertEquals("terminated", state("missed"));
  }

  @Test
  void scheduledSyncsTouchHostsOnlyWhenTheDataChanged() throws Exception {
    String url = launch("synced", "--sync", "*/5 * * * *");
    DaemonProcess daemon = daemon("daemon");
    daemon.awaitLog("host-sessions=0", Duration.ofSeconds(20));
    int roundsBefore = daemon.count("sync-round cron='\\*/5 \\* \\* \\* \\*' deployments=1");
    daemon.await(
        "two idle rounds",
        Duration.ofSeconds(20),
        () ->
            daemon.count("sync-round cron='\\*/5 \\* \\* \\* \\*' deployments=1")
                >= roundsBefore + 2);
    assertEquals(0, count(events("synced"), "synced"), "no host session while nothing changed");
    assertEquals(0, daemon.count("host-sessions=[1-9]"));

    addRun("daemon-sync");
    daemon.awaitLog("host-sessions=1", Duration.ofSeconds(20));
    assertTrue(get(url).contains("daemon-sync"), "the new data is served");
    int roundsAfter = daemon.count("sync-round cron=");
    daemon.await(
        "two more rounds",
        Duration.ofSeconds(20),
        () -> daemon.count("sync-round cron=") >= roundsAfter + 2);
    assertEquals(1, count(events("synced"), "synced"), "exactly one host session for one change");

    MayflyCli.Result list = mayfly.run("list");
    assertTrue(
        list.out().contains("NEXT SYNC") && list.out().contains("unchanged"), list::toString);
  }

  @Test
  void aFailingSyncKeepsServingTheOldReleaseAndIsRetriedUntilItWorks() throws Exception {
    String url = launch("fragile", "--sync", "0 1 * * *");
    String before = Files.readSymbolicLink(current("fragile")).toString();
    // the template's publish step refuses a release without runs/*.json
    try (Stream<Path> runs = Files.list(demo.dataDir().resolve("runs"))) {
      for (Path run : runs.toList()) {
        Files.move(run, home.resolve(run.getFileName()));
      }
    }
    Files.writeString(demo.dataDir().resolve("runs/README"), "no runs today");
    DaemonProcess daemon = daemon("daemon");
    daemon.awaitLog("failed 2 time(s) in a row", Duration.ofSeconds(30));

    assertEquals(
        before,
        Files.readSymbolicLink(current("fragile")).toString(),
        "the old release stays live");
    assertTrue(get(url).contains("ec2-instance-lifecycle"), "the old data is still served");
    assertTrue(count(events("fragile"), "sync-failed") >= 2);
    assertTrue(mayfly.run("list").out().contains("FAILED x"), "list shows the failure");
    assertTrue(daemon.alive(), "a failing sync never stops the daemon");

    try (Stream<Path> runs = Files.list(home)) {
      for (Path run : runs.filter(p -> p.toString().endsWith(".json")).toList()) {
        Files.move(run, demo.dataDir().resolve("runs").resolve(run.getFileName()));
      }
    }
    addRun("recovered");
    daemon.awaitLog("sync-retry fragile host-sessions=1 ok", Duration.ofSeconds(30));
    assertTrue(get(url).contains("recovered"));
  }

  @Test
  void aDayOfMonthOrDayOfWeekScheduleIsPlannedForWhenListSays() throws Exception {
    launch("domdow", "--sync", "0 0 1 * 1", "--tz", "Europe/Berlin");
    String stored = "CRON_TZ=Europe/Berlin 0 0 1 * 1";
    DaemonProcess daemon = daemonOnCrons("daemon");
    String planned = "sync round scheduled for cron '" + stored + "', first at ";
    daemon.awaitLog(planned, Duration.ofSeconds(30));

    Matcher first = Pattern.compile(Pattern.quote(planned) + "(\\S+)").matcher(daemon.log());
    assertTrue(first.find(), daemon::log);
    assertEquals("running", state("domdow"));
    JsonNode listed = null;
    for (JsonNode d : JSON.readTree(mayfly.run("list", "--output", "json").out())) {
      if (d.get("id").asText().equals("domdow")) {
        listed = d;
      }
    }
    assertEquals(stored, listed.get("syncCron").asText());
    assertEquals(first.group(1), listed.get("nextSyncAt").asText(), "list shows what is planned");
    assertEquals(
        SyncCron.next(stored, Instant.now()).orElseThrow().toString(),
        first.group(1),
        "the 1st or a Monday, at Berlin's midnight");
  }

  @Test
  void aDeploymentTheDaemonCannotScheduleIsMarkedAndTheOthersGoOn() throws Exception {
    MayflyCli.Result refused =
        mayfly.run("launch", "qa-results", "--name", "feb31", "--sync", "0 0 31 2 *");
    assertEquals(2, refused.exit(), refused::toString);
    assertEquals("mayfly: --sync: '0 0 31 2 *' never fires\n", refused.err());
    launch("badcron", "--sync", "*/5 * * * *", "--expires", "1h");
    launch("feb31", "--sync", "*/5 * * * *", "--expires", "1h");
    launch("good", "--sync", "*/5 * * * *", "--expires", "1h");
    launch("tampered", "--expires", "1h");
    try (Registry registry = Registry.open(mayfly.stateDir())) {
      registry.setSyncCron("feb31", "0 0 31 2 *"); // as an older version let it through
      registry.setSyncCron("badcron", "61 * * * *"); // as a hand may write it
    }

    DaemonProcess daemon = daemon("daemon"); // it used to exit here, 1 for feb31
    assertEquals("schedule-error", state("badcron"));
    assertEquals("schedule-error", state("feb31"));
    assertEquals("running", state("good"));
    try (Connection c =
            DriverManager.getConnection(
                Database.h2(mayfly.stateDir()),
                "mayfly",
                Database.embedded(mayfly.stateDir()).password());
        Statement st = c.createStatement()) {
      st.executeUpdate("UPDATE deployment SET state = 'hibernating' WHERE id = 'tampered'");
    }
    daemon.awaitLog("schedule-error tampered: unknown state 'hibernating'", Duration.ofSeconds(20));

    MayflyCli.Result list = mayfly.run("list");
    assertEquals(0, list.exit(), list::toString);
    for (String id : List.of("badcron", "feb31", "tampered")) {
      assertTrue(
          list.out()
              .lines()
              .anyMatch(l -> l.startsWith(id + " ") && l.contains(" schedule-error ")),
          list::toString);
    }
    assertEquals(
        "sync cron '61 * * * *' cannot be scheduled: minute 61 is out of 0-59", reason("badcron"));
    assertEquals("sync cron '0 0 31 2 *' cannot be scheduled: it never fires", reason("feb31"));
    String why = reason("badcron");
    assertTrue(
        mayfly
            .run("status", "badcron")
            .out()
            .lines()
            .anyMatch(l -> l.contains(" schedule-error ") && l.endsWith(why)),
        "status shows the reason in the history");

    // the good one still syncs, and every one still expires on time, the marked ones too
    int rounds = daemon.count("sync-round cron='\\*/5 \\* \\* \\* \\*' deployments=1 ");
    for (String id : List.of("good", "badcron", "feb31", "tampered")) {
      assertEquals(0, mayfly.run("extend", id, "--until", "8s").exit());
    }
    for (String id : List.of("good", "badcron", "feb31", "tampered")) {
      daemon.awaitLog("expired " + id, Duration.ofSeconds(30));
      assertEquals("terminated", state(id));
      assertExpiredOnTime(id);
    }
    assertTrue(
        daemon.count("sync-round cron='\\*/5 \\* \\* \\* \\*' deployments=1 ") > rounds,
        "the good one kept syncing");
    assertTrue(daemon.alive());
  }

  /**
   * The expiry of {@code id} began ({@code expiring}) and ended ({@code expired}) within 5 s after
   * expires-at.
   */
  private void assertExpiredOnTime(String id) throws IOException {
    JsonNode status = status(id);
    Instant expiresAt = Instant.parse(status.get("expiresAt").asText());
    for (String kind : List.of("expiring", "expired")) {
      Instant at = null;
      for (JsonNode e : status.get("events")) {
        if (e.get("kind").asText().equals(kind)) {
          at = Instant.parse(e.get("at").asText());
        }
      }
      assertNotNull(at, () -> kind + " missing: " + status);
      assertTrue(
          !at.isBefore(expiresAt) && at.isBefore(expiresAt.plusSeconds(5)),
          id + " " + kind + " at " + at + " for " + expiresAt);
      System.out.printf(
          "%s: %s %d ms after expires-at%n", id, kind, Duration.between(expiresAt, at).toMillis());
    }
  }

  private String reason(String id) throws IOException {
    String reason = null;
    for (JsonNode e : status(id).get("events")) {
      if (e.get("kind").asText().equals("schedule-error")) {
        reason = e.get("detail").asText();
      }
    }
    return reason;
  }

  @Test
  void extendMovesTheExpiryAndRollbackSwitchesTheDataBack() throws Exception {
    // expiries set once the daemon runs, relative to then: a slow launch or start cannot eat the
    // margin
    String url = launch("kept", "--expires", "1h");
    DaemonProcess daemon = daemon("daemon");
    MayflyCli.Result noChoice = mayfly.run("extend", "kept");
    assertEquals(2, noChoice.exit(), noChoice::toString);
    assertEquals(
        "mayfly: extend: give exactly one of --by DURATION, --until TIME or --never\n",
        noChoice.err());
    int reconciled = daemon.count("reconciled 1 deployment");
    assertEquals(0, mayfly.run("extend", "kept", "--until", "15s").exit());
    Instant shortExpiry = Instant.parse(status("kept").get("expiresAt").asText());
    daemon.await(
        "the daemon to schedule the short expiry",
        Duration.ofSeconds(10),
        () -> daemon.count("reconciled 1 deployment") > reconciled);
    MayflyCli.Result extend = mayfly.run("extend", "kept", "--by", "1h");
    assertEquals(0, extend.exit(), extend::toString);
    assertTrue(
        Instant.now().isBefore(shortExpiry), "extended before the expiry the daemon had scheduled");
    daemon.await(
        "the daemon to schedule the extension",
        Duration.ofSeconds(10),
        () -> daemon.count("reconciled 1 deployment") > reconciled + 1);
    Thread.sleep(Math.max(0, Duration.between(Instant.now(), shortExpiry).toMillis()) + 3_000);
    assertEquals("running", state("kept"), "the daemon must not end it at the old expiry");
    assertEquals(0, daemon.count("expired kept"));

    String first = Files.readSymbolicLink(current("kept")).getFileName().toString();
    addRun("newer");
    assertEquals(0, mayfly.run("sync", "kept").exit());
    assertTrue(get(url).contains("newer"));
    MayflyCli.Result rollback = mayfly.run("rollback", "kept");
    assertEquals(0, rollback.exit(), rollback::toString);
    assertEquals(first, Files.readSymbolicLink(current("kept")).getFileName().toString());
    assertFalse(get(url).contains("newer"), "the earlier release is served again");
    assertTrue(events("kept").contains("rollback"));
    assertTrue(
        mayfly.run("list").out().contains("pinned"),
        "scheduled syncs leave a rolled-back deployment be");
    MayflyCli.Result bad = mayfly.run("rollback", "kept", "--to", "zz");
    assertEquals(2, bad.exit());
    assertEquals("mayfly: --to: 'zz' is not a commit id (4 to 40 hex digits)\n", bad.err());
  }
}
