package dev.mayfly.template;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.mayfly.MayflyException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sync schedules as users write them (a template's {@code sync.schedule}, {@code launch --sync}):
 * Unix 5-field cron, in the controller's time zone.
 */
public final class SyncCron {
  private static final CronParser UNIX =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private SyncCron() {}

  /** The cron, validated; BAD_INPUT naming {@code field} otherwise. */
  public static String validate(String field, String text) {
    String cron = text == null ? "" : text.strip();
    try {
      parse(cron);
    } catch (IllegalArgumentException e) {
      throw MayflyException.badInput(
          field + ": '" + text + "' is not a Unix 5-field cron (like '*/15 * * * *')");
    }
    if (neverFires(cron)) {
      throw MayflyException.badInput(field + ": '" + cron + "' never fires");
    }
    return cron;
  }

  /** The parsed and validated cron; IllegalArgumentException saying why when it is none. */
  public static Cron parse(String cron) {
    return UNIX.parse(cron).validate();
  }

  /** Whether a cron that parses names no date that exists, like the 31st of February. */
  public static boolean neverFires(String cron) {
    return next(cron, Instant.now()).isEmpty();
  }

  /**
   * The first run after {@code after}. {@code mayfly list} asks this for every row with the same
   * {@code after}, and parsing a cron costs more than the rest of a row: the parsed crons and the
   * last answer are kept.
   */
  public static Optional<Instant> next(String cron, Instant after) {
    ZoneId zone = ZoneId.systemDefault();
    Answer last = lastAnswer;
    if (last != null
        && last.cron.equals(cron)
        && last.after.equals(after)
        && last.zone.equals(zone)) {
      return last.next;
    }
    if (PARSED.size() > 256) {
      PARSED.clear(); // crons come from templates and --sync: few; this only bounds a flood
    }
    Optional<Instant> next =
        PARSED
            .computeIfAbsent(cron, c -> ExecutionTime.forCron(UNIX.parse(c)))
            .nextExecution(after.atZone(zone))
            .map(t -> t.toInstant());
    lastAnswer = new Answer(cron, after, zone, next);
    return next;
  }

  private record Answer(String cron, Instant after, ZoneId zone, Optional<Instant> next) {}

  private static final Map<String, ExecutionTime> PARSED = new ConcurrentHashMap<>();
  private static volatile Answer lastAnswer;
}
