package dev.mayfly.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mayfly.MayflyException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyncCronTest {
  @Test
  void aCronIsAcceptedStripped() {
    assertEquals("*/15 * * * *", SyncCron.validate("--sync", " */15 * * * * "));
    assertEquals("0 0 29 2 *", SyncCron.validate("--sync", "0 0 29 2 *"), "fires in leap years");
  }

  @Test
  void aCronThatNeverFiresIsBadInput() {
    MayflyException e =
        assertThrows(MayflyException.class, () -> SyncCron.validate("--sync", "0 0 31 2 *"));
    assertEquals(MayflyException.Exit.BAD_INPUT, e.exit());
    assertEquals("--sync: '0 0 31 2 *' never fires", e.getMessage());
    assertEquals(
        "--sync: '0 0 31 4,6 *' never fires",
        assertThrows(MayflyException.class, () -> SyncCron.validate("--sync", "0 0 31 4,6 *"))
            .getMessage());
  }

  @Test
  void textThatIsNoCronSaysHowOneLooks() {
    assertEquals(
        "--sync: '61 * * * *' is not a Unix 5-field cron: minute 61 is out of 0-59 (like '*/15 * * * *' or"
            + " '@daily')",
        assertThrows(MayflyException.class, () -> SyncCron.validate("--sync", "61 * * * *"))
            .getMessage());
  }

  @Test
  void dayOfMonthAndDayOfWeekBothRestrictedMeanEither() {
    // Sunday 1 March 2026
    assertEquals(
        List.of("2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z", "2026-03-15T00:00:00Z"),
        times("0 0 15 * MON", "UTC", "2026-03-01T12:00:00Z", 3));
    assertEquals(
        List.of("2026-03-09T00:00:00Z", "2026-03-23T00:00:00Z"),
        times("0 0 */2 * 1", "UTC", "2026-03-01T12:00:00Z", 2),
        "a field starting with '*' is no restriction: both must match");
  }

  @Test
  void sundayIsZeroSevenOrSunAndRangesMayStartAtIt() {
    for (String dow : List.of("0", "7", "SUN", "sun", "SUN-SUN")) {
      assertEquals(
          List.of("2026-03-08T00:00:00Z"),
          times("0 0 * * " + dow, "UTC", "2026-03-01T12:00:00Z", 1));
    }
    assertEquals(
        List.of("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", "2026-03-08T00:00:00Z"),
        times("0 0 * * SUN-TUE", "UTC", "2026-03-01T12:00:00Z", 3));
  }

  @Test
  void macrosAreTheirFiveFields() {
    assertEquals("@daily", SyncCron.validate("--sync", " @Daily "));
    assertEquals(
        List.of("2026-03-08T00:00:00Z"), times("@weekly", "UTC", "2026-03-01T12:00:00Z", 1));
    assertEquals(
        "--sync: '@reboot' is not a Unix 5-field cron: '@reboot' is not one of @yearly, @annually,"
            + " @monthly, @weekly, @daily, @midnight, @hourly (like '*/15 * * * *' or '@daily')",
        assertThrows(MayflyException.class, () -> SyncCron.validate("--sync", "@reboot"))
            .getMessage());
  }

  @Test
  void aFixedTimeJobRunsOnceAcrossEitherDaylightSavingChange() {
    // Berlin: 29 March 2026 02:00 CET -> 03:00 CEST at 01:00Z; 25 October 03:00 -> 02:00 at 01:00Z
    assertEquals(
        List.of("2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"),
        times("30 2 * * *", "Europe/Berlin", "2026-03-27T12:00:00Z", 3),
        "in the skipped hour: once, as the clock jumps");
    assertEquals(
        List.of("2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"),
        times("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", 2),
        "in the repeated hour: the first time only");
  }

  @Test
  void aWildcardJobFollowsTheWallClockAcrossDaylightSavingChanges() {
    assertEquals(
        List.of("2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z"),
        times("30 * * * *", "Europe/Berlin", "2026-03-29T00:00:00Z", 2),
        "02:30 does not exist that day");
    assertEquals(
        List.of("2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", "2026-10-25T02:30:00Z"),
        times("30 * * * *", "Europe/Berlin", "2026-10-25T00:00:00Z", 3),
        "02:30 comes twice");
  }

  @Test
  void theStoredFormCarriesTheZoneUnlessUtc() {
    assertEquals("0 2 * * *", SyncCron.text("0 2 * * *", ZoneId.of("UTC")));
    assertEquals("0 2 * * *", SyncCron.text("0 2 * * *", ZoneId.of("Etc/UTC")));
    String berlin = SyncCron.text("0 2 * * *", ZoneId.of("Europe/Berlin"));
    assertEquals("CRON_TZ=Europe/Berlin 0 2 * * *", berlin);
    assertEquals(berlin, SyncCron.stored(berlin).text());
    assertEquals(ZoneId.of("Europe/Berlin"), SyncCron.stored(berlin).zone());
  }

  @Test
  void eachBadFieldSaysWhy() {
    for (String[] bad :
        new String[][] {
          {"0 0 * * FRI-SUN", "day-of-week range 'FRI-SUN' runs backwards"},
          {"0 0 * * 8", "day-of-week 8 is out of 0-7"},
          {"0 0 0 * *", "day-of-month 0 is out of 1-31"},
          {"0 0 ? * MON", "day-of-month '?' is not a number or name"},
          {"0 0 L * *", "day-of-month 'L' is not a number or name"},
          {"*/0 * * * *", "minute step 0 is out of 1-59"},
          {"0 0 * *", "4 fields, not 5"},
          {"0 0 1,,2 * *", "day-of-month '' is not a number"},
        }) {
      assertEquals(
          "--sync: '"
              + bad[0]
              + "' is not a Unix 5-field cron: "
              + bad[1]
              + " (like '*/15 * * * *' or '@daily')",
          assertThrows(MayflyException.class, () -> SyncCron.validate("--sync", bad[0]))
              .getMessage());
    }
    assertEquals(
        "--tz: 'Mars/Olympus' is not a time zone (like 'Europe/Berlin' or 'UTC')",
        assertThrows(MayflyException.class, () -> SyncCron.zone("--tz", "Mars/Olympus"))
            .getMessage());
  }

  private static List<String> times(String cron, String zone, String after, int n) {
    SyncCron schedule = SyncCron.parse(cron, ZoneId.of(zone));
    List<String> times = new ArrayList<>();
    Instant at = Instant.parse(after);
    for (int i = 0; i < n; i++) {
      at = schedule.next(at).orElseThrow();
      times.add(at.toString());
    }
    return times;
  }
}
