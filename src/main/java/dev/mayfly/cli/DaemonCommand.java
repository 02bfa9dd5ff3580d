package dev.mayfly.cli;

import dev.mayfly.deploy.Services;
import dev.mayfly.schedule.Daemon;
import dev.mayfly.schedule.DaemonSettings;
import dev.mayfly.store.Database;
import dev.mayfly.web.AccessToken;
import dev.mayfly.web.WebServer;
import dev.mayfly.web.WebSettings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "daemon",
    description = {
      "Run the scheduler: expiry (with notices), scheduled data syncs and the reaper, until stopped.",
      "Its jobs live in the registry's database and are derived from the registry, so deployments launched"
          + " while it was down are picked up, and an expiry missed meanwhile fires at once. Several daemons"
          + " on one PostgreSQL form a cluster: each job fires once, and a member that dies is taken over.",
      "Settings also come from daemon.<name> in $MAYFLY_HOME/mayfly.properties; the database password from"
          + " MAYFLY_DB_PASSWORD or db.password there.",
      "With --http it also serves the web console and the HTTP API (/api/v1); its token is made on the first"
          + " start into the state folder's web-token file."
    },
    subcommands = DaemonCommand.RotateToken.class)
final class DaemonCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin ProfileOption profile;

  @Option(
      names = "--db",
      paramLabel = "JDBC_URL",
      description =
          "The registry database, e.g. jdbc:postgresql://db:5432/mayfly (default: MAYFLY_DB, db.url,"
              + " else the embedded H2 file).")
  String db;

  @Option(names = "--threads", paramLabel = "N", description = "Jobs run at once (default 4).")
  String threads;

  @Option(
      names = "--poll",
      paramLabel = "DURATION",
      description = "Idle wait between looks for due jobs (default 5s).")
  String poll;

  @Option(
      names = "--misfire",
      paramLabel = "DURATION",
      description = "Lateness after which a job counts as missed and fires at once (default 60s).")
  String misfire;

  @Option(
      names = "--checkin",
      paramLabel = "DURATION",
      description = "Cluster check-in interval (default 7500ms).")
  String checkin;

  @Option(
      names = "--reconcile",
      paramLabel = "DURATION",
      description = "How often registry changes are picked up (default 10s).")
  String reconcile;

  @Option(
      names = "--reap-every",
      paramLabel = "DURATION",
      description = "Reaper interval (default 10m).")
  String reapEvery;

  @Option(
      names = "--reap",
      paramLabel = "MODE",
      description = "dry-run (default: report only) or act.")
  String reap;

  @Option(
      names = "--reap-grace",
      paramLabel = "DURATION",
      description = "How long past expiry the reaper waits for the expiry job (default 10m).")
  String reapGrace;

  @Option(
      names = "--notices",
      paramLabel = "LIST",
      description = "Notice times before expiry, e.g. 24h,1h (default), or none.")
  String notices;

  @Option(
      names = "--webhook",
      paramLabel = "URL",
      description = "POST expiry notices as JSON here.")
  String webhook;

  @Option(
      names = "--webhook-timeout",
      paramLabel = "DURATION",
      description = "Bound on one webhook call (default 10s).")
  String webhookTimeout;

  @Option(
      names = "--retry-base",
      paramLabel = "DURATION",
      description =
          "First retry delay of a failed sync; doubles per failure, with jitter (default 1m).")
  String retryBase;

  @Option(
      names = "--retry-max",
      paramLabel = "DURATION",
      description = "Longest retry delay (default 1h).")
  String retryMax;

  @Option(
      names = "--instance-id",
      paramLabel = "NAME",
      description = "This member's name in the cluster (default: host name and start time).")
  String instanceId;

  @Option(
      names = "--shutdown-grace",
      paramLabel = "DURATION",
      description = "How long stopping waits for running jobs (default 30s).")
  String shutdownGrace;

  @Option(
      names = "--sync-every",
      paramLabel = "DURATION",
      description = "Run every sync round at this interval instead of its cron (demos, tests).")
  String syncEvery;

  @Option(
      names = "--recycle-check",
      paramLabel = "DURATION",
      description = "How often hosts older than their recycle.every are looked for (default 5m).")
  String recycleCheck;

  @Option(
      names = "--horizon",
      paramLabel = "DURATION",
      description =
          "How far ahead expiries and notices are handed to the scheduler (default 1h); later"
              + " ones wait in the registry. At least twice --reconcile.")
  String horizon;

  @Option(
      names = "--run-for",
      paramLabel = "DURATION",
      description = "Stop after this long (default: run until stopped).")
  String runFor;

  @Option(
      names = "--http",
      paramLabel = "HOST:PORT",
      description =
          "Serve the web console and API here, e.g. 127.0.0.1:7070 (default: daemon.http, else none)."
              + " Other than loopback only with --tls-cert and --tls-key.")
  String http;

  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      description = "The console's certificate (chain), PEM (default: daemon.tls-cert).")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "PEM",
      description = "Its private key, unencrypted PKCS#8 PEM (default: daemon.tls-key).")
  Path tlsKey;

  @Command(
      name = "rotate-token",
      description =
          "Replace the web console's token and print the new one; a running daemon takes it at its next"
              + " request, and every browser session logs in again.")
  static final class RotateToken implements Callable<Integer> {
    @ParentCommand DaemonCommand daemon;

    @Override
    public Integer call() {
      Path state = daemon.main.services(null).stateDir();
      String token = AccessToken.rotate(state);
      daemon.main.out().println(token);
      daemon.main.out().flush();
      daemon.main.err().println("new web token kept in " + state.resolve("web-token"));
      return 0;
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    Map<String, String> options = new HashMap<>();
    String[] values = {
      threads,
      poll,
      misfire,
      checkin,
      reconcile,
      reapEvery,
      reap,
      reapGrace,
      notices,
      webhook,
      webhookTimeout,
      retryBase,
      retryMax,
      instanceId,
      shutdownGrace,
      syncEvery,
      recycleCheck,
      horizon
    };
    for (int i = 0; i < values.length; i++) {
      options.put(DaemonSettings.NAMES.get(i), values[i]);
    }
    Services services = main.services(db);
    DaemonSettings settings = DaemonSettings.resolve(options, Database.config(services.stateDir()));
    main.err()
        .println(
            "mayfly daemon on " + services.database() + " (state " + services.stateDir() + ")");
    WebSettings web =
        WebSettings.resolve(
            http,
            tlsCert == null ? null : main.cwd.resolve(tlsCert),
            tlsKey == null ? null : main.cwd.resolve(tlsKey),
            Database.config(services.stateDir()));
    // the web stack loads only here, so other commands never pay for Jetty
    try (WebServer console =
        web == null
            ? null
            : WebServer.start(
                web, services.deployments(), services.stateDir(), services.clock(), main.err())) {
      new Daemon(
              settings,
              services.database(),
              services.upkeep(settings.webhook(), settings.webhookTimeout()),
              services.reaper(),
              services.clock(),
              main.err())
          .run(
              runFor == null ? null : DaemonSettings.parseDuration("--run-for", runFor),
              // web launches end their hosts while the registry is still open
              console == null ? () -> {} : console::close);
    }
    return 0;
  }
}
