package dev.mayfly.template;

import dev.mayfly.MayflyException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lifetimes and expiry times as users write them: {@code 30d}, {@code 72h}, {@code
 * 2026-12-31T23:00Z}.
 */
public final class Durations {
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})([smhdw])");
  private static final Pattern DATE = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");
  private static final Pattern TIME =
      Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?Z");

  /** The longest a deployment may live, short of {@code never}: longer is a typo, not a plan. */
  public static final Duration MAX_LIFETIME = Duration.ofDays(3650);

  private Durations() {}

  /** Parses {@code <n>s|m|h|d|w} with n a positive whole number; BAD_INPUT otherwise. */
  public static Duration parse(String text) {
    return tryParse(text)
        .orElseThrow(
            () ->
                MayflyException.badInput(
                    "'" + text + "' is not a duration (use e.g. 30d, 72h, 90m, 45s)"));
  }

  /**
   * Like {@link #parse(String)}, with the option or field named in the error, e.g. {@code --by}.
   */
  public static Duration parse(String option, String text) {
    return tryParse(text)
        .orElseThrow(
            () ->
                MayflyException.badInput(
                    option + ": '" + text + "' is not a duration (use e.g. 30d, 72h, 90m, 45s)"));
  }

  static Optional<Duration> tryParse(String text) {
    Matcher m = DURATION.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    if (n == 0) {
      return Optional.empty();
    }
    return Optional.of(
        switch (m.group(2)) {
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          case "d" -> Duration.ofDays(n);
          default -> Duration.ofDays(7 * n);
        });
  }

  /**
   * The instant an {@code --expires} value means: {@code now} plus a duration, or a UTC time
   * ({@code 2026-12-31T23:00Z}, {@code 2026-12-31T23:00:00Z}) or date ({@code 2026-12-31}, start of
   * that day). It must lie in the future.
   */
  public static Instant parseExpiry(String text, Instant now) {
    return parseExpiry("--expires", text, now);
  }

  /** Like {@link #parseExpiry(String, Instant)}, naming {@code option} in errors. */
  public static Instant parseExpiry(String option, String text, Instant now) {
    String t = text == null ? "" : text.strip();
    Optional<Duration> d = tryParse(t);
    if (d.isPresent()) {
      return now.plus(d.get());
    }
    Instant at;
    try {
      if (TIME.matcher(t).matches()) {
        at = OffsetDateTime.parse(t).toInstant(); // Instant.parse needs seconds on Java 17
      } else if (DATE.matcher(t).matches()) {
        at = LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
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
