package dev.mayfly.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mayfly.MayflyException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DurationsTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  @Test
  void everyUnitParses() {
    assertEquals(Duration.ofSeconds(45), Durations.parse("45s"));
    assertEquals(Duration.ofMinutes(90), Durations.parse("90m"));
    assertEquals(Duration.ofHours(72), Durations.parse("72h"));
    assertEquals(Duration.ofDays(30), Durations.parse("30d"));
    assertEquals(Duration.ofDays(14), Durations.parse("2w"));
  }

  @Test
  void junkZeroNegativeAndUnitlessDurationsAreRejected() {
    for (String bad : new String[] {"7x", "0d", "-1d", "30", "d", "1.5h", "1 d", "", "1d2h"}) {
      MayflyException e = assertThrows(MayflyException.class, () -> Durations.parse(bad), bad);
      assertEquals("'" + bad + "' is not a duration (use e.g. 30d, 72h, 90m, 45s)", e.getMessage());
      assertEquals(MayflyException.Exit.BAD_INPUT, e.exit());
    }
  }

  @Test
  void parseCanNameTheOption() {
    MayflyException e = assertThrows(MayflyException.class, () -> Durations.parse("--by", "3x"));
    assertEquals("--by: '3x' is not a duration (use e.g. 30d, 72h, 90m, 45s)", e.getMessage());
  }

  @Test
  void expiryAsDurationCountsFromNow() {
    assertEquals(NOW.plus(Duration.ofDays(30)), Durations.parseExpiry("30d", NOW));
  }

  @Test
  void expiryAcceptsUtcTimesAndDates() {
    assertEquals(
        Instant.parse("2026-12-31T23:00:00Z"), Durations.parseExpiry("2026-12-31T23:00Z", NOW));
    assertEquals(
        Instant.parse("2026-12-31T23:00:30Z"), Durations.parseExpiry("2026-12-31T23:00:30Z", NOW));
    assertEquals(Instant.parse("2026-12-31T00:00:00Z"), Durations.parseExpiry("2026-12-31", NOW));
  }

  @Test
  void expiryInThePastIsRejected() {
    MayflyException e =
        assertThrows(MayflyException.class, () -> Durations.parseExpiry("2026-06-01T11:59Z", NOW));
    assertEquals(
        "--expires: 2026-06-01T11:59:00Z is not in the future (now is 2026-06-01T12:00:00Z)",
        e.getMessage());
    assertThrows(MayflyException.class, () -> Durations.parseExpiry("2026-06-01", NOW));
  }

  @Test
  void junkExpiryNamesTheOptionAndTheAcceptedForms() {
    MayflyException e = assertThrows(MayflyException.class, () -> Durations.parseExpiry("3x", NOW));
    assertEquals(
        "--expires: '3x' is not a duration (like 30d, 72h) or a UTC time (like 2026-12-31T23:00Z)",
        e.getMessage());
    assertEquals(MayflyException.Exit.BAD_INPUT, e.exit());
  }

  @Test
  void localTimesAndImpossibleDatesAreRejected() {
    assertThrows(MayflyException.class, () -> Durations.parseExpiry("2026-12-31T23:00", NOW));
    assertThrows(MayflyException.class, () -> Durations.parseExpiry("2026-12-31T23:00+02:00", NOW));
    MayflyException e =
        assertThrows(MayflyException.class, () -> Durations.parseExpiry("2026-02-30", NOW));
    assertEquals("--expires: '2026-02-30' is not a valid date or time", e.getMessage());
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
