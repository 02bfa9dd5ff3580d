package dev.mayfly.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.store.Reservations.Machine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reservations on the real registry file, each contender on its own connection as separate
 * processes are.
 */
class ReservationsIT {
  @TempDir Path state;

  @Test
  void ofManyConcurrentReservationsOfOneMachineExactlyOneWins() throws Exception {
    int contenders = 6;
    try (Registry first = Registry.open(state)) {
      for (int round = 0; round < 5; round++) {
        String address = "10.213.9." + round;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(contenders);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < contenders; i++) {
          String deployment = "d" + round + "-" + i;
          String spare = "10.213.8." + (round * contenders + i);
          results.add(
              pool.submit(
                  () -> {
                    try (Registry own = Registry.open(state)) {
                      go.await();
                      return own.reservations()
                          .reserve(
                              "http://cobbler/",
                              "lab",
                              own.id(),
                              deployment,
                              "alice",
                              List.of(
                                  new Machine(spare, "spare-" + deployment),
                                  new Machine(address, "contested")));
                    }
                  }));
        }
        go.countDown();
        int won = 0;
        for (Future<Boolean> f : results) {
          won += f.get() ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(1, won, "round " + round);
        long holders =
            first.reservations().all("http://cobbler/").stream()
                .filter(r -> r.address().equals(address))
                .count();
        assertEquals(1, holders);
      }
    }
  }

  @Test
  void aLostReservationHoldsNothingAndReleaseFreesAll() {
    try (Registry registry = Registry.open(state)) {
      Reservations r = registry.reservations();
      assertTrue(
          r.reserve(
              "p", "lab", registry.id(), "a", "alice", List.of(new Machine("10.0.0.1", "m1"))));
      assertEquals(
          registry.id(),
          r.forDeployment("a").get(0).registryId(),
          "the reservation records whose it is");
      boolean second =
          r.reserve(
              "p",
              "lab",
              registry.id(),
              "b",
              "bob",
              List.of(new Machine("10.0.0.2", "m2"), new Machine("10.0.0.1", "m1")));
      assertEquals(false, second);
      assertEquals(List.of(), r.forDeployment("b"), "all or nothing: m2 was not kept");
      assertEquals(1, r.release("a"));
      assertEquals(List.of(), r.all("p"));
    }
  }
}
