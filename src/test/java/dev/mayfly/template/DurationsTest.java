package dev.mayfly.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mayfly.MayflyException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DurationsTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  /** Accepted durations: the mayfly forms (whole units, largest first) and ISO-8601. */
  private static final Object[][] DURATIONS = {
    {"45s", Duration.ofSeconds(45)},
    {"90m", Duration.ofMinutes(90)},
    {"72h", Duration.ofHours(72)},
    {"30d", Duration.ofDays(30)},
    {"2w", Duration.ofDays(14)},
    {" 30d ", Duration.ofDays(30)},
    {"1d12h", Duration.ofHours(36)},
    {"1h30m", Duration.ofMinutes(90)},
    {"1w2d3h4m5s", Duration.ofDays(9).plusHours(3).plusMinutes(4).plusSeconds(5)},
    {"0d12h", Duration.ofHours(12)},
    {"P30D", Duration.ofDays(30)},
    {"PT72H", Duration.ofHours(72)},
    {"P1DT12H", Duration.ofHours(36)},
    {"p1dt12h", Duration.ofHours(36)},
    {"PT90M", Duration.ofMinutes(90)},
    {"PT1.5S", Duration.ofMillis(1500)},
    {"P2W", Duration.ofDays(14)},
  };

  /** Rejected durations and the exact line each one gets. */
  private static final String[][] BAD_DURATIONS = {
    {"7x", "'7x' is not a duration (use e.g. 30d, 72h, 90m, 45s)"},
    {"30", "'30' is not a duration (use e.g. 30d, 72h, 90m, 45s)"},
    {"d", "'d' is not a duration (use e.g. 30d, 72h, 90m, 45s)"},
    {"", "'' is not a duration (use e.g. 30d, 72h, 90m, 45s)"},
    {"1.5h", "'1.5h' is not a duration (use e.g. 30d, 72h, 90m, 45s)"},
    {"1 d", "'1 d' is not a duration (use e.g. 30d, 72h, 90m, 45s)"},
    {"-1d", "'-1d' is not a duration (use e.g. 30d, 72h, 90m, 45s)"},
    {"12h1d", "'12h1d' is not a duration (use e.g. 30d, 72h, 90m, 45s)"},
    {"1h1h", "'1h1h' is not a duration (use e.g. 30d, 72h, 90m, 45s)"},
    {"P", "'P' is not a duration (use e.g. 30d, 72h, 90m, 45s)"},
    {"PT", "'PT' is not a duration (use e.g. 30d, 72h, 90m, 45s)"},
    {"P1H", "'P1H' is not a duration (use e.g. 30d, 72h, 90m, 45s)"},
    {"0d", "'0d' must be positive"},
    {"0s", "'0s' must be positive"},
    {"0d0h", "'0d0h' must be positive"},
    {"PT0S", "'PT0S' must be positive"},
    {"-P1D", "'-P1D' must be positive"},
    {"PT-1H", "'PT-1H' must be positive"},
    {"P1M", "'P1M' uses years or months, which have no fixed length (use days: P30D)"},
    {"P1Y2D", "'P1Y2D' uses years or months, which have no fixed length (use days: P30D)"},
  };

  /** Accepted --expires values and the instant each means, with now = {@link #NOW}. */
  private static final String[][] EXPIRIES = {
    {"30d", "2026-07-01T12:00:00Z"},
    {"1d12h", "2026-06-03T00:00:00Z"},
    {"P1DT12H", "2026-06-03T00:00:00Z"},
    {"PT72H", "2026-06-04T12:00:00Z"},
    {"2026-12-31T23:00Z", "2026-12-31T23:00:00Z"},
    {"2026-12-31T23:00:30Z", "2026-12-31T23:00:30Z"},
    {"2026-12-31T23:00:00.000Z", "2026-12-31T23:00:00Z"},
    {"2026-12-31T23:00:00.250Z", "2026-12-31T23:00:00.250Z"},
    {"2026-12-31t23:00z", "2026-12-31T23:00:00Z"},
    {"2026-12-31T23:00+02:00", "2026-12-31T21:00:00Z"},
    {"2026-12-31T23:00:00-05:00", "2027-01-01T04:00:00Z"},
    {"2026-12-31", "2027-01-01T00:00:00Z"}, // a date means through its end, in UTC
    {"2026-06-01", "2026-06-02T00:00:00Z"}, // so today still lies ahead
  };

  /** Rejected --expires values and the exact line each one gets. */
  private static final String[][] BAD_EXPIRIES = {
    {
      "3x",
      "--expires: '3x' is not a duration (like 30d, 72h) or a UTC time (like 2026-12-31T23:00Z)"
    },
    {"0d", "--expires: '0d' must be positive"},
    {"P1M", "--expires: 'P1M' uses years or months, which have no fixed length (use days: P30D)"},
    {
      "2026-12-31T23:00",
      "--expires: '2026-12-31T23:00' has no zone (add Z for UTC or an offset like +02:00)"
    },
    {"2026-02-30", "--expires: '2026-02-30' is not a valid date or time"},
    {"2026-12-31T25:00Z", "--expires: '2026-12-31T25:00Z' is not a valid date or time"},
    {
      "2026-06-01T11:59Z",
      "--expires: 2026-06-01T11:59:00Z is not in the future (now is 2026-06-01T12:00:00Z)"
    },
    {
      "2026-06-01T13:59+02:00",
      "--expires: 2026-06-01T11:59:00Z is not in the future (now is 2026-06-01T12:00:00Z)"
    },
    {
      "2026-05-31",
      "--expires: 2026-06-01T00:00:00Z is not in the future (now is 2026-06-01T12:00:00Z)"
    },
  };

  @Test
  void everyAcceptedDurationMeansItsLength() {
    for (Object[] row : DURATIONS) {
      assertEquals(row[1], Durations.parse((String) row[0]), (String) row[0]);
    }
  }

  @Test
  void everyRejectedDurationGetsItsExactLine() {
    for (String[] row : BAD_DURATIONS) {
      MayflyException e =
          assertThrows(MayflyException.class, () -> Durations.parse(row[0]), row[0]);
      assertEquals(row[1], e.getMessage());
      assertEquals(MayflyException.Exit.BAD_INPUT, e.exit());
    }
  }

  @Test
  void parseCanNameTheOption() {
    MayflyException e = assertThrows(MayflyException.class, () -> Durations.parse("--by", "3x"));
    assertEquals("--by: '3x' is not a duration (use e.g. 30d, 72h, 90m, 45s)", e.getMessage());
    e = assertThrows(MayflyException.class, () -> Durations.parse("--by", "0d"));
    assertEquals("--by: '0d' must be positive", e.getMessage());
  }

  @Test
  void everyAcceptedExpiryMeansItsInstant() {
    for (String[] row : EXPIRIES) {
      assertEquals(Instant.parse(row[1]), Durations.parseExpiry(row[0], NOW), row[0]);
    }
  }

  @Test
  void everyRejectedExpiryGetsItsExactLine() {
    for (String[] row : BAD_EXPIRIES) {
      MayflyException e =
          assertThrows(MayflyException.class, () -> Durations.parseExpiry(row[0], NOW), row[0]);
      assertEquals(row[1], e.getMessage());
      assertEquals(MayflyException.Exit.BAD_INPUT, e.exit());
    }
  }

  @Test
  void humanShowsTheTwoLargestUnits() {
    assertEquals("29d 23h", Durations.human(Duration.ofDays(30).minusMinutes(1)));
    assertEquals("5h 3m", Durations.human(Duration.ofHours(5).plusMinutes(3).plusSeconds(59)));
    assertEquals("42s", Durations.human(Duration.ofSeconds(42)));
    assertEquals("1d", Durations.human(Duration.ofDays(1).plusMinutes(5)));
    assertEquals("2m 5s", Durations.human(Duration.ofSeconds(125)));
    assertEquals("0s", Durations.human(Duration.ofMillis(300)));
    assertEquals("-2h 5m", Durations.human(Duration.ofMinutes(-125)));
  }
}
