package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.PollingClient;
import dev.mayfly.testing.SshdHosts;
import dev.mayfly.testing.SshdHostsFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Day-2 commands on the ssh target against real OpenSSH servers ({@link SshdHosts}): recycle into a
 * new root on the same server, logs from two hosts, a command on one host, and a changed host key
 * refused by {@code mayfly ssh}.
 */
class SshDay2IT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final SshdHostsFixture hosts = new SshdHostsFixture(4, 0);

  @TempDir Path home;

  @AfterEach
  void terminateEverything() throws Exception {
    new MayflyCli(home, home).terminateAll();
  }

  @Test
  void recycleRebuildsTheServerInANewRootAndSwitchesWithAMeasuredGap() throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    MayflyCli mayfly = new MayflyCli(home, demo.root());
    SshdHosts.Host host = hosts.host(0);
    assertEquals(0, mayfly.run(hosts.launchArgs(demo.template(), "cycled", host)).exit());
    String url = "http://" + host.address() + ":8080/";

    Files.writeString(
        demo.dataDir().resolve("runs/2026-11-30-nightly.json"), LocalRecycleIT.NEW_RUN);
    MayflyCli.Result recycle;
    try (PollingClient client =
        new PollingClient(url, Duration.ofMillis(10), body -> body.contains("recycled-run"))) {
      recycle = mayfly.run("recycle", "cycled", "--output", "json");
      Thread.sleep(200);
      client.close();
      assertEquals(0, recycle.exit(), recycle::toString);
      List<String> phases = client.phases();
      assertEquals("old", phases.get(0), phases::toString);
      assertEquals("new", phases.get(phases.size() - 1), phases::toString);
      assertFalse(phases.subList(phases.indexOf("new"), phases.size()).contains("old"));
      System.out.println(
          "ssh recycle: client saw "
              + client.failed()
              + " failed request(s), gap "
              + client.gapMillis()
              + " ms; mayfly measured "
              + JSON.readTree(recycle.out()).get("maxGapMs")
              + " ms");
    }
    assertTrue(Files.isDirectory(host.home().resolve(".mayfly/cycled.r2/data/current")));
    assertFalse(Files.exists(host.home().resolve(".mayfly/cycled")), "old root removed");
    JsonNode status = JSON.readTree(mayfly.run("status", "cycled", "--output", "json").out());
    assertTrue(status.toString().contains("\"recycled\""), status::toString);

    // the new root is the one later commands use
    MayflyCli.Result pwd = mayfly.run("ssh", "cycled", "--", "pwd");
    assertEquals(0, pwd.exit(), pwd::toString);
    assertTrue(pwd.out().strip().endsWith("/.mayfly/cycled.r2"), pwd::toString);
    assertEquals(0, mayfly.run("terminate", "cycled").exit());
    assertFalse(Files.exists(host.home().resolve(".mayfly/cycled.r2")));
  }

  @Test
  void rootsOfAKilledRecycleAreRemovedByTheNextRecycleAndByTerminate() throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    MayflyCli mayfly = new MayflyCli(home, demo.root());
    SshdHosts.Host host = hosts.host(3);
    assertEquals(0, mayfly.run(hosts.launchArgs(demo.template(), "stray", host)).exit());
    Path roots = host.home().resolve(".mayfly");
    Path installer = demo.serviceDir().resolve("install.sh");
    String install = Files.readString(installer);
    // a slow installer, so the kill lands while the new root is being built
    Files.writeString(installer, install.replaceFirst("set -eu\n", "set -eu\nsleep 30\n"));

    killRecycleOnceItsRootExists(mayfly, roots.resolve("stray.r2"));
    Path leftover = Files.writeString(roots.resolve("stray.r2/left-by-the-killed-recycle"), "");
    assertTrue(
        LocalLaunchIT.get("http://" + host.address() + ":8080/").contains("ec2-instance-lifecycle"),
        "the old root still serves");

    Files.writeString(installer, install);
    MayflyCli.Result recycle = mayfly.run("recycle", "stray");
    assertEquals(0, recycle.exit(), recycle::toString);
    assertFalse(Files.exists(leftover), "the killed recycle's root was removed before building");
    assertTrue(Files.isDirectory(roots.resolve("stray.r2/data/current")));

    Files.writeString(installer, install.replaceFirst("set -eu\n", "set -eu\nsleep 30\n"));
    killRecycleOnceItsRootExists(mayfly, roots.resolve("stray.r3"));
    MayflyCli.Result terminate = mayfly.run("terminate", "stray");
    assertEquals(0, terminate.exit(), terminate::toString);
    try (var left = Files.list(roots)) {
      assertEquals(
          List.of(),
          left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("stray")).toList(),
          "terminate removes the live root and the killed recycle's");
    }
  }

  /** Starts {@code mayfly recycle} and SIGKILLs it as soon as the new root is on the host. */
  private void killRecycleOnceItsRootExists(MayflyCli mayfly, Path newRoot) throws Exception {
    Path log = home.resolve("recycle-" + newRoot.getFileName());
    Process recycle = mayfly.start(log, "recycle", "stray");
    try {
      Instant end = Instant.now().plusSeconds(90);
      while (!Files.isDirectory(newRoot) && recycle.isAlive() && Instant.now().isBefore(end)) {
        Thread.sleep(20);
      }
      assertTrue(
          Files.isDirectory(newRoot) && recycle.isAlive(),
          "recycle did not build "
              + newRoot
              + ": "
              + Files.readString(log.resolveSibling(log.getFileName() + ".err")));
    } finally {
      recycle.destroyForcibly();
      recycle.waitFor();
    }
  }

  @Test
  void recycleWhoseInstallerFailsLeavesTheOldRootServingOnTheServer() throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    MayflyCli mayfly = new MayflyCli(home, demo.root());
    SshdHosts.Host host = hosts.host(1);
    assertEquals(0, mayfly.run(hosts.launchArgs(demo.template(), "kept", host)).exit());
    Files.writeString(demo.serviceDir().resolve("install.sh"), "#!/bin/sh\nexit 1\n");
    MayflyCli.Result recycle = mayfly.run("recycle", "kept");
    assertEquals(1, recycle.exit(), recycle::toString);
    assertTrue(recycle.err().contains("install"), recycle::toString);
    assertFalse(Files.exists(host.home().resolve(".mayfly/kept.r2")), "new root removed");
    assertTrue(
        LocalLaunchIT.get("http://" + host.address() + ":8080/")
            .contains("ec2-instance-lifecycle"));
  }

  @Test
  void logsFollowPrintsLinesBothHostsWriteAfterItStartedEachPrefixed() throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    MayflyCli mayfly = new MayflyCli(home, demo.root());
    SshdHosts.Host a = hosts.host(0);
    SshdHosts.Host b = hosts.host(1);
    MayflyCli.Result launch =
        mayfly.run(
            "launch",
            "--file",
            demo.template().toString(),
            "--name",
            "two",
            "--target",
            "ssh",
            "--identity",
            hosts.userKey().toString(),
            "--host",
            a.login(),
            "--host",
            b.login());
    assertEquals(0, launch.exit(), launch::toString);

    Path log = home.resolve("logs-f");
    Process follow = mayfly.start(log, "logs", "two", "-f", "--lines", "0");
    Path out = log.resolveSibling("logs-f.out");
    try {
      // a line every half second from each host until both show up: written after the start
      Instant end = Instant.now().plusSeconds(90);
      String text = "";
      while (Instant.now().isBefore(end)
          && !(text.contains("by " + a.address()) && text.contains("by " + b.address()))) {
        for (SshdHosts.Host h : List.of(a, b)) {
          Files.writeString(
              h.home().resolve(".mayfly/two/log/service.log"),
              "written-after-start by " + h.address() + "\n",
              StandardOpenOption.APPEND);
        }
        Thread.sleep(500);
        text = Files.readString(out);
      }
      for (SshdHosts.Host h : List.of(a, b)) {
        String shortName = h.login().replaceFirst(":22$", "");
        assertTrue(
            text.contains(shortName + " | written-after-start by " + h.address()),
            "prefixed line of "
                + shortName
                + " in: "
                + text
                + Files.readString(log.resolveSibling("logs-f.err")));
      }
    } finally {
      follow.destroy(); // as Ctrl-C: the JVM exits, the connections close
      follow.waitFor();
    }
    MayflyCli.Result last =
        mayfly.run("logs", "two", "--host", a.login().replaceFirst(":22$", ""), "-n", "1");
    assertEquals(0, last.exit(), last::toString);
    assertEquals(1, last.out().lines().count(), last::toString);
    MayflyCli.Result events = mayfly.run("logs", "two", "--events", "--since", "1h", "-n", "0");
    assertTrue(events.out().contains("mayfly: launched"), events::toString);
  }

  @Test
  void sshRunsACommandInTheRootOfTheNamedHostAndRefusesAChangedHostKey() throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    MayflyCli mayfly = new MayflyCli(home, demo.root());
    SshdHosts.Host host = hosts.host(2);
    assertEquals(0, mayfly.run(hosts.launchArgs(demo.template(), "shell", host)).exit());
    String name = host.login().replaceFirst(":22$", "");

    MayflyCli.Result env =
        mayfly.run(
            "ssh",
            "shell",
            "--host",
            name,
            "--",
            "echo",
            "$MAYFLY_DEPLOYMENT",
            "&&",
            "cat",
            "mayfly.env");
    assertEquals(0, env.exit(), env::toString);
    assertTrue(env.out().startsWith("shell\n"), "mayfly.env is loaded: " + env.out());
    assertTrue(env.out().contains("MAYFLY_ROOT="), "runs in the root: " + env.out());
    assertEquals(
        7, mayfly.run("ssh", "shell", "--", "exit", "7").exit(), "the command's exit code");

    host.replaceHostKey();
    MayflyCli.Result refused = mayfly.run("ssh", "shell", "--", "touch", "/tmp/should-not-run");
    assertEquals(1, refused.exit(), refused::toString);
    assertTrue(refused.err().contains("CHANGED"), refused::toString);
    assertFalse(Files.exists(Path.of("/tmp/should-not-run")));
  }
}
