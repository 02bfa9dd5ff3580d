package dev.mayfly.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WaitTest {
  @Test
  void returnsWhatTheProbeFoundOnceItFindsIt() {
    AtomicInteger probes = new AtomicInteger();
    String result =
        Wait.until(
            "instance running",
            Duration.ofSeconds(5),
            Duration.ofMillis(5),
            () ->
                probes.incrementAndGet() < 3
                    ? Wait.Probe.notYet("pending")
                    : Wait.Probe.done("i-123"));
    assertEquals("i-123", result);
    assertEquals(3, probes.get());
  }

  @Test
  void aTimeoutNamesTheWaitItsBoundAndWhatTheLastProbeSaw() {
    AtomicInteger probes = new AtomicInteger();
    long start = System.nanoTime();
    MayflyException e =
        assertThrows(
            MayflyException.class,
            () ->
                Wait.until(
                    "ssh open",
                    Duration.ofMillis(200),
                    Duration.ofMillis(50),
                    () -> Wait.Probe.notYet("refused #" + probes.incrementAndGet())));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertEquals(MayflyException.Exit.FAILED, e.exit());
    assertEquals(
        "\"ssh open\" not reached within 200ms (last: refused #" + probes.get() + ")",
        e.getMessage());
    assertTrue(took.compareTo(Duration.ofMillis(200)) >= 0, "waited the whole bound: " + took);
    assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, "bounded: " + took);
  }

  @Test
  void theLastProbeComesAtTheDeadlineNotAnIntervalEarly() {
    long start = System.nanoTime();
    AtomicLong lastProbe = new AtomicLong();
    assertThrows(
        MayflyException.class,
        () ->
            Wait.until(
                "installed",
                Duration.ofMillis(250),
                Duration.ofMillis(100),
                () -> {
                  lastProbe.set(System.nanoTime());
                  return Wait.Probe.notYet("pending");
                }));
    // probes at 0, 100, 200, then the sleep is cut to the 50 ms left: one more probe at 250, not a
    // give-up at 200
    Duration at = Duration.ofNanos(lastProbe.get() - start);
    assertTrue(at.compareTo(Duration.ofMillis(240)) >= 0, "last probe at " + at);
  }

  @Test
  void wholeSecondsAreShownAsSeconds() {
    MayflyException e =
        assertThrows(
            MayflyException.class,
            () ->
                Wait.until(
                    "healthy",
                    Duration.ofSeconds(1),
                    Duration.ofMillis(400),
                    () -> Wait.Probe.notYet("503")));
    assertEquals("\"healthy\" not reached within 1s (last: 503)", e.getMessage());
  }

  @Test
  void anInterruptedWaitSaysSo() {
    Thread.currentThread().interrupt();
    try {
      MayflyException e =
          assertThrows(
              MayflyException.class,
              () ->
                  Wait.until(
                      "instance running",
                      Duration.ofSeconds(5),
                      Duration.ofMillis(10),
                      () -> Wait.Probe.notYet("pending")));
      assertEquals("\"instance running\" interrupted (last: pending)", e.getMessage());
    } finally {
      Thread.interrupted();
    }
  }
}
