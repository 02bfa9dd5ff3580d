package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.testing.Peers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host script's stop on a host whose init reaps orphans late (containers and microVMs do): a
 * stopped service's processes are zombies until init gets to them, and a recycle's switch must not
 * wait for that with nothing serving.
 */
class ServiceStopIT {
  /**
   * PID 1 of a fresh PID namespace that waits only for the steps it runs: the service's orphans
   * stay zombies, as under a lazy init.
   */
  private static final String LAZY_INIT =
      """
      import os, subprocess, sys, time
      script, root = sys.argv[1], sys.argv[2]
      def step(*args):
          subprocess.run(["sh", script, root, "dep", "reg", *args], check=True)
      step("claim")
      step("start", "sleep 1000 & sleep 1000")
      time.sleep(0.5)
      began = time.monotonic()
      step("stop")
      took = time.monotonic() - began
      zombies = running_sleeps = 0
      for pid in filter(str.isdigit, os.listdir("/proc")):
          try:
              with open(f"/proc/{pid}/stat") as f:
                  state = f.read().rsplit(") ", 1)[1].split()[0]
              with open(f"/proc/{pid}/cmdline", "rb") as f:
                  command = f.read()
          except OSError:
              continue
          zombies += state == "Z"
          running_sleeps += state != "Z" and command.startswith(b"sleep")
      print(f"stop took {took:.2f} s; zombies {zombies}; running sleeps {running_sleeps}")
      """;

  @TempDir Path dir;

  @Test
  void stopDoesNotWaitForInitToReapTheServicesZombies() throws Exception {
    Peers.require(
        isRoot() && Files.isExecutable(Path.of("/usr/bin/unshare")),
        "root and unshare (util-linux), for a PID namespace with a lazy init");
    Path script = dir.resolve("mayfly-host.sh");
    try (InputStream in = HostSession.class.getResourceAsStream("mayfly-host.sh")) {
      Files.write(script, in.readAllBytes());
    }
    Path root = dir.resolve("root");
    Path init = Files.writeString(dir.resolve("init.py"), LAZY_INIT);
    // what a prepared root holds before start: its env file, run/, log/ and a service folder
    Process prepare =
        new ProcessBuilder("sh", script.toString(), root.toString(), "dep", "reg", "claim")
            .inheritIO()
            .start();
    assertEquals(0, prepare.waitFor());
    Files.writeString(root.resolve("mayfly.env"), "");
    for (String sub : new String[] {"run", "log", "service"}) {
      Files.createDirectories(root.resolve(sub));
    }

    Process p =
        new ProcessBuilder(
                "unshare",
                "--pid",
                "--fork",
                "--mount",
                "--mount-proc",
                "python3",
                init.toString(),
                script.toString(),
                root.toString())
            .redirectErrorStream(true)
            .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the namespace did not finish");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    Matcher m =
        Pattern.compile("stop took ([0-9.]+) s; zombies ([0-9]+); running sleeps ([0-9]+)")
            .matcher(out);
    assertTrue(m.find(), out);
    assertTrue(Integer.parseInt(m.group(2)) >= 2, "the service's processes are zombies: " + out);
    assertEquals("0", m.group(3), "the service is stopped: " + out);
    // with the zombies counted as running, stop polls for its whole 10 s limit before SIGKILL
    assertTrue(
        Double.parseDouble(m.group(1)) < 5, "stop waited for zombies nobody would reap: " + out);
  }

  private static boolean isRoot() throws IOException {
    return "0".equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString());
  }
}
