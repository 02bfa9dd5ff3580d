package dev.mayfly.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The scheduler's benchmark: a real daemon process holding 10,000 deployments. */
final class DaemonBench {

  private DaemonBench() {}

  /**
   * Start-up time and resident memory of a real {@code bin/mayfly daemon} with 10,000 scheduled
   * deployments expiring in 7 days (each an expiry and two notices; sync rounds on one cron): the
   * first start plans them all (beyond the 1h horizon: no jobs yet), a restart finds nothing
   * changed, and a start with a 30-day horizon hands all 10,000 expiries and 20,000 notices to
   * Quartz at once (what the first start cost before the horizon). Target: RSS < 300 MiB.
   */
  static void daemon10k(Path project, Path work) throws Exception {
    int count = 10_000;
    // shaped like list-10k's: 3 hosts, 20 history entries and a schedule each
    SeededRegistry.seed(
        work,
        count,
        3,
        20,
        "file:///nonexistent",
        Optional.empty(),
        Instant.now().plus(Duration.ofDays(7)));
    // the first run after a jar rebuild writes bin/mayfly's class-data archive: not a daemon's
    // start-up cost, so it is paid here, untimed
    Process warm =
        new ProcessBuilder(project.resolve("bin/mayfly").toString(), "--version")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (warm.waitFor() != 0) {
      throw new IllegalStateException("bin/mayfly --version failed");
    }
    System.out.printf(
        "%-8s %9s %11s %11s %9s%n", "START", "READY-S", "OWN-READY-S", "START()-MS", "RSS-MIB");
    long rss = 0;
    double[] ready = new double[3];
    int index = 0;
    for (String run : List.of("first", "restart", "all-near")) {
      List<String> command =
          new ArrayList<>(
              List.of(
                  project.resolve("bin/mayfly").toString(),
                  "daemon",
                  "--poll",
                  "1s",
                  "--run-for",
                  "10m"));
      if (run.equals("all-near")) {
        command.addAll(List.of("--horizon", "30d"));
      }
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.environment().put("MAYFLY_HOME", work.toString());
      long spawned = System.nanoTime();
      Process p = pb.start();
      try {
        Started started = awaitStarted(p, work.resolve(run + ".log"), Duration.ofMinutes(5));
        // ready = the first reconcile is done and Quartz fires; timed here from the spawn, so JVM
        // boot, the registry, Flyway and Quartz set-up all count
        double seconds = (started.atNanos() - spawned) / 1e9;
        Thread.sleep(5_000); // a few polls and a reconcile: the steady state, not the start-up peak
        long now = rssMib(p.pid());
        rss = Math.max(rss, now); // the worse of the two is the result
        ready[index++] = seconds;
        System.out.printf(
            Locale.ROOT,
            "%-8s %9.3f %11.3f %11d %9d%n",
            run,
            seconds,
            started.ownReadyMs() / 1000.0,
            started.startMs(),
            now);
      } finally {
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
    System.out.printf(
        "deployments=%d READY-S from spawn, OWN-READY-S as the daemon logs it (from its process"
            + " start); target ready<3 s, rss<300 MiB%n",
        count);
    // a restart is the usual start; the first schedules every deployment once, ever
    System.out.printf(
        Locale.ROOT,
        "RESULT daemon-10k ready-s=%.3f first-ready-s=%.3f all-near-ready-s=%.3f rss-mib=%d%n",
        ready[1],
        ready[0],
        ready[2],
        rss);
  }

  /** When the daemon logged that it started, and the times it logged with it. */
  private record Started(long atNanos, long startMs, long ownReadyMs) {}

  /**
   * Reads the daemon's output into {@code log} as it comes (so its pipe never fills), noting when
   * the "daemon started" line arrives.
   */
  private static Started awaitStarted(Process p, Path log, Duration limit) throws Exception {
    Pattern started =
        Pattern.compile("daemon started in (\\d+) ms \\(ready (\\d+) ms after the process started");
    CompletableFuture<Started> seen = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                  BufferedWriter out = Files.newBufferedWriter(log)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  Matcher m = started.matcher(line);
                  if (m.find()) {
                    seen.complete(
                        new Started(
                            System.nanoTime(),
                            Long.parseLong(m.group(1)),
                            Long.parseLong(m.group(2))));
                  }
                  out.write(line);
                  out.newLine();
                  out.flush();
                }
              } catch (IOException e) {
                seen.completeExceptionally(e);
              }
              seen.completeExceptionally(new IllegalStateException("the daemon exited"));
            },
            "daemon-output");
    reader.setDaemon(true);
    reader.start();
    try {
      return seen.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "the daemon did not start within "
              + limit.toMinutes()
              + " min:\n"
              + Files.readString(log),
          e);
    }
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
