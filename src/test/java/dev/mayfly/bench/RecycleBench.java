package dev.mayfly.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.PollingClient;
import dev.mayfly.testing.SshdHosts;
import dev.mayfly.testing.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code bin/mayfly-bench recycle}: how long a client polling every 10 ms sees no service while
 * {@code mayfly recycle} switches the bundled demo to a new root, on the local target and on a real
 * sshd host ({@link SshdHosts}, needs root). Ends with {@code RESULT recycle gap-ms=<max>}; target
 * under 1000 (ssh and local switch on the same port, so the gap is the service's own start time).
 */
public final class RecycleBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RecycleBench() {}

  public static void main(String[] args) throws Exception {
    Path work = Files.createTempDirectory("mayfly-bench-recycle-");
    try (SshdHosts hosts = SshdHosts.start(work.resolve("hosts"), 1, 0)) {
      System.out.printf(
          "%-8s %8s %14s %14s%n", "TARGET", "FAILED", "CLIENT-GAP-MS", "MAYFLY-GAP-MS");
      long local = run("local", work.resolve("local"), null, null);
      long ssh = run("ssh", work.resolve("ssh"), hosts, hosts.host(0));
      System.out.println("client polls every 10 ms; target gap under 1000 ms");
      System.out.printf(Locale.ROOT, "RESULT recycle gap-ms=%d%n", Math.max(local, ssh));
    } finally {
      Trees.delete(work);
    }
  }

  /** Launches the demo, recycles it under a polling client, prints a row; returns the gap. */
  private static long run(String target, Path home, SshdHosts hosts, SshdHosts.Host host)
      throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    MayflyCli mayfly = new MayflyCli(home, demo.root());
    String[] launch =
        host == null
            ? new String[] {"launch", "qa-results", "--name", "bench", "--output", "json"}
            : hosts.launchArgs(demo.template(), "bench", host);
    MayflyCli.Result launched = mayfly.run(launch);
    if (launched.exit() != 0) {
      throw new IllegalStateException("launch on " + target + " failed: " + launched);
    }
    String url =
        host == null
            ? JSON.readTree(launched.out()).get("url").asText()
            : "http://" + host.address() + ":8080/";
    Files.writeString(
        demo.dataDir().resolve("runs/2026-11-30-nightly.json"),
        "{\"suite\":\"recycled-run\",\"started\":\"2026-11-30T00:01:00Z\","
            + "\"passed\":1,\"failed\":0,\"skipped\":0,\"cases\":[]}");
    try (PollingClient client =
        new PollingClient(url, Duration.ofMillis(10), body -> body.contains("recycled-run"))) {
      MayflyCli.Result r = mayfly.run("recycle", "bench", "--output", "json");
      Thread.sleep(200);
      client.close();
      if (r.exit() != 0) {
        throw new IllegalStateException("recycle on " + target + " failed: " + r);
      }
      JsonNode result = JSON.readTree(r.out());
      System.out.printf(
          Locale.ROOT,
          "%-8s %8d %14d %14d%n",
          target,
          client.failed(),
          client.gapMillis(),
          result.get("maxGapMs").asLong());
      return client.gapMillis();
    } finally {
      mayfly.run("terminate", "bench");
    }
  }
}
