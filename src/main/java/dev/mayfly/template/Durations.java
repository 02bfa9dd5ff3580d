package dev.mayfly.template;

import dev.mayfly.MayflyException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lifetimes and expiry times as users write them: {@code 30d}, {@code 1d12h}, ISO-8601 {@code
 * P1DT12H}, {@code 2026-12-31T23:00Z}, {@code 2026-12-31T23:00+02:00}.
 */
public final class Durations {
  /** Whole units, largest first, each at most once: {@code 30d}, {@code 1d12h}, {@code 1h30m}. */
  private static final Pattern COMPOUND =
      Pattern.compile(
          "(?:([0-9]{1,9})w)?(?:([0-9]{1,9})d)?(?:([0-9]{1,9})h)?(?:([0-9]{1,9})m)?"
              + "(?:([0-9]{1,9})s)?");

  private static final Duration[] UNITS = {
    Duration.ofDays(7),
    Duration.ofDays(1),
    Duration.ofHours(1),
    Duration.ofMinutes(1),
    Duration.ofSeconds(1)
  };

  /** ISO-8601: {@code P30D}, {@code PT72H}, {@code P1DT12H}, {@code P2W}; no years or months. */
  private static final Pattern ISO = Pattern.compile("[+-]?P.*", Pattern.CASE_INSENSITIVE);

  private static final Pattern ISO_WEEKS =
      Pattern.compile("P([0-9]{1,9})W", Pattern.CASE_INSENSITIVE);
  private static final Pattern ISO_CALENDAR =
      Pattern.compile("[+-]?P(?:[0-9]+[YM])+.*", Pattern.CASE_INSENSITIVE);
  private static final Pattern DATE = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");
  private static final Pattern LOCAL_TIME =
      Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?");
  private static final Pattern TIME =
      Pattern.compile(LOCAL_TIME.pattern() + "(Z|[+-][0-9]{2}:[0-9]{2})", Pattern.CASE_INSENSITIVE);

  private static final String FORMS = " is not a duration (use e.g. 30d, 72h, 90m, 45s)";

  /** The longest a deployment may live, short of {@code never}: longer is a typo, not a plan. */
  public static final Duration MAX_LIFETIME = Duration.ofDays(3650);

  private Durations() {}

  /**
   * Parses {@code 30d}, {@code 72h}, {@code 1d12h} (units w d h m s, largest first) or ISO-8601
   * {@code P1DT12H}; it must be positive. BAD_INPUT otherwise.
   */
  public static Duration parse(String text) {
    return parse(text, MayflyException::badInput);
  }

  /**
   * Like {@link #parse(String)}, with the option or field named in the error, e.g. {@code --by}.
   */
  public static Duration parse(String option, String text) {
    return parse(text, why -> MayflyException.badInput(option + ": " + why));
  }

  /** Parses like {@link #parse(String)}; a bad value becomes {@code error}'s exception. */
  public static Duration parse(String text, Function<String, RuntimeException> error) {
    String t = text == null ? "" : text.strip();
    Optional<Duration> d = isoOrCompound(t);
    if (d.isEmpty()) {
      throw error.apply(
          ISO_CALENDAR.matcher(t).matches()
              ? "'" + text + "' uses years or months, which have no fixed length (use days: P30D)"
              : "'" + text + "'" + FORMS);
    }
    if (d.get().isNegative() || d.get().isZero()) {
      throw error.apply("'" + text + "' must be positive");
    }
    return d.get();
  }

  /** The duration {@code t} spells, of any sign, or empty when it spells none. */
  private static Optional<Duration> isoOrCompound(String t) {
    if (ISO.matcher(t).matches()) {
      Matcher weeks = ISO_WEEKS.matcher(t);
      if (weeks.matches()) {
        return Optional.of(Duration.ofDays(7 * Long.parseLong(weeks.group(1))));
      }
      try {
        return Optional.of(Duration.parse(t));
      } catch (DateTimeParseException | ArithmeticException e) {
        return Optional.empty();
      }
    }
    Matcher m = COMPOUND.matcher(t);
    if (t.isEmpty() || !m.matches()) {
      return Optional.empty();
    }
    Duration sum = Duration.ZERO;
    for (int i = 0; i < UNITS.length; i++) {
      if (m.group(i + 1) != null) {
        sum = sum.plus(UNITS[i].multipliedBy(Long.parseLong(m.group(i + 1))));
      }
    }
    return Optional.of(sum);
  }

  /**
   * The instant an {@code --expires} value means: {@code now} plus a duration, or a time with a
   * zone ({@code 2026-12-31T23:00Z}, {@code 2026-12-31T23:00+02:00}, {@code
   * 2026-12-31T23:00:00.000Z}), or a date ({@code 2026-12-31}: the end of that day in UTC, i.e.
   * {@code 2027-01-01T00:00Z}). It must lie in the future.
   */
  public static Instant parseExpiry(String text, Instant now) {
    return parseExpiry("--expires", text, now);
  }

  /** Like {@link #parseExpiry(String, Instant)}, naming {@code option} in errors. */
  public static Instant parseExpiry(String option, String text, Instant now) {
    String t = text == null ? "" : text.strip();
    Instant at;
    try {
      if (TIME.matcher(t).matches()) {
        at = OffsetDateTime.parse(t.toUpperCase(Locale.ROOT)).toInstant();
      } else if (DATE.matcher(t).matches()) {
        // "expires 2026-12-31" means through that day, as on a card or a certificate
        at = LocalDate.parse(t).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
      } else if (LOCAL_TIME.matcher(t).matches()) {
        throw MayflyException.badInput(
            option + ": '" + text + "' has no zone (add Z for UTC or an offset like +02:00)");
      } else if (isoOrCompound(t).isPresent() || ISO_CALENDAR.matcher(t).matches()) {
        return now.plus(parse(option, text));
      } else {
        throw MayflyException.badInput(
            option
                + ": '"
                + text
                + "' is not a duration (like 30d, 72h) or a UTC time (like 2026-12-31T23:00Z)");
      }
    } catch (DateTimeParseException e) {
      throw MayflyException.badInput(option + ": '" + text + "' is not a valid date or time");
    }
    if (!at.isAfter(now)) {
      throw MayflyException.badInput(
          option + ": " + at + " is not in the future (now is " + now + ")");
    }
    return at;
  }

  /**
   * Short form for "expires in" columns: the two largest units, e.g. {@code 29d 23h}, {@code 5h
   * 3m}, {@code 42s}; a negative duration gets a leading {@code -}.
   */
  public static String human(Duration duration) {
    if (duration.isNegative()) {
      return "-" + human(duration.negated());
    }
    long s = duration.getSeconds();
    long[] amounts = {s / 86_400, s / 3_600 % 24, s / 60 % 60, s % 60};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < amounts.length; i++) {
      if (amounts[i] > 0) {
        String first = amounts[i] + units[i];
        return i + 1 < amounts.length && amounts[i + 1] > 0
            ? first + " " + amounts[i + 1] + units[i + 1]
            : first;
      }
    }
    return "0s";
  }
}
