package dev.mayfly.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import dev.mayfly.testing.Peers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * mayfly's next sync times (the {@link SyncCron} computation the daemon plans with and {@code list}
 * shows) against croniter, run as a peer. Where croniter and cronie part, cronie is the spec: such
 * rows carry cronie's times and why, and croniter's answer is only printed.
 */
class SyncCronCroniterIT {
  private static final int TIMES = 3;

  // stdin: "cron<TAB>zone<TAB>after" lines; stdout: TIMES chained next times, or "ERROR <class>"
  private static final String CRONITER =
      """
      import sys
      from datetime import datetime, timezone
      from zoneinfo import ZoneInfo
      from croniter import croniter
      for line in sys.stdin.read().splitlines():
          cron, zone, after = line.split("\\t")
          start = datetime.fromisoformat(after.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
          try:
              it = croniter(cron, start)
              times = [it.get_next(datetime) for _ in range(%d)]
              print(" ".join(t.astimezone(timezone.utc).strftime("%%Y-%%m-%%dT%%H:%%M:%%SZ") for t in times))
          except Exception as e:
              print("ERROR " + type(e).__name__)
      """
          .formatted(TIMES);

  /**
   * @param cronie empty: croniter's times are cronie's; else cronie's, which croniter's are not
   */
  private record Row(String cron, String zone, String after, List<String> cronie, String why) {}

  private static Row ref(String cron, String zone, String after) {
    return new Row(cron, zone, after, List.of(), "");
  }

  private static Row cronie(String cron, String zone, String after, String why, String... times) {
    return new Row(cron, zone, after, List.of(times), why);
  }

  private static final String SUNDAY = "2026-03-01T12:01:30Z";
  private static final String BERLIN_SPRING = "2026-03-28T12:00:00Z"; // 29 March 02:00 -> 03:00
  private static final String BERLIN_FALL = "2026-10-24T12:00:00Z"; // 25 October 03:00 -> 02:00
  private static final String NEW_YORK_SPRING = "2026-03-07T12:00:00Z"; // 8 March 02:00 -> 03:00
  private static final String NEW_YORK_FALL = "2026-10-31T12:00:00Z"; // 1 November 02:00 -> 01:00

  private static final List<Row> TABLE =
      List.of(
          ref("*/15 * * * *", "UTC", SUNDAY),
          ref("0 1 * * *", "UTC", SUNDAY),
          ref("30 2 * * 1-5", "UTC", SUNDAY),
          ref("0-30/10 9-17 * * *", "UTC", SUNDAY),
          ref("5/15 * * * *", "UTC", SUNDAY),
          ref("0 */6 * * *", "UTC", SUNDAY),
          ref("0 0 */2 * *", "UTC", SUNDAY),
          ref("0 0 29 2 *", "UTC", SUNDAY),
          ref("0 0 1 JAN,JUL *", "UTC", SUNDAY),
          // day of month OR day of week
          ref("0 0 1 * 1", "UTC", SUNDAY),
          ref("0 0 15 * MON", "UTC", SUNDAY),
          ref("0 12 1,15 * FRI", "UTC", SUNDAY),
          ref("0 0 13 * 5", "UTC", SUNDAY),
          ref("0 0 1-7 * 1", "UTC", SUNDAY),
          ref("0 0 1-31/2 * 1", "UTC", SUNDAY),
          ref("0 0 1 * 1", "America/New_York", SUNDAY),
          cronie(
              "0 0 */2 * 1",
              "UTC",
              SUNDAY,
              "a field starting with '*' is not restricted (crontab(5)): odd days AND Mondays;"
                  + " croniter ORs them",
              "2026-03-09T00:00:00Z",
              "2026-03-23T00:00:00Z",
              "2026-04-13T00:00:00Z"),
          // Sunday: 0, 7, names, ranges from it
          ref("0 0 * * SUN-TUE", "UTC", SUNDAY),
          ref("0 0 * * 0", "UTC", SUNDAY),
          ref("0 0 * * 7", "UTC", SUNDAY),
          ref("0 0 * * 5-7", "UTC", SUNDAY),
          ref("0 9 * * sun,wed", "UTC", SUNDAY),
          // macros
          ref("@hourly", "UTC", SUNDAY),
          ref("@daily", "UTC", SUNDAY),
          ref("@midnight", "UTC", SUNDAY),
          ref("@weekly", "UTC", SUNDAY),
          ref("@monthly", "UTC", SUNDAY),
          ref("@yearly", "UTC", SUNDAY),
          ref("@annually", "UTC", SUNDAY),
          // spring forward: a fixed-time job in the skipped hour runs once, as the clock jumps;
          // a wildcard one follows the wall clock
          ref("30 2 * * *", "Europe/Berlin", BERLIN_SPRING),
          ref("0 2 * * *", "Europe/Berlin", BERLIN_SPRING),
          ref("0,30 2 * * *", "Europe/Berlin", BERLIN_SPRING),
          ref("15 2 * * 0", "Europe/Berlin", "2026-03-20T12:00:00Z"),
          ref("30 * * * *", "Europe/Berlin", "2026-03-28T23:00:00Z"),
          ref("*/30 * * * *", "Europe/Berlin", "2026-03-29T00:15:00Z"),
          ref("30 2 * * *", "America/New_York", NEW_YORK_SPRING),
          // fall back: a fixed-time job in the repeated hour runs once, the first time; a wildcard
          // one at each
          cronie(
              "30 2 * * *",
              "Europe/Berlin",
              BERLIN_FALL,
              "cronie runs a fixed-time job once in a repeated hour; croniter twice",
              "2026-10-25T00:30:00Z",
              "2026-10-26T01:30:00Z",
              "2026-10-27T01:30:00Z"),
          ref("30 * * * *", "Europe/Berlin", "2026-10-24T23:00:00Z"),
          ref("@hourly", "Europe/Berlin", "2026-10-24T23:10:00Z"),
          ref("0 3 * * *", "Europe/Berlin", BERLIN_FALL),
          cronie(
              "30 1 * * *",
              "America/New_York",
              NEW_YORK_FALL,
              "cronie runs a fixed-time job once in a repeated hour; croniter twice",
              "2026-11-01T05:30:00Z",
              "2026-11-02T06:30:00Z",
              "2026-11-03T06:30:00Z"));

  @Test
  void nextSyncTimesAreCronitersWhereCronieSaysOtherwise() throws Exception {
    assertTrue(TABLE.size() >= 30, "the table the issue asks for");
    List<String> reference = croniter(TABLE);
    List<String> mismatches = new ArrayList<>();
    for (int i = 0; i < TABLE.size(); i++) {
      Row row = TABLE.get(i);
      List<String> croniter = Arrays.asList(reference.get(i).split(" "));
      List<String> expected = row.cronie().isEmpty() ? croniter : row.cronie();
      List<String> mayfly = mayfly(row);
      if (!expected.equals(mayfly)) {
        mismatches.add(row + ": expected " + expected + ", mayfly " + mayfly);
      }
      if (!row.cronie().isEmpty()) {
        System.out.println(
            "croniter differs from cronie on '"
                + row.cron()
                + "' in "
                + row.zone()
                + ": croniter "
                + croniter
                + ", cronie (and mayfly) "
                + row.cronie()
                + ": "
                + row.why());
      }
    }
    assertEquals(List.of(), mismatches);
  }

  @Test
  void aCronThatNeverFiresIsRejectedAtValidationAsCroniterFindsNoDate() throws Exception {
    Row feb31 = ref("0 0 31 2 *", "UTC", SUNDAY);
    assertEquals(List.of("ERROR CroniterBadDateError"), croniter(List.of(feb31)));
    assertEquals(
        "--sync: '0 0 31 2 *' never fires",
        assertThrows(MayflyException.class, () -> SyncCron.validate("--sync", feb31.cron()))
            .getMessage());
  }

  private static List<String> mayfly(Row row) {
    String stored = SyncCron.text(SyncCron.validate("--sync", row.cron()), ZoneId.of(row.zone()));
    List<String> times = new ArrayList<>();
    Instant at = Instant.parse(row.after());
    for (int i = 0; i < TIMES; i++) {
      at = SyncCron.next(stored, at).orElseThrow();
      times.add(at.toString());
    }
    return times;
  }

  /** croniter's answer per row, one Python process for all. */
  private static List<String> croniter(List<Row> rows) throws Exception {
    Process python;
    try {
      python = new ProcessBuilder("python3", "-c", CRONITER).redirectErrorStream(true).start();
    } catch (IOException e) {
      Peers.require(false, "python3 (with croniter: pip install croniter) is not on PATH");
      throw e;
    }
    StringBuilder in = new StringBuilder();
    for (Row row : rows) {
      in.append(row.cron()).append('\t').append(row.zone()).append('\t').append(row.after());
      in.append('\n');
    }
    try (OutputStream stdin = python.getOutputStream()) {
      stdin.write(in.toString().getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(python.waitFor(60, TimeUnit.SECONDS), "python3 ended");
    Peers.require(
        !out.contains("No module named 'croniter'"),
        "croniter is not installed for python3 (pip install croniter)");
    assertEquals(0, python.exitValue(), out);
    List<String> lines = out.lines().toList();
    assertEquals(rows.size(), lines.size(), out);
    return lines;
  }
}
