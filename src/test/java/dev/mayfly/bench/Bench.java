package dev.mayfly.bench;

import dev.mayfly.deploy.Deployments;
import dev.mayfly.deploy.LaunchOptions;
import dev.mayfly.deploy.LaunchResult;
import dev.mayfly.deploy.Progress;
import dev.mayfly.provider.Providers;
import dev.mayfly.store.Registry;
import dev.mayfly.template.TemplateCatalog;
import dev.mayfly.template.TemplateException;
import dev.mayfly.template.TemplateLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Benchmarks that print numbers: {@code bin/mayfly-bench <scenario>}. Each prints a table and ends
 * with one line {@code RESULT <scenario> <metric>=<value>}. Targets live here and in README, never
 * in tests.
 */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) throws Exception {
    String scenario = args.length == 0 ? "" : args[0];
    Path project = Path.of(System.getProperty("mayfly.project", ".")).toAbsolutePath().normalize();
    Path work = Files.createTempDirectory("mayfly-bench-");
    try {
      switch (scenario) {
        case "launch-local" -> launchLocal(project, work);
        case "list-10k" -> list10k(project, work);
        case "ec2-calls" -> Ec2Calls.run(work);
        case "sync-idle" -> SyncBench.syncIdle(work);
        case "sync-delta" -> SyncBench.syncDelta(work);
        case "fanout-vs-ansible" -> FanoutVsAnsibleBench.run(project, work, args);
        case "daemon-10k" -> DaemonBench.daemon10k(project, work);
        case "template-1mib" -> template1Mib(work);
        case "web-list-10k" -> WebBench.list10k(project, work);
        default -> {
          // fanout-ssh has its own main class (it needs the sshd harness): bin/mayfly-bench starts
          // it
          System.err.println(
              "usage: mayfly-bench launch-local | list-10k | sync-idle | sync-delta | daemon-10k | fanout-ssh | fanout-vs-ansible [N,N,...] [runs] [mayfly] | recycle | ec2-calls | template-1mib | web-list-10k");
          System.exit(2);
        }
      }
    } finally {
      // MAYFLY_BENCH_KEEP=1 leaves the work folder (launch logs, hosts' logs) to read afterwards
      if (System.getenv("MAYFLY_BENCH_KEEP") == null) {
        deleteTree(work);
      } else {
        System.err.println("kept " + work);
      }
    }
  }

  /**
   * Reading a template of one comment line just under the 1 MiB limit: linear, not quadratic, time.
   */
  private static void template1Mib(Path work) throws IOException {
    Path file = work.resolve("long.yaml");
    Files.writeString(file, "#" + "x".repeat((1 << 20) - 100) + "\nname: long\n");
    List<Double> seconds = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      long start = System.nanoTime();
      try {
        TemplateLoader.load(file);
      } catch (TemplateException expected) {
        // incomplete on purpose: only the reading is timed
      }
      seconds.add((System.nanoTime() - start) / 1e9);
      System.out.printf(
          Locale.ROOT,
          "%-10s %.3f%s%n",
          i + 1,
          seconds.get(i),
          i == 0 ? " (cold, not counted)" : "");
    }
    double median = warmMedian(seconds);
    System.out.printf(
        Locale.ROOT, "bytes=%d median=%.3f s target<1.0 s%n", Files.size(file), median);
    System.out.printf(Locale.ROOT, "RESULT template-1mib seconds=%.3f%n", median);
  }

  /** Launch-to-healthy of the bundled demo on this machine, split by step. */
  private static void launchLocal(Path project, Path work) {
    Map<String, Duration> steps = new LinkedHashMap<>();
    Progress timing =
        new Progress() {
          @Override
          public void started(String host, String step) {}

          @Override
          public synchronized void finished(
              String host, String step, Duration elapsed, String failure) {
            steps.merge(step, elapsed, Duration::plus);
          }
        };
    try (Registry registry = Registry.open(work)) {
      Deployments deployments =
          new Deployments(
              work,
              registry,
              new TemplateCatalog(List.of(project.resolve("templates"))),
              Providers.installed(),
              Clock.systemUTC());
      long start = System.nanoTime();
      LaunchResult result =
          deployments.launch(
              new LaunchOptions(
                  "qa-results", null, List.of(), null, null, "local", 1, 1, List.of()),
              timing);
      Duration total = Duration.ofNanos(System.nanoTime() - start);
      deployments.terminate(result.deploymentId(), Progress.SILENT);
      if (!result.ok()) {
        throw new IllegalStateException("launch failed: " + result.hosts());
      }
      Duration accounted = steps.values().stream().reduce(Duration.ZERO, Duration::plus);
      System.out.printf("%-16s %9s%n", "STEP", "SECONDS");
      steps.forEach(
          (step, d) ->
              System.out.printf(Locale.ROOT, "%-16s %9.3f%n", step, d.toMillis() / 1000.0));
      System.out.printf(
          Locale.ROOT,
          "%-16s %9.3f%n",
          "(pin repos etc.)",
          total.minus(accounted).toMillis() / 1000.0);
      System.out.printf(Locale.ROOT, "%-16s %9.3f%n", "total", total.toMillis() / 1000.0);
      System.out.printf(
          Locale.ROOT, "RESULT launch-local seconds=%.3f%n", total.toMillis() / 1000.0);
    }
  }

  /**
   * Whole-process time of {@code mayfly list} and {@code mayfly status ID} with 10,000 deployments
   * in the registry, each with 3 hosts, 20 history entries and a sync schedule. Target < 0.5 s.
   */
  private static void list10k(Path project, Path work) throws Exception {
    int count = 10_000;
    long seeding = System.nanoTime();
    SeededRegistry.seed(
        work,
        count,
        3,
        20,
        "file:///nonexistent/data",
        Optional.of("1".repeat(40)),
        Instant.now().plus(Duration.ofDays(7)));
    System.out.printf(
        Locale.ROOT,
        "seeded %d deployments (3 hosts, 20 events, a schedule each) in %.1f s%n",
        count,
        SeededRegistry.secondsSince(seeding));
    Path launcher = project.resolve("bin/mayfly");
    String middle = SeededRegistry.id(count / 2);
    Map<String, List<Double>> seconds = new LinkedHashMap<>();
    seconds.put("list", new ArrayList<>());
    seconds.put("status", new ArrayList<>());
    // alternating, so both see the same machine; the first of each warms the page cache
    for (int run = 0; run < 6; run++) {
      seconds.get("list").add(wholeProcess(launcher, work, "list"));
      seconds.get("status").add(wholeProcess(launcher, work, "status", middle));
    }
    System.out.printf("%-10s %10s %10s%n", "RUN", "LIST", "STATUS");
    for (int i = 0; i < 6; i++) {
      System.out.printf(
          Locale.ROOT,
          "%-10s %10.3f %10.3f%s%n",
          i + 1,
          seconds.get("list").get(i),
          seconds.get("status").get(i),
          i == 0 ? " (cold, not counted)" : "");
    }
    double list = warmMedian(seconds.get("list"));
    double status = warmMedian(seconds.get("status"));
    System.out.printf(
        Locale.ROOT,
        "deployments=%d median list=%.3f s status=%.3f s target<0.5 s%n",
        count,
        list,
        status);
    System.out.printf(
        Locale.ROOT, "RESULT list-10k seconds=%.3f status-seconds=%.3f%n", list, status);
  }

  private static double wholeProcess(Path launcher, Path home, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("MAYFLY_HOME", home.toString());
    long start = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("mayfly " + String.join(" ", args) + " failed");
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /** The median of all runs but the first. */
  private static double warmMedian(List<Double> runs) {
    List<Double> warm = runs.subList(1, runs.size()).stream().sorted().toList();
    return warm.get(warm.size() / 2);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
