package dev.mayfly.template;

import dev.mayfly.MayflyException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Sync schedules as users write them (a template's {@code sync.schedule} and {@code sync.timezone},
 * {@code launch --sync} and {@code --tz}), meaning what cronie (Vixie cron) means: {@code launch},
 * {@code list}, {@code status} and the daemon all ask this class when a schedule fires next.
 *
 * <ul>
 *   <li>Day-of-month and day-of-week both restricted (neither starts with {@code *}): either
 *       matches. Otherwise both must ({@code *} matches all).
 *   <li>Day-of-week 0-7, 0 and 7 Sunday; names JAN-DEC and SUN-SAT; {@code @yearly}, {@code
 *       @annually}, {@code @monthly}, {@code @weekly}, {@code @daily}, {@code @midnight}, {@code
 *       @hourly}.
 *   <li>Daylight saving: a fixed-time job (neither minute nor hour starts with {@code *}) whose time
 *       falls in a skipped hour runs once at the change; in a repeated hour it runs once, the first
 *       time. A wildcard job runs neither in the skipped hour nor only once in the repeated one: it
 *       follows the wall clock, so it runs at each occurrence.
 * </ul>
 *
 * <p>Stored (registry, daemon job names) as the cron alone in UTC, else as {@code CRON_TZ=<zone>
 * <cron>}, the form Kubernetes and robfig/cron use, so one text keys a round.
 */
public final class SyncCron {
  /** The zone of a schedule that names none: the same on every controller and daemon member. */
  public static final ZoneId DEFAULT_ZONE = ZoneOffset.UTC;

  private static final String ZONE_PREFIX = "CRON_TZ=";
  private static final String EXAMPLE = "like '*/15 * * * *' or '@daily'";
  private static final Map<String, String> MACROS =
      Map.of(
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *",
          "@monthly", "0 0 1 * *",
          "@weekly", "0 0 * * 0",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@hourly", "0 * * * *");
  private static final List<String> MONTHS =
      List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
  // every day-of-month and day-of-week pair comes round within 28 years (the Gregorian day cycle)
  private static final int SEARCH_DAYS = 28 * 366;

  private final String cron;
  private final ZoneId zone;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek;
  // cronie's DOM_STAR/DOW_STAR: a field starting with '*' leaves the day to the other one
  private final boolean anyDayOfMonth;
  private final boolean anyDayOfWeek;
  // cronie's MIN_STAR/HR_STAR: such a job follows the wall clock through daylight-saving changes
  private final boolean wildcard;

  private SyncCron(String cron, ZoneId zone) {
    if (cron.startsWith("@")) {
      cron = cron.toLowerCase(Locale.ROOT);
      if (!MACROS.containsKey(cron)) {
        throw new IllegalArgumentException(
            "'"
                + cron
                + "' is not one of @yearly, @annually, @monthly, @weekly, @daily, @midnight,"
                + " @hourly");
      }
    }
    this.cron = cron;
    this.zone = zone;
    String[] f = MACROS.getOrDefault(cron, cron).split(" ");
    if (f.length != 5) {
      throw new IllegalArgumentException(
          f.length + " field" + (f.length == 1 ? "" : "s") + ", not 5");
    }
    minutes = field("minute", f[0], 0, 59, List.of());
    hours = field("hour", f[1], 0, 23, List.of());
    daysOfMonth = field("day-of-month", f[2], 1, 31, List.of());
    months = field("month", f[3], 1, 12, MONTHS);
    daysOfWeek = field("day-of-week", f[4], 0, 7, DAYS);
    if (daysOfWeek.get(7)) {
      daysOfWeek.set(0);
    }
    anyDayOfMonth = f[2].startsWith("*");
    anyDayOfWeek = f[4].startsWith("*");
    wildcard = f[0].startsWith("*") || f[1].startsWith("*");
  }

  /**
   * A cron as a user wrote it (5 fields or a macro), in {@code zone}; IllegalArgumentException
   * saying why when it is none.
   */
  public static SyncCron parse(String cron, ZoneId zone) {
    if (cron.isBlank()) {
      throw new IllegalArgumentException("it is empty");
    }
    return new SyncCron(String.join(" ", cron.strip().split("\\s+")), zone);
  }

  /** A schedule as {@link #text()} stored it. */
  public static SyncCron stored(String text) {
    String t = text.strip();
    if (!t.startsWith(ZONE_PREFIX)) {
      return parse(t, DEFAULT_ZONE);
    }
    String[] zoneAndCron = t.substring(ZONE_PREFIX.length()).split("\\s+", 2);
    try {
      return parse(zoneAndCron.length == 2 ? zoneAndCron[1] : "", ZoneId.of(zoneAndCron[0]));
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("'" + zoneAndCron[0] + "' is not a time zone");
    }
  }

  /** The cron, validated and with its blanks made single; BAD_INPUT naming {@code field}. */
  public static String validate(String field, String text) {
    String cron = text == null ? "" : text.strip();
    SyncCron parsed;
    try {
      parsed = parse(cron, DEFAULT_ZONE);
    } catch (IllegalArgumentException e) {
      throw MayflyException.badInput(
          field
              + ": '"
              + cron
              + "' is not a Unix 5-field cron: "
              + e.getMessage()
              + " ("
              + EXAMPLE
              + ")");
    }
    if (parsed.neverFires()) {
      throw MayflyException.badInput(field + ": '" + cron + "' never fires");
    }
    return parsed.cron;
  }

  /** The zone {@code text} names (like {@code Europe/Berlin}); BAD_INPUT naming {@code field}. */
  public static ZoneId zone(String field, String text) {
    try {
      return ZoneId.of(text.strip());
    } catch (DateTimeException e) {
      throw MayflyException.badInput(
          field + ": '" + text + "' is not a time zone (like 'Europe/Berlin' or 'UTC')");
    }
  }

  /** What the registry keeps: the cron, prefixed with its zone unless that is UTC. */
  public static String text(String cron, ZoneId zone) {
    return zone.normalized().equals(ZoneOffset.UTC)
        ? cron
        : ZONE_PREFIX + zone.getId() + " " + cron;
  }

  /** The cron alone, without its zone. */
  public String cron() {
    return cron;
  }

  /** The zone its times are in. */
  public ZoneId zone() {
    return zone;
  }

  /** This schedule as stored. */
  public String text() {
    return text(cron, zone);
  }

  private record Computed(String stored, Instant after, Optional<Instant> next) {}

  private static volatile Computed last;

  /**
   * The first run of a stored schedule after {@code after}. The last answer is kept: {@code list}
   * asks it for every row with one "now", and most rows share a few crons.
   */
  public static Optional<Instant> next(String stored, Instant after) {
    Computed seen = last;
    if (seen != null && seen.stored.equals(stored) && seen.after.equals(after)) {
      return seen.next;
    }
    Optional<Instant> next = stored(stored).next(after);
    last = new Computed(stored, after, next);
    return next;
  }

  /** Whether no date matches, like the 31st of February. */
  public boolean neverFires() {
    LocalDate day = LocalDate.of(2000, 1, 1);
    for (int i = 0; i < SEARCH_DAYS; i++, day = day.plusDays(1)) {
      if (runsOn(day)) {
        return false;
      }
    }
    return true;
  }

  /** The first run strictly after {@code after}; empty when it never runs. */
  public Optional<Instant> next(Instant after) {
    ZoneRules rules = zone.getRules();
    // a day before: after a change at midnight, the previous date can come round again
    LocalDate day = LocalDateTime.ofInstant(after, zone).toLocalDate().minusDays(1);
    Instant best = null;
    int lastDay = SEARCH_DAYS;
    for (int i = 0; i <= lastDay; i++, day = day.plusDays(1)) {
      Instant first = runsOn(day) ? firstOn(day, after, rules) : null;
      if (first != null && (best == null || first.isBefore(best))) {
        best = first;
        // one day more: a run in a skipped hour belongs to its day, yet may follow the next day's
        lastDay = Math.min(lastDay, i + 1);
      }
    }
    return Optional.ofNullable(best);
  }

  private boolean runsOn(LocalDate day) {
    if (!months.get(day.getMonthValue())) {
      return false;
    }
    boolean dom = daysOfMonth.get(day.getDayOfMonth());
    boolean dow = daysOfWeek.get(day.getDayOfWeek().getValue() % 7);
    return anyDayOfMonth || anyDayOfWeek ? dom && dow : dom || dow;
  }

  /** The earliest run on local {@code day} after {@code after}, cronie's way around DST changes. */
  private Instant firstOn(LocalDate day, Instant after, ZoneRules rules) {
    Instant best = null;
    for (int h = hours.nextSetBit(0); h >= 0; h = hours.nextSetBit(h + 1)) {
      for (int m = minutes.nextSetBit(0); m >= 0; m = minutes.nextSetBit(m + 1)) {
        LocalDateTime local = day.atTime(h, m);
        List<ZoneOffset> offsets = rules.getValidOffsets(local);
        for (Instant at : runsAt(local, offsets, rules)) {
          if (at.isAfter(after) && (best == null || at.isBefore(best))) {
            best = at;
          }
        }
        if (best != null && offsets.size() == 1 && !nearChange(local, rules)) {
          return best; // no change about: later times come later
        }
      }
    }
    return best;
  }

  private List<Instant> runsAt(LocalDateTime local, List<ZoneOffset> offsets, ZoneRules rules) {
    if (offsets.isEmpty()) { // skipped: a fixed-time job runs as the clock jumps
      return wildcard ? List.of() : List.of(rules.getTransition(local).getInstant());
    }
    Instant first = local.toInstant(offsets.get(0)); // the earlier of a repeated hour
    return offsets.size() == 2 && wildcard
        ? List.of(first, local.toInstant(offsets.get(1)))
        : List.of(first);
  }

  private static boolean nearChange(LocalDateTime local, ZoneRules rules) {
    Instant around = local.toInstant(ZoneOffset.UTC);
    ZoneOffsetTransition next = rules.nextTransition(around.minusSeconds(2 * 86_400));
    return next != null && next.getInstant().isBefore(around.plusSeconds(2 * 86_400));
  }

  private static BitSet field(String name, String text, int min, int max, List<String> names) {
    BitSet bits = new BitSet(max + 1);
    for (String part : text.split(",", -1)) {
      String[] rangeAndStep = part.split("/", -1);
      if (rangeAndStep.length > 2) {
        throw new IllegalArgumentException(name + " '" + part + "' has more than one '/'");
      }
      String range = rangeAndStep[0];
      int from;
      int to;
      if (range.equals("*")) {
        from = min;
        to = max == 7 ? 6 : max;
      } else {
        String[] ends = range.split("-", -1);
        if (ends.length > 2) {
          throw new IllegalArgumentException(name + " '" + part + "' is no range");
        }
        from = value(name, ends[0], min, max, names);
        // a single value with a step runs from it to the end, as in '5/15'
        to =
            ends.length == 2
                ? value(name, ends[1], min, max, names)
                : rangeAndStep.length == 2 ? max : from;
        if (to < from) {
          throw new IllegalArgumentException(name + " range '" + range + "' runs backwards");
        }
      }
      int step = 1;
      if (rangeAndStep.length == 2) {
        step = number(name + " step", rangeAndStep[1], 1, max);
      }
      for (int v = from; v <= to; v += step) {
        bits.set(v);
      }
    }
    return bits;
  }

  private static int value(String name, String text, int min, int max, List<String> names) {
    int named = names.indexOf(text.toUpperCase(Locale.ROOT));
    if (named >= 0) {
      return named + min;
    }
    return number(name, text, min, max);
  }

  private static int number(String name, String text, int min, int max) {
    if (!text.matches("[0-9]{1,2}")) {
      throw new IllegalArgumentException(
          name + " '" + text + "' is not a number" + (text.isEmpty() ? "" : " or name"));
    }
    int v = Integer.parseInt(text);
    if (v < min || v > max) {
      throw new IllegalArgumentException(name + " " + v + " is out of " + min + "-" + max);
    }
    return v;
  }
}
