package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.PollingClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mayfly recycle} on the local target: a new root in the sandbox takes over the port. */
class LocalRecycleIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String NEW_RUN =
      "{\"suite\":\"recycled-run\",\"started\":\"2026-11-30T00:01:00Z\","
          + "\"passed\":1,\"failed\":0,\"skipped\":0,\"cases\":[]}";

  @TempDir Path home;

  @AfterEach
  void terminateEverything() throws Exception {
    new MayflyCli(home, home).terminateAll();
  }

  @Test
  void recycleSwitchesToANewRootAtTheNewestCommitsOnTheSamePort() throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    MayflyCli mayfly = new MayflyCli(home, demo.root());
    MayflyCli.Result launch =
        mayfly.run("launch", "qa-results", "--name", "cycled", "--output", "json");
    assertEquals(0, launch.exit(), launch::toString);
    String url = JSON.readTree(launch.out()).get("url").asText();
    String expiresBefore = status(mayfly).get("expiresAt").asText();

    Files.writeString(demo.dataDir().resolve("runs/2026-11-30-nightly.json"), NEW_RUN);
    MayflyCli.Result recycle;
    try (PollingClient client =
        new PollingClient(url, Duration.ofMillis(10), body -> body.contains("recycled-run"))) {
      recycle = mayfly.run("recycle", "cycled", "--output", "json");
      Thread.sleep(200);
      client.close();
      assertEquals(0, recycle.exit(), recycle::toString);
      List<String> phases = client.phases();
      assertEquals("old", phases.get(0), "the old root served first: " + phases);
      assertEquals("new", phases.get(phases.size() - 1), "the new root serves after: " + phases);
      assertFalse(
          phases.subList(phases.indexOf("new"), phases.size()).contains("old"),
          "never the old data after the new: " + phases);
      System.out.println(
          "local recycle: client saw "
              + client.failed()
              + " failed request(s), gap "
              + client.gapMillis()
              + " ms; mayfly measured "
              + JSON.readTree(recycle.out()).get("maxGapMs")
              + " ms");
    }
    JsonNode result = JSON.readTree(recycle.out());
    Path sandbox = mayfly.stateDir().resolve("sandboxes/cycled/host-1");
    assertEquals(sandbox.resolve("root.r2").toString(), result.at("/hosts/0/newRoot").asText());
    assertFalse(Files.exists(sandbox.resolve("root")), "the old root is removed");
    assertTrue(
        recycle.err().contains("host-1") && recycle.err().contains("install"), recycle::toString);

    JsonNode status = status(mayfly);
    assertEquals(expiresBefore, status.get("expiresAt").asText(), "same expiry");
    assertEquals(url, status.get("url").asText(), "same URL");
    assertTrue(status.toString().contains("\"recycled\""), "history has a recycled entry");
    assertEquals(sandbox.resolve("root.r2").toString(), status.at("/hostDetails/0/root").asText());

    // ssh and logs reach the new root: the sandbox is the host
    MayflyCli.Result pwd = mayfly.run("ssh", "cycled", "--", "pwd", "&&", "echo", "$MAYFLY_ROOT");
    assertEquals(0, pwd.exit(), pwd::toString);
    assertEquals(
        List.of(sandbox.resolve("root.r2").toString(), sandbox.resolve("root.r2").toString()),
        pwd.out().lines().toList(),
        "in the new root, with its mayfly.env loaded");
    Files.writeString(
        sandbox.resolve("root.r2/log/service.log"),
        "a line of the new service\n",
        java.nio.file.StandardOpenOption.APPEND);
    MayflyCli.Result logs = mayfly.run("logs", "cycled", "-n", "1");
    assertEquals("host-1 | a line of the new service\n", logs.out(), logs::toString);

    // sync and terminate work on the new root
    Files.writeString(
        demo.dataDir().resolve("runs/2026-12-01-nightly.json"),
        NEW_RUN.replace("recycled-run", "after-recycle"));
    MayflyCli.Result sync = mayfly.run("sync", "cycled");
    assertEquals(0, sync.exit(), sync::toString);
    assertTrue(LocalLaunchIT.get(url).contains("after-recycle"));
    assertEquals(0, mayfly.run("terminate", "cycled").exit());
    assertFalse(Files.exists(sandbox));
  }

  @Test
  void aRecycleWhoseNewRootFailsLeavesTheOldOneServingUntouched() throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    MayflyCli mayfly = new MayflyCli(home, demo.root());
    MayflyCli.Result launch =
        mayfly.run("launch", "qa-results", "--name", "cycled", "--output", "json");
    assertEquals(0, launch.exit(), launch::toString);
    String url = JSON.readTree(launch.out()).get("url").asText();
    Path sandbox = mayfly.stateDir().resolve("sandboxes/cycled/host-1");
    long pid = Long.parseLong(Files.readString(sandbox.resolve("root/run/service.pid")).trim());

    Files.writeString(
        demo.serviceDir().resolve("install.sh"), "#!/bin/sh\necho broken installer >&2\nexit 1\n");
    Files.writeString(demo.dataDir().resolve("runs/2026-11-30-nightly.json"), NEW_RUN);
    MayflyCli.Result recycle;
    try (PollingClient client =
        new PollingClient(url, Duration.ofMillis(10), body -> body.contains("recycled-run"))) {
      recycle = mayfly.run("recycle", "cycled");
      client.close();
      assertEquals(List.of("old"), client.phases(), "only the old root answered, always");
    }
    assertEquals(1, recycle.exit(), recycle::toString);
    assertTrue(recycle.err().contains("recycle cycled failed"), recycle::toString);
    assertTrue(recycle.err().contains("install"), "names the failed step: " + recycle);
    assertFalse(Files.exists(sandbox.resolve("root.r2")), "the new root is removed");
    assertEquals(
        pid,
        Long.parseLong(Files.readString(sandbox.resolve("root/run/service.pid")).trim()),
        "the old service was not restarted");
    assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    JsonNode status = status(mayfly);
    assertEquals("running", status.get("state").asText());
    assertTrue(status.toString().contains("recycle-failed"), status::toString);
  }

  private static JsonNode status(MayflyCli mayfly) throws Exception {
    MayflyCli.Result s = mayfly.run("status", "cycled", "--output", "json");
    assertEquals(0, s.exit(), s::toString);
    return JSON.readTree(s.out());
  }
}
