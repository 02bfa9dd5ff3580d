package dev.mayfly.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The daemon's recycle policy on real local deployments: hosts older than {@code --recycle-every}
 * are replaced, {@code never} ones are not, and a recycle that fails is retried with backoff while
 * the old hosts keep serving.
 */
class DaemonRecycleIT extends DaemonTestBase {
  @Override
  String dbEnv() {
    return null;
  }

  @Test
  void daemonRecyclesOldHostsButNotNeverAndRetriesAFailureWithoutEndingTheServingHosts()
      throws Exception {
    String url = launch("aging", "--recycle-every", "15s");
    launch("forever", "--recycle-every", "never");
    assertEquals(
        List.of("aging", "forever"),
        ids(mayfly.run("list", "--older-than", "1s", "-o", "json").out()));
    assertEquals(List.of(), ids(mayfly.run("list", "--older-than", "30d", "-o", "json").out()));

    addRun("after-recycle");
    DaemonProcess daemon = daemon("daemon", "--recycle-check", "2s");
    daemon.awaitLog("recycled aging", Duration.ofSeconds(120));
    assertTrue(get(url).contains("after-recycle"), "the recycled hosts serve the newest data");
    assertTrue(events("aging").contains("recycled"));
    assertFalse(events("forever").contains("recycled"), "never means never");
    assertTrue(
        Files.isDirectory(
            mayfly.stateDir().resolve("sandboxes/aging/host-1/root.r2/data/current")));

    // the next recycle fails: the daemon retries with backoff, the recycled hosts keep serving
    Files.writeString(demo.serviceDir().resolve("install.sh"), "#!/bin/sh\nexit 1\n");
    daemon.await(
        "two failed recycles in a row",
        Duration.ofSeconds(120),
        () -> daemon.count("recycle of aging failed [0-9]+ time") >= 2);
    JsonNode row = JSON.readTree(mayfly.run("status", "aging", "-o", "json").out());
    assertTrue(row.get("recycleFailures").asInt() >= 2, row::toString);
    assertTrue(row.get("recycleRetryAt").isTextual(), row::toString);
    assertEquals("running", row.get("state").asText());
    assertTrue(get(url).contains("after-recycle"), "still serving after failed recycles");
    assertFalse(events("forever").contains("recycled"));
  }

  private static List<String> ids(String json) throws Exception {
    List<String> ids = new ArrayList<>();
    JSON.readTree(json).forEach(d -> ids.add(d.get("id").asText()));
    return ids.stream().sorted().toList();
  }
}
