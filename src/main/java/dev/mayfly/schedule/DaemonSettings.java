package dev.mayfly.schedule;

import dev.mayfly.MayflyException;
import dev.mayfly.template.Durations;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * How the daemon runs. Each setting comes from its command-line option, else from {@code
 * daemon.<name>} in {@code <state>/mayfly.properties}, else its default. Durations are {@code 30s},
 * {@code 10m}, {@code 1h}, or {@code 500ms}, so tests can run the daemon in seconds.
 *
 * @param poll how long an idle scheduler sleeps before looking for due triggers (Quartz
 *     idleWaitTime)
 * @param misfire how late a trigger may be before it counts as missed and fires at once
 * @param checkin how often a cluster member checks in; a member silent for about this plus 7.5 s is
 *     taken for dead and its jobs are taken over
 * @param reconcile how often the daemon picks up launches, extensions and terminations from the
 *     registry
 * @param reapAct false: the reaper only reports
 * @param reapGrace how long past expiry a deployment is left to its expiry job before the reaper
 *     takes it
 * @param notices how long before expiry notices go out
 * @param webhook where notices are POSTed as JSON; null for none
 * @param retryBase the first retry delay of a failed sync; it doubles per failure up to retryMax,
 *     with jitter
 * @param instanceId this member's name in the cluster; AUTO: host name and start time
 * @param shutdownGrace how long a stopping daemon waits for running jobs
 * @param syncEvery null: sync rounds follow their crons; else every round repeats at this interval
 *     instead (for demos and tests, which cannot wait for a cron's next minute)
 * @param recycleCheck how often the daemon looks for deployments whose hosts are older than their
 *     {@code recycle.every}
 * @param horizon how far ahead expiries and notices go into the job store; later ones wait in the
 *     registry until a reconcile finds them this near (Quartz's JDBC store writes several rows per
 *     job, and 10,000 deployments expiring next month need none of them today)
 */
public record DaemonSettings(
    int threads,
    Duration poll,
    Duration misfire,
    Duration checkin,
    Duration reconcile,
    Duration reapEvery,
    boolean reapAct,
    Duration reapGrace,
    List<Duration> notices,
    URI webhook,
    Duration webhookTimeout,
    Duration retryBase,
    Duration retryMax,
    String instanceId,
    Duration shutdownGrace,
    Duration syncEvery,
    Duration recycleCheck,
    Duration horizon) {

  /**
   * The settings' names, as options ({@code --poll}) and as {@code daemon.poll} in the properties
   * file.
   */
  public static final List<String> NAMES =
      List.of(
          "threads",
          "poll",
          "misfire",
          "checkin",
          "reconcile",
          "reap-every",
          "reap",
          "reap-grace",
          "notices",
          "webhook",
          "webhook-timeout",
          "retry-base",
          "retry-max",
          "instance-id",
          "shutdown-grace",
          "sync-every",
          "recycle-check",
          "horizon");

  /**
   * @param options setting name to value as given on the command line (absent or null: not given)
   * @param config the state folder's properties
   */
  public static DaemonSettings resolve(Map<String, String> options, Properties config) {
    Source s = new Source(options, config);
    int threads = s.integer("threads", "4", 1, 64);
    Duration poll = s.duration("poll", "5s");
    if (poll.toMillis() < 1000) {
      throw MayflyException.badInput(
          s.where("poll") + ": " + poll.toMillis() + "ms is below Quartz's minimum of 1s");
    }
    String reap = s.text("reap", "dry-run");
    if (!reap.equals("dry-run") && !reap.equals("act")) {
      throw MayflyException.badInput(s.where("reap") + ": '" + reap + "' must be dry-run or act");
    }
    List<Duration> notices = new ArrayList<>();
    String noticeText = s.text("notices", "24h,1h");
    if (!noticeText.equals("none")) {
      for (String part : noticeText.split(",")) {
        notices.add(parseDuration(s.where("notices"), part.strip()));
      }
    }
    String hook = s.text("webhook", "");
    URI webhook = null;
    if (!hook.isEmpty()) {
      try {
        webhook = new URI(hook);
      } catch (URISyntaxException e) {
        webhook = null;
      }
      if (webhook == null
          || !(hook.startsWith("http://") || hook.startsWith("https://"))
          || webhook.getHost() == null) {
        // the URL itself may carry a token: name the field, not the value
        throw MayflyException.badInput(s.where("webhook") + ": not an http(s) URL");
      }
    }
    Duration reconcile = s.duration("reconcile", "10s");
    Duration horizon = s.duration("horizon", "1h");
    if (horizon.compareTo(reconcile.multipliedBy(2)) < 0) {
      // a reconcile looks ahead every half horizon: a shorter one would find expiries late
      throw MayflyException.badInput(
          s.where("horizon")
              + ": "
              + s.text("horizon", "1h")
              + " must be at least twice the reconcile interval ("
              + s.text("reconcile", "10s")
              + ")");
    }
    return new DaemonSettings(
        threads,
        poll,
        s.duration("misfire", "60s"),
        s.duration("checkin", "7500ms"),
        reconcile,
        s.duration("reap-every", "10m"),
        reap.equals("act"),
        s.duration("reap-grace", "10m"),
        List.copyOf(notices),
        webhook,
        s.duration("webhook-timeout", "10s"),
        s.duration("retry-base", "1m"),
        s.duration("retry-max", "1h"),
        s.text("instance-id", "AUTO"),
        s.duration("shutdown-grace", "30s"),
        s.text("sync-every", "").isEmpty() ? null : s.duration("sync-every", ""),
        s.duration("recycle-check", "5m"),
        horizon);
  }

  /** {@code 500ms}, or a duration as {@link Durations#parse(String, String)} reads it. */
  public static Duration parseDuration(String field, String text) {
    if (text.matches("[0-9]{1,9}ms") && !text.equals("0ms")) {
      return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
    }
    return Durations.parse(field, text);
  }

  private record Source(Map<String, String> options, Properties config) {
    String text(String name, String fallback) {
      String option = options.get(name);
      if (option != null) {
        return option.strip();
      }
      return config.getProperty("daemon." + name, fallback).strip();
    }

    String where(String name) {
      return options.get(name) != null ? "--" + name : "daemon." + name;
    }

    Duration duration(String name, String fallback) {
      return parseDuration(where(name), text(name, fallback));
    }

    int integer(String name, String fallback, int min, int max) {
      String t = text(name, fallback);
      try {
        int n = Integer.parseInt(t);
        if (n >= min && n <= max) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw MayflyException.badInput(
          where(name) + ": '" + t + "' must be a whole number from " + min + " to " + max);
    }
  }
}
