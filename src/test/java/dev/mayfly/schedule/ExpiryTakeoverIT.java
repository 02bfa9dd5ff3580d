package dev.mayfly.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.testing.MayflyCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A cluster member killed with SIGKILL while it stops a deployment at expiry: the survivor finishes
 * the expiry once, and nothing of the deployment is left. The service ignores SIGTERM, so the
 * host's stop step waits its full 10 s before SIGKILL: the kill lands mid-stop. Needs PostgreSQL,
 * like {@link ClusterIT}.
 */
class ExpiryTakeoverIT extends ClusterTestBase {
  /** FAST's check-in interval: small, so the test is short. */
  private static final Duration CHECKIN =
      DaemonSettings.parseDuration("--checkin", FAST[List.of(FAST).indexOf("--checkin") + 1]);

  /** How Quartz decides a member is dead: silent for its check-in interval plus this. */
  private static final Duration QUARTZ_SILENCE_MARGIN = Duration.ofMillis(7_500);

  /** What dies with the member. */
  enum Kill {
    /** The JVM alone: its host step goes on as an orphan and may finish the stop itself. */
    DAEMON,
    /**
     * The JVM and its host steps, as a cgroup kill would: the survivor has the whole stop to do.
     */
    DAEMON_AND_HOST_STEPS
  }

  @ParameterizedTest
  @EnumSource(Kill.class)
  void theSurvivorFinishesAnExpiryWhoseMemberDiedMidStop(Kill kill) throws Exception {
    // a side process in the service's group that ignores SIGTERM: only the stop's SIGKILL ends it
    demo.templateVariant(
        "slow-stop",
        Files.readString(demo.template())
            .replace("name: qa-results", "name: slow-stop")
            .replace(
                "start: java", "start: (trap '' TERM; while :; do sleep 1; done) & exec java"));
    MayflyCli.Result launched =
        mayfly.run("launch", "slow-stop", "--name", "slow", "--expires", "1h", "--output", "json");
    assertEquals(0, launched.exit(), launched::toString);
    String url = JSON.readTree(launched.out()).get("url").asText();
    long pgid = Long.parseLong(Files.readString(root("slow").resolve("run/service.pid")).strip());
    assertTrue(group(pgid).size() >= 2, "the service and its side process run in group " + pgid);

    DaemonProcess a = daemon("a", "--instance-id", "a");
    DaemonProcess b = daemon("b", "--instance-id", "b");
    assertEquals(0, mayfly.run("extend", "slow", "--until", "5s").exit());

    Waits.await(
        "a member to start stopping the service",
        Duration.ofSeconds(40),
        () -> stopping(a, url) || stopping(b, url),
        () -> a.log() + "\n----\n" + b.log());
    DaemonProcess killed = stopping(a, url) ? a : b;
    DaemonProcess survivor = killed == a ? b : a;
    Instant killedAt = Instant.now();
    if (kill == Kill.DAEMON) {
      killed.kill9();
    } else {
      killed.kill9WithHostSteps();
    }
    assertFalse(
        killed.log().contains("expired slow"), "killed before it finished:\n" + killed.log());

    survivor.awaitLog("expired slow", Duration.ofSeconds(60));
    Duration takeover = Duration.between(killedAt, logTime(survivor, "fired expiry slow "));
    Duration finished = Duration.between(killedAt, logTime(survivor, "expired slow"));
    List<String> kinds = events("slow");
    System.out.printf(
        "expiry takeover (%s killed, checkin %.1f s): kill -> survivor fires the expiry %.1f s"
            + " (goal <= checkin + 7.5 s = %.1f s); kill -> expiry done %.1f s; history %s%n",
        kill,
        CHECKIN.toMillis() / 1000.0,
        takeover.toMillis() / 1000.0,
        CHECKIN.plus(QUARTZ_SILENCE_MARGIN).toMillis() / 1000.0,
        finished.toMillis() / 1000.0,
        kinds);

    assertEquals("terminated", state("slow"));
    assertEquals(1, count(kinds, "expired"), kinds::toString);
    assertEquals(0, count(kinds, "terminated"), kinds::toString);
    // the stop's SIGKILL went out before "expired": give the kernel a moment to deliver it
    Waits.await(
        "no process of the service left",
        Duration.ofSeconds(5),
        () -> group(pgid).isEmpty(),
        () -> group(pgid).toString());
    assertFalse(Files.exists(mayfly.stateDir().resolve("sandboxes/slow")), "no host root is left");
    assertTrue(finished.compareTo(Duration.ofSeconds(60)) < 0, "sanity bound: " + finished);
    Thread.sleep(3 * CHECKIN.toMillis());
    assertEquals(1, count(events("slow"), "expired"), "still once after a few more rounds");
  }

  private Path root(String id) {
    return mayfly.stateDir().resolve("sandboxes").resolve(id).resolve("host-1/root");
  }

  /**
   * The member runs the expiry's host step and the service got its SIGTERM (the server stopped
   * answering).
   */
  private static boolean stopping(DaemonProcess member, String url) {
    if (!member.log().contains("fired expiry slow ") || member.hostSteps().isEmpty()) {
      return false;
    }
    try {
      get(url);
      return false;
    } catch (IOException e) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** When the member logged the first line containing {@code text}. */
  private static Instant logTime(DaemonProcess member, String text) {
    return member
        .log()
        .lines()
        .filter(l -> l.contains(text))
        .findFirst()
        .map(l -> Instant.parse(l.substring(0, l.indexOf(' '))))
        .orElseThrow(() -> new AssertionError("no '" + text + "' in\n" + member.log()));
  }

  /**
   * The live processes (zombies are dead, just not reaped yet) in process group {@code pgid}, from
   * /proc.
   */
  private static List<String> group(long pgid) {
    List<String> members = new ArrayList<>();
    List<Path> procs;
    try (Stream<Path> all = Files.list(Path.of("/proc"))) {
      procs = all.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Path proc : procs) {
      String stat;
      try {
        stat = Files.readString(proc.resolve("stat"));
      } catch (IOException e) {
        continue; // ended meanwhile
      }
      // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so count from the
      // last ')'
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      if (Long.parseLong(fields[2]) == pgid && !fields[0].equals("Z")) {
        members.add(stat.strip());
      }
    }
    return members;
  }
}
