package dev.mayfly.schedule;

import dev.mayfly.deploy.Reaper;
import dev.mayfly.deploy.Upkeep;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;

/**
 * The daemon's Quartz jobs. Each is a thin call into {@code deploy}; none lets an exception out (a
 * failure is logged and recorded, and the daemon goes on). Class names are stored in the job store:
 * renaming one strands the jobs already scheduled under it.
 */
final class Jobs {
  static final String DEPLOYMENT = "deployment";
  static final String LEAD_SECONDS = "leadSeconds";
  static final String EXPIRES_AT = "expiresAt";
  static final String CRON = "cron";

  private Jobs() {}

  /** The job of class {@code type}, as Quartz asks for it when a trigger fires. */
  static Job create(Class<?> type, Daemon daemon) {
    if (type == Expiry.class) {
      return new Expiry(daemon);
    } else if (type == Notice.class) {
      return new Notice(daemon);
    } else if (type == SyncRound.class) {
      return new SyncRound(daemon);
    } else if (type == SyncRetry.class) {
      return new SyncRetry(daemon);
    } else if (type == Reconcile.class) {
      return new Reconcile(daemon);
    } else if (type == Reap.class) {
      return new Reap(daemon);
    } else if (type == Recycle.class) {
      return new Recycle(daemon);
    }
    throw new IllegalStateException("unknown job class " + type.getName());
  }

  /** Shared by every job: the daemon's services and the crash guard. */
  abstract static class Base implements Job {
    final Daemon daemon;

    Base(Daemon daemon) {
      this.daemon = daemon;
    }

    @Override
    public final void execute(JobExecutionContext context) {
      String what = context.getJobDetail().getKey().toString();
      try {
        run(context);
      } catch (RuntimeException | Error e) {
        // a failing job is reported, never allowed to stop the scheduler
        daemon.log().info("job " + what + " failed: " + e);
      }
    }

    abstract void run(JobExecutionContext context);

    String deployment(JobExecutionContext context) {
      return context.getMergedJobDataMap().getString(DEPLOYMENT);
    }
  }

  /** Ends a deployment at its expiry. */
  static final class Expiry extends Base {
    Expiry(Daemon daemon) {
      super(daemon);
    }

    @Override
    void run(JobExecutionContext context) {
      String id = deployment(context);
      daemon
          .log()
          .info("fired expiry " + id + " scheduled=" + context.getScheduledFireTime().getTime());
      try {
        boolean ended = daemon.upkeep().expire(id);
        daemon
            .log()
            .info(ended ? "expired " + id : "expiry " + id + ": nothing to do (extended or ended)");
      } catch (RuntimeException e) {
        daemon.retryExpiry(id, e.getMessage());
      }
    }
  }

  /** Sends one expiry notice. */
  static final class Notice extends Base {
    Notice(Daemon daemon) {
      super(daemon);
    }

    @Override
    void run(JobExecutionContext context) {
      String id = deployment(context);
      Duration lead =
          Duration.ofSeconds(Long.parseLong(context.getMergedJobDataMap().getString(LEAD_SECONDS)));
      Instant expiresAt = Instant.parse(context.getMergedJobDataMap().getString(EXPIRES_AT));
      boolean sent = daemon.upkeep().notice(id, lead, expiresAt);
      daemon
          .log()
          .info(
              "notice "
                  + id
                  + " lead="
                  + lead
                  + (sent ? " sent" : " skipped (sent already or moot)"));
    }
  }

  /** One sync round over every deployment on one cron. */
  @DisallowConcurrentExecution
  static final class SyncRound extends Base {
    SyncRound(Daemon daemon) {
      super(daemon);
    }

    @Override
    void run(JobExecutionContext context) {
      String cron = context.getMergedJobDataMap().getString(CRON);
      daemon
          .log()
          .info(
              "fired sync-round cron='"
                  + cron
                  + "' scheduled="
                  + context.getScheduledFireTime().getTime());
      long start = System.nanoTime();
      Upkeep.RoundReport r = daemon.upkeep().syncRound(cron);
      daemon
          .log()
          .info(
              "sync-round cron='"
                  + cron
                  + "' deployments="
                  + r.deployments()
                  + " resolves="
                  + r.resolves()
                  + " host-sessions="
                  + r.hostSessions()
                  + " updated="
                  + r.updated().size()
                  + " failed="
                  + r.failed().size()
                  + " skipped="
                  + r.skipped().size()
                  + " in "
                  + Duration.ofNanos(System.nanoTime() - start).toMillis()
                  + " ms");
      daemon.retryFailed(r);
      daemon.nextRound(cron, context.getScheduledFireTime().toInstant());
    }
  }

  /** A failed deployment's sync, retried after its backoff. */
  @DisallowConcurrentExecution
  static final class SyncRetry extends Base {
    SyncRetry(Daemon daemon) {
      super(daemon);
    }

    @Override
    void run(JobExecutionContext context) {
      String id = deployment(context);
      Upkeep.RoundReport r = daemon.upkeep().syncRetry(id);
      daemon
          .log()
          .info(
              "sync-retry "
                  + id
                  + " host-sessions="
                  + r.hostSessions()
                  + (r.failed().isEmpty() ? " ok" : " failed again"));
      daemon.retryFailed(r);
    }
  }

  /** Brings the schedule in line with the registry: launches, extensions, terminations, crons. */
  @DisallowConcurrentExecution
  static final class Reconcile extends Base {
    Reconcile(Daemon daemon) {
      super(daemon);
    }

    @Override
    void run(JobExecutionContext context) {
      daemon.reconcile();
    }
  }

  /** Looks for hosts nobody should hold; ends them when the daemon is told to act. */
  @DisallowConcurrentExecution
  static final class Reap extends Base {
    Reap(Daemon daemon) {
      super(daemon);
    }

    @Override
    void run(JobExecutionContext context) {
      boolean act = daemon.settings().reapAct();
      List<Reaper.Finding> findings = daemon.reaper().reap(act, daemon.settings().reapGrace());
      for (Reaper.Finding f : findings) {
        daemon
            .log()
            .info(
                "reap "
                    + (f.leftAlone()
                        ? "left alone"
                        : f.reaped() ? "ended" : act ? "could not end" : "would end (dry run)")
                    + " "
                    + f.provider()
                    + " "
                    + f.deploymentId()
                    + " "
                    + f.hostIds()
                    + ": "
                    + f.why()
                    + (f.error() == null ? "" : ": " + f.error()));
      }
      daemon
          .log()
          .info("reap " + (act ? "" : "dry run ") + "done: " + findings.size() + " finding(s)");
    }
  }

  /** Replaces the hosts of deployments older than their {@code recycle.every}. */
  @DisallowConcurrentExecution
  static final class Recycle extends Base {
    Recycle(Daemon daemon) {
      super(daemon);
    }

    @Override
    void run(JobExecutionContext context) {
      daemon.recycleDue();
    }
  }
}
