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
}
