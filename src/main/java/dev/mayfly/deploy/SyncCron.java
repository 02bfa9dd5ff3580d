package dev.mayfly.deploy;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.mayfly.MayflyException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/** Sync schedules as users write them: Unix 5-field cron, in the controller's time zone. */
public final class SyncCron {
  private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private SyncCron() {}

  /** The cron, validated; BAD_INPUT naming {@code field} otherwise. */
  public static String validate(String field, String text) {
    String cron = text == null ? "" : text.strip();
    try {
      UNIX.parse(cron).validate();
      return cron;
    } catch (IllegalArgumentException e) {
      throw MayflyException.badInput(field + ": '" + text + "' is not a Unix 5-field cron (like '*/15 * * * *')");
    }
  }

  /** The parsed cron, for adapters that translate it (Quartz). */
  public static Cron parse(String cron) {
    return UNIX.parse(cron);
  }

  /** The first run after {@code after}. */
  public static Optional<Instant> next(String cron, Instant after) {
    return ExecutionTime.forCron(UNIX.parse(cron))
        .nextExecution(after.atZone(ZoneId.systemDefault()))
        .map(t -> t.toInstant());
  }
}
