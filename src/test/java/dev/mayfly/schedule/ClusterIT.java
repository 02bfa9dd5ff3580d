package dev.mayfly.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Two daemons on one PostgreSQL: a team's cluster. Skipped, loudly, where MAYFLY_TEST_PG_URL is not
 * set; CI starts PostgreSQL and sets it, so there it always runs.
 */
class ClusterIT extends ClusterTestBase {
  @Test
  void twoDaemonsFireEachJobOnceAndOneTakesOverWhenTheOtherIsKilled() throws Exception {
    launch("first", "--expires", "8s", "--sync", "*/5 * * * *");
    launch("second", "--expires", "25s");
    DaemonProcess a = daemon("a", "--instance-id", "a");
    DaemonProcess b = daemon("b", "--instance-id", "b");

    Waits.await(
        "the first expiry",
        Duration.ofSeconds(30),
        () -> a.log().contains("expired first") || b.log().contains("expired first"),
        () -> a.log() + "\n----\n" + b.log());
    // kill -9 whichever member ended it; the survivor must end the second deployment
    DaemonProcess killed = a.log().contains("expired first") ? a : b;
    DaemonProcess survivor = killed == a ? b : a;
    killed.kill9();
    int roundsAtKill = survivor.count("fired sync-round");
    survivor.awaitLog("expired second", Duration.ofSeconds(45));

    assertEquals("terminated", state("first"));
    assertEquals("terminated", state("second"));
    for (String id : List.of("first", "second")) {
      assertEquals(1, count(events(id), "expired"), () -> id + " expired once: " + eventsOf(id));
      assertEquals(1, a.count("fired expiry " + id + " ") + b.count("fired expiry " + id + " "));
    }
    // every scheduled sync round fired on exactly one member
    List<String> fired = new ArrayList<>();
    fired.addAll(scheduledRounds(a.log()));
    fired.addAll(scheduledRounds(b.log()));
    Set<String> distinct = new HashSet<>(fired);
    assertTrue(fired.size() >= 3, "rounds fired: " + fired);
    assertEquals(distinct.size(), fired.size(), "a round fired twice: " + fired);
    assertTrue(
        survivor.count("fired sync-round") >= roundsAtKill, "the survivor keeps running rounds");
  }

  private String eventsOf(String id) {
    try {
      return events(id).toString();
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  private static List<String> scheduledRounds(String log) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("fired sync-round cron='[^']*' scheduled=(\\d+)").matcher(log);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
