package dev.mayfly.bench;

import dev.mayfly.deploy.Deployments;
import dev.mayfly.deploy.HostOutcome;
import dev.mayfly.deploy.LaunchOptions;
import dev.mayfly.deploy.LaunchResult;
import dev.mayfly.deploy.Progress;
import dev.mayfly.provider.Providers;
import dev.mayfly.store.Registry;
import dev.mayfly.template.TemplateCatalog;
import dev.mayfly.testing.SshdHosts;
import dev.mayfly.testing.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bin/mayfly-bench fanout-ssh}: wall time to launch a template whose installer sleeps 2 s on
 * 1 host and on 32 hosts (real sshd servers in network namespaces, {@link SshdHosts}), all
 * bootstrapped at once. Ends with {@code RESULT fanout-ssh ratio=<t32/t1>}; target at most 1.25.
 * Lives with the tests because it needs the test harness; needs root.
 */
public final class FanoutSshBench {
  private static final int HOSTS = 32;

  private FanoutSshBench() {}

  public static void main(String[] args) throws Exception {
    Path work = Files.createTempDirectory("mayfly-bench-fanout-");
    try (SshdHosts hosts = SshdHosts.start(work.resolve("hosts"), HOSTS, 0);
        Registry registry = Registry.open(Files.createDirectories(work.resolve("state")))) {
      Path template = template(work);
      Deployments deployments =
          new Deployments(
              work.resolve("state"),
              registry,
              new TemplateCatalog(List.of(template.getParent())),
              Providers.installed(),
              Clock.systemUTC());
      // not counted: a first launch on every host warms the JIT (a one-off for a long-running
      // daemon, paid on
      // each CLI start) and builds the git bundles that every later launch reuses
      launch(deployments, hosts, template, HOSTS);
      Duration one = launch(deployments, hosts, template, 1);
      Duration all = launch(deployments, hosts, template, HOSTS);
      double ratio = (double) all.toMillis() / one.toMillis();
      System.out.printf("%-8s %9s%n", "HOSTS", "SECONDS");
      System.out.printf(Locale.ROOT, "%-8d %9.3f%n", 1, one.toMillis() / 1000.0);
      System.out.printf(Locale.ROOT, "%-8d %9.3f%n", HOSTS, all.toMillis() / 1000.0);
      System.out.printf(
          Locale.ROOT, "installer sleeps 2 s per host; parallel=%d; target ratio<=1.25%n", HOSTS);
      System.out.printf(Locale.ROOT, "RESULT fanout-ssh ratio=%.3f%n", ratio);
    } finally {
      Trees.delete(work);
    }
  }

  private static Duration launch(
      Deployments deployments, SshdHosts hosts, Path template, int count) {
    List<String> logins =
        hosts.all().subList(0, count).stream().map(SshdHosts.Host::login).toList();
    Map<String, Duration> slowest = new LinkedHashMap<>();
    Progress timing =
        new Progress() {
          @Override
          public void started(String host, String step) {}

          @Override
          public synchronized void finished(
              String host, String step, Duration elapsed, String failure) {
            slowest.merge(step, elapsed, (a, b) -> a.compareTo(b) >= 0 ? a : b);
          }
        };
    Duration cpuBefore = ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
    long machineBefore = machineCpuTicks();
    long start = System.nanoTime();
    LaunchResult result =
        deployments.launch(
            new LaunchOptions(
                null,
                template,
                List.of(),
                null,
                null,
                "ssh",
                count,
                HOSTS,
                logins,
                null,
                hosts.userKey().toString(),
                null,
                null),
            timing);
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    StringBuilder steps = new StringBuilder();
    slowest.forEach(
        (step, d) ->
            steps.append(String.format(Locale.ROOT, " %s=%.2f", step, d.toMillis() / 1000.0)));
    Duration cpu =
        ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).minus(cpuBefore);
    double machine = (machineCpuTicks() - machineBefore) / 100.0;
    System.out.printf(
        Locale.ROOT,
        "%d host(s): %.3f s (CPU: mayfly %.2f s, whole machine %.2f s); slowest host per"
            + " step:%s%n",
        count,
        elapsed.toMillis() / 1000.0,
        cpu.toMillis() / 1000.0,
        machine,
        steps);
    deployments.terminate(result.deploymentId(), Progress.SILENT);
    if (!result.ok()) {
      throw new IllegalStateException(
          "launch on "
              + count
              + " host(s) failed: "
              + result.hosts().stream()
                  .filter(h -> !h.healthy())
                  .map(HostOutcome::toString)
                  .toList());
    }
    return elapsed;
  }

  /** Busy CPU time of the whole machine in clock ticks (USER_HZ, 100 on Linux), from /proc/stat. */
  private static long machineCpuTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < f.length; i++) {
        if (i != 4 && i != 5) { // idle, iowait
          busy += Long.parseLong(f[i]);
        }
      }
      return busy;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** A service whose installer sleeps 2 s, with a data folder of one page. */
  private static Path template(Path work) throws IOException {
    Path data = Files.createDirectories(work.resolve("apps/fanout/data"));
    Files.writeString(data.resolve("index.html"), "<h1>fan-out</h1>\n");
    return ServiceTemplate.write(work, "fanout", "sleep 2", data.toString());
  }
}
