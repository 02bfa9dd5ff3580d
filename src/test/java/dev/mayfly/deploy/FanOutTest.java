package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.provider.Host;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FanOutTest {
  private static List<Host> hosts(int n) {
    return IntStream.rangeClosed(1, n)
        .mapToObj(i -> new Host("host-" + i, "127.0.0.1", Map.of(), Optional.empty()))
        .toList();
  }

  @Test
  void runsAtMostParallelJobsAtOnceAndKeepsTheHostsOrder() {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    List<String> results =
        FanOut.run(
            hosts(6),
            2,
            host -> {
              most.accumulateAndGet(running.incrementAndGet(), Math::max);
              try {
                Thread.sleep(20);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              running.decrementAndGet();
              return host.id();
            },
            (host, crash) -> "crashed");
    assertEquals(List.of("host-1", "host-2", "host-3", "host-4", "host-5", "host-6"), results);
    assertTrue(most.get() <= 2, "at most 2 at once, saw " + most.get());
  }

  @Test
  void aCrashedJobBecomesThatHostsResultAndTheOthersStillFinish() {
    List<String> results =
        FanOut.run(
            hosts(3),
            3,
            host -> {
              if (host.id().equals("host-2")) {
                throw new IllegalStateException("bug");
              }
              return host.id() + " ok";
            },
            (host, crash) -> host.id() + " crashed: " + crash.getMessage());
    assertEquals(List.of("host-1 ok", "host-2 crashed: bug", "host-3 ok"), results);
  }
}
