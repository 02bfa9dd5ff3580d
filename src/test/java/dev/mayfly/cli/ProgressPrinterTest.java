package dev.mayfly.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressPrinterTest {
  @Test
  void plainOutputIsOneLinePerFinishedStepWithoutTerminalCodes() {
    StringWriter text = new StringWriter();
    ProgressPrinter p = new ProgressPrinter(new PrintWriter(text), false);
    p.started("host-1", "install");
    p.finished("host-1", "install", Duration.ofMillis(1234), null);
    p.finished("host-2", "install", Duration.ofMillis(50), "exit 3");
    assertEquals(
        "host-1       install        done   1.2s\nhost-2       install        FAILED 0.1s  exit 3\n",
        text.toString());
  }

  @Test
  void terminalOutputRedrawsOneLinePerHostInPlace() {
    StringWriter text = new StringWriter();
    ProgressPrinter p = new ProgressPrinter(new PrintWriter(text), true);
    p.started("host-1", "install");
    p.started("host-2", "install");
    p.finished("host-1", "install", Duration.ofMillis(1000), null);
    String out = text.toString();
    assertTrue(out.contains("\033[2F"), "moves up over the two host lines to redraw them");
    assertTrue(
        out.endsWith(
            "\033[2Khost-1       install        done   1.0s\n\033[2Khost-2       install        ...\n"),
        out);
  }

  @Test
  void plainOutputShowsAWaitsStartAndOnlyWithVerboseItsHeartbeats() {
    StringWriter quiet = new StringWriter();
    ProgressPrinter p = new ProgressPrinter(new PrintWriter(quiet), false);
    p.began("instances running", Duration.ofMinutes(5));
    p.still("instances running", Duration.ofMillis(10_400), "1 of 2 running");
    p.ended("instances running", Duration.ofSeconds(12), null);
    assertEquals("waiting for instances running, up to 5m\n", quiet.toString());

    StringWriter verbose = new StringWriter();
    p = new ProgressPrinter(new PrintWriter(verbose), false, true, Duration.ofSeconds(1));
    assertEquals(Duration.ofSeconds(1), p.heartbeat());
    p.began("instances running", Duration.ofMinutes(5));
    p.still("instances running", Duration.ofMillis(10_400), "1 of 2 \033[31mrunning");
    p.ended("instances running", Duration.ofSeconds(75), null);
    assertEquals(
        "waiting for instances running, up to 5m\n"
            + "still waiting for instances running: 10.4s so far, last: 1 of 2 \\e[31mrunning\n"
            + "done waiting for instances running after 1m 15s\n",
        verbose.toString());
  }

  @Test
  void onATerminalAWaitsHeartbeatRedrawsItsOwnLine() {
    StringWriter text = new StringWriter();
    ProgressPrinter p = new ProgressPrinter(new PrintWriter(text), true);
    p.started("host-1", "health");
    p.began("healthy (host-1)", Duration.ofMinutes(1));
    p.still("healthy (host-1)", Duration.ofSeconds(10), "Connection refused");
    assertTrue(
        text.toString()
            .endsWith(
                "\033[2Khost-1       health         ...\n"
                    + "\033[2Kstill waiting for healthy (host-1): 10.0s so far, last: Connection"
                    + " refused\n"),
        text.toString());
  }
}
