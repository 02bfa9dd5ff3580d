package dev.mayfly.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalShellTest {
  @TempDir Path dir;

  @Test
  void execStreamsStdoutAndStderrLinesAndReturnsTheExitCode() {
    List<String> lines = new ArrayList<>();
    try (LocalShell shell = new LocalShell(dir, Map.of("PATH", System.getenv("PATH")))) {
      HostShell.ExecResult r =
          shell.exec("echo out; echo err >&2; pwd; exit 7", Duration.ofSeconds(10), lines::add);
      assertEquals(7, r.exitCode());
    }
    assertTrue(lines.containsAll(List.of("out", "err", dir.toString())), lines.toString());
  }

  @Test
  void watchdogKillsACommandThatOverrunsItsTimeout() {
    try (LocalShell shell = new LocalShell(dir, Map.of("PATH", System.getenv("PATH")))) {
      long start = System.nanoTime();
      HostShell.ExecResult r = shell.exec("sleep 30", Duration.ofMillis(300), l -> {});
      assertTrue(r.timedOut());
      assertTrue(
          Duration.ofNanos(System.nanoTime() - start).toSeconds() < 20,
          "did not wait for the command");
    }
  }

  @Test
  void uploadWritesTheFileWithItsMode() throws Exception {
    try (LocalShell shell = new LocalShell(dir, Map.of())) {
      shell.upload("KEY='v'\n".getBytes(), "mayfly.env", 0600);
    }
    Path file = dir.resolve("mayfly.env");
    assertEquals("KEY='v'\n", Files.readString(file));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
  }
}
