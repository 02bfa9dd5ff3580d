package dev.mayfly.schedule;

import com.cronutils.mapper.CronMapper;
import dev.mayfly.template.SyncCron;

/**
 * Unix 5-field cron (what templates and {@code --sync} use) translated to Quartz's 6/7-field form.
 */
final class QuartzCron {
  private static final CronMapper UNIX_TO_QUARTZ = CronMapper.fromUnixToQuartz();

  private QuartzCron() {}

  static String fromUnix(String unixCron) {
    return UNIX_TO_QUARTZ.map(SyncCron.parse(unixCron)).asString();
  }
}
