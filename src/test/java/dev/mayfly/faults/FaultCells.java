package dev.mayfly.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.SshdHosts;
import dev.mayfly.testing.Trees;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What every fault matrix (local and ssh, ec2, metaleuca) does around its kill: name the cell's
 * deployment, wait for the step's command, read the registry through the CLI, wait for reap to
 * leave no process, clean up the hosts and print the table of what was left behind.
 */
public final class FaultCells {
  private static final ObjectMapper JSON = new ObjectMapper();

  private FaultCells() {}

  /** A fresh id per cell, so a cell never finds the leftovers of another. */
  public static String deploymentId(Enum<?> fault, String provider) {
    return "fm-"
        + fault.name().toLowerCase(Locale.ROOT).replace('_', '-')
        + "-"
        + provider
        + "-"
        + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24), 36);
  }

  /** The deployment's state as {@code mayfly list} shows it. */
  public static String state(MayflyCli mayfly, String deploymentId) throws IOException {
    MayflyCli.Result list = mayfly.run("list", "--all", "--output", "json");
    assertEquals(0, list.exit(), list::toString);
    for (JsonNode d : JSON.readTree(list.out())) {
      if (d.get("id").asText().equals(deploymentId)) {
        return d.get("state").asText();
      }
    }
    return "(not listed)";
  }

  /** The host roots the registry names for the deployment, as {@code mayfly status} shows them. */
  public static Set<String> recordedRoots(MayflyCli mayfly, String deploymentId)
      throws IOException {
    MayflyCli.Result status = mayfly.run("status", deploymentId, "--output", "json");
    Set<String> recorded = new HashSet<>();
    if (status.exit() == 0) {
      for (JsonNode h : JSON.readTree(status.out()).get("hostDetails")) {
        if (!h.get("root").isNull()) {
          recorded.add(h.get("root").asText());
        }
      }
    }
    return recorded;
  }

  /** Waits until the step's {@code sleep} runs with the deployment's environment. */
  public static void awaitStepCommand(LaunchProcess launch, String deploymentId)
      throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Leftovers.describe(Leftovers.processes(deploymentId)).contains(" sleep 30")) {
      if (System.nanoTime() > end) {
        throw new AssertionError("the step's command did not start:\n" + launch.output());
      }
      Thread.sleep(20);
    }
  }

  /** The deployment's processes still there after {@code limit}: reap's kills take a moment. */
  public static List<Long> awaitNoProcesses(String deploymentId, Duration limit)
      throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    List<Long> left = Leftovers.processes(deploymentId);
    while (!left.isEmpty() && System.nanoTime() < end) {
      Thread.sleep(100);
      left = Leftovers.processes(deploymentId);
    }
    return left;
  }

  /** Kills what a failed cell left, so the next cell starts on clean hosts. */
  public static void leaveNothingRunning(String deploymentId, SshdHosts sshd) {
    if (deploymentId != null) {
      Leftovers.kill(Leftovers.processes(deploymentId));
    }
    sshd.all().forEach(SshdHosts.Host::killOthers);
    sshd.all().forEach(h -> Trees.delete(h.home().resolve(".mayfly")));
  }

  /** One kind of thing a cell left behind, and how many. */
  public record Left(int count, String what) {}

  /** {@code 0}, or each kind with its count: {@code 1 process(es), 0 root(s)}. */
  public static String leftBehind(Left... left) {
    List<String> parts = new ArrayList<>();
    int total = 0;
    for (Left l : left) {
      total += l.count();
      parts.add(l.count() + " " + l.what());
    }
    return total == 0 ? "0" : String.join(", ", parts);
  }

  /** The printed {@code fault | provider | left behind | lost} table of one matrix. */
  public static final class Table {
    private final String title;
    private final String format;
    private final List<String> rows = new ArrayList<>();

    public Table(String title, int faultWidth, int leftWidth) {
      this.title = title;
      this.format = "%-" + faultWidth + "s | %-9s | %-" + leftWidth + "s | %s";
    }

    public void add(String fault, String provider, String leftBehind, int lost) {
      rows.add(String.format(Locale.ROOT, format, fault, provider, leftBehind, lost));
    }

    public void print() {
      System.out.println("\n" + title);
      System.out.println(
          String.format(Locale.ROOT, format, "fault", "provider", "left behind", "lost"));
      rows.forEach(System.out::println);
    }
  }
}
