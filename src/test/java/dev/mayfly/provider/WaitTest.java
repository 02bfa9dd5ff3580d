package dev.mayfly.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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

  @Test
  void heartbeatsKeepTheirBeatWhileAProbeBlocksAndNameTheLastState() {
    List<String> heard = new CopyOnWriteArrayList<>();
    Wait.Watcher watcher = recorder(heard, Duration.ofMillis(40));
    AtomicInteger probes = new AtomicInteger();
    Wait.until(
        "ssh port open",
        Duration.ofSeconds(30),
        Duration.ofMillis(1),
        watcher,
        () -> {
          if (probes.incrementAndGet() == 1) {
            return Wait.Probe.notYet("no sshd yet on i-1");
          }
          sleep(600); // a probe that blocks, like a connect timing out
          return Wait.Probe.done(true);
        });
    assertEquals("began ssh port open 30", heard.get(0));
    assertEquals("ended ssh port open null", heard.get(heard.size() - 1));
    assertTrue(
        heard.stream().filter(h -> h.equals("still ssh port open no sshd yet on i-1")).count() >= 3,
        "heartbeats while the second probe blocked: " + heard);
    int size = heard.size();
    sleep(200);
    assertEquals(size, heard.size(), "no heartbeat after the wait ended: " + heard);
  }

  @Test
  void aFailedWaitEndsWithItsReason() {
    List<String> failures = new CopyOnWriteArrayList<>();
    Wait.Watcher watcher =
        new Wait.Watcher() {
          @Override
          public void ended(String wait, Duration elapsed, String failure) {
            failures.add(failure);
          }
        };
    assertThrows(
        MayflyException.class,
        () ->
            Wait.until(
                "installed",
                Duration.ofMillis(50),
                Duration.ofMillis(10),
                watcher,
                () -> Wait.Probe.notYet("still installing: m1")));
    assertEquals(1, failures.size());
    assertTrue(failures.get(0).contains("still installing: m1"), failures.toString());
  }

  @Test
  void aRetriedWorkIsWatchedFromItsFirstFailedTryAndAQuickOneSaysNothing() {
    List<String> heard = new CopyOnWriteArrayList<>();
    Wait.Watcher watcher = recorder(heard, Duration.ofMillis(40));

    assertEquals(
        "shell", Wait.retrying("ssh login to h", Duration.ofSeconds(9), watcher, why -> "shell"));
    assertEquals(List.of(), heard, "a login that worked at once is no wait");

    String shell =
        Wait.retrying(
            "ssh login to h",
            Duration.ofSeconds(9),
            watcher,
            why -> {
              why.accept("connection refused");
              sleep(400); // the backoff before the next try
              return "shell";
            });
    assertEquals("shell", shell);
    assertEquals("began ssh login to h 9", heard.get(0));
    assertTrue(
        heard.stream().filter(h -> h.equals("still ssh login to h connection refused")).count()
            >= 3,
        "heartbeats during the backoff: " + heard);
    assertEquals("ended ssh login to h null", heard.get(heard.size() - 1));

    heard.clear();
    assertThrows(
        MayflyException.class,
        () ->
            Wait.retrying(
                "ssh login to h",
                Duration.ofSeconds(9),
                watcher,
                why -> {
                  why.accept("timed out");
                  throw MayflyException.failed("no SSH login within 9s");
                }));
    assertEquals("ended ssh login to h no SSH login within 9s", heard.get(heard.size() - 1));
  }

  private static Wait.Watcher recorder(List<String> heard, Duration beat) {
    return new Wait.Watcher() {
      @Override
      public Duration heartbeat() {
        return beat;
      }

      @Override
      public void began(String wait, Duration timeout) {
        heard.add("began " + wait + " " + timeout.toSeconds());
      }

      @Override
      public void still(String wait, Duration elapsed, String state) {
        heard.add("still " + wait + " " + state);
      }

      @Override
      public void ended(String wait, Duration elapsed, String failure) {
        heard.add("ended " + wait + " " + failure);
      }
    };
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
