package dev.mayfly.bench;

import dev.mayfly.deploy.Deployments;
import dev.mayfly.deploy.Upkeep;
import dev.mayfly.provider.Providers;
import dev.mayfly.store.Registry;
import dev.mayfly.template.TemplateCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * The scheduler's benchmarks: an idle sync round over many deployments, and a daemon holding
 * 10,000.
 */
final class DaemonBench {

  private DaemonBench() {}

  /**
   * One sync round over 1,000 running deployments of one template whose data repo (a real git repo,
   * reached by URL) did not move: it should resolve the repo once and contact no host.
   */
  static void syncIdle(Path work) throws Exception {
    int count = 1_000;
    Path repo = work.resolve("data.git");
    String commit;
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      Files.writeString(repo.resolve("runs.json"), "[]");
      git.add().addFilepattern("runs.json").call();
      RevCommit c =
          git.commit()
              .setMessage("data")
              .setSign(false)
              .setAuthor("bench", "bench@example.org")
              .setCommitter("bench", "bench@example.org")
              .call();
      commit = c.name();
    }
    try (Registry registry = Registry.open(work)) {
      SeededRegistry.seed(
          registry,
          count,
          1,
          0,
          "file://" + repo.toAbsolutePath(),
          Optional.of(commit),
          Instant.now().plus(Duration.ofDays(7)));
      Deployments deployments =
          new Deployments(
              work,
              registry,
              new TemplateCatalog(List.of()),
              Providers.installed(),
              Clock.systemUTC());
      Upkeep upkeep =
          new Upkeep(deployments, registry, Clock.systemUTC(), null, Duration.ofSeconds(10));
      System.out.printf("%-6s %9s %9s %14s%n", "ROUND", "SECONDS", "LS-REMOTE", "HOST-SESSIONS");
      Upkeep.RoundReport last = null;
      for (int round = 1; round <= 3; round++) {
        long start = System.nanoTime();
        last = upkeep.syncRound(SeededRegistry.CRON);
        System.out.printf(
            Locale.ROOT,
            "%-6d %9.3f %9d %14d%n",
            round,
            (System.nanoTime() - start) / 1e9,
            last.resolves(),
            last.hostSessions());
      }
      System.out.printf(
          "deployments=%d in the round=%d updated=%d failed=%d%n",
          count, last.deployments(), last.updated().size(), last.failed().size());
      System.out.printf("RESULT sync-idle host-sessions=%d%n", last.hostSessions());
    }
  }

  /**
   * Start-up time and resident memory of a real {@code bin/mayfly daemon} with 10,000 scheduled
   * deployments (each an expiry and two notices; sync rounds on one cron): first start schedules
   * them all, a restart finds nothing changed. Target: RSS < 300 MiB.
   */
  static void daemon10k(Path project, Path work) throws Exception {
    int count = 10_000;
    try (Registry registry = Registry.open(work)) {
      SeededRegistry.seed(
          registry,
          count,
          1,
          0,
          "file:///nonexistent",
          Optional.empty(),
          Instant.now().plus(Duration.ofDays(7)));
    }
    System.out.printf("%-8s %12s %9s%n", "START", "STARTED-MS", "RSS-MIB");
    long rss = 0;
    for (String run : List.of("first", "restart")) {
      ProcessBuilder pb =
          new ProcessBuilder(
                  project.resolve("bin/mayfly").toString(),
                  "daemon",
                  "--poll",
                  "1s",
                  "--run-for",
                  "10m")
              .redirectErrorStream(true)
              .redirectOutput(work.resolve(run + ".log").toFile());
      pb.environment().put("MAYFLY_HOME", work.toString());
      Process p = pb.start();
      try {
        long startedMs = awaitStarted(p, work.resolve(run + ".log"), Duration.ofMinutes(5));
        Thread.sleep(5_000); // a few polls and a reconcile: the steady state, not the start-up peak
        long now = rssMib(p.pid());
        rss = Math.max(rss, now); // the worse of the two is the result
        System.out.printf(Locale.ROOT, "%-8s %12d %9d%n", run, startedMs, now);
      } finally {
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
    System.out.printf("deployments=%d target rss<300 MiB%n", count);
    System.out.printf("RESULT daemon-10k rss-mib=%d%n", rss);
  }

  private static long awaitStarted(Process p, Path log, Duration limit) throws Exception {
    Pattern started = Pattern.compile("daemon started in (\\d+) ms");
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      String text = Files.exists(log) ? Files.readString(log) : "";
      Matcher m = started.matcher(text);
      if (m.find()) {
        return Long.parseLong(m.group(1));
      }
      if (!p.isAlive()) {
        throw new IllegalStateException("the daemon exited:\n" + text);
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "the daemon did not start within " + limit.toMinutes() + " min");
  }

  private static long rssMib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    throw new IllegalStateException("no VmRSS for process " + pid);
  }
}
