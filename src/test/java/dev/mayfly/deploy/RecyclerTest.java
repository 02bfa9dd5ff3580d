package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RecyclerTest {
  @Test
  void eachRecycleGetsTheNextRootBesideTheFirst() {
    assertEquals("/home/u/.mayfly/d.r2", Recycler.nextRoot("/home/u/.mayfly/d"));
    assertEquals("/home/u/.mayfly/d.r3", Recycler.nextRoot("/home/u/.mayfly/d.r2"));
    assertEquals("/srv/root.r10", Recycler.nextRoot("/srv/root.r9"));
  }

  @Test
  void logLinesWithATimeAreFilteredBySinceOthersFollowTheLastStampedOne() {
    assertEquals(
        Optional.of(Instant.parse("2026-12-03T05:10:11Z")),
        HostAccess.stamp("2026-12-03T05:10:11.123Z GET / 200"));
    assertEquals(
        Optional.of(Instant.parse("2026-12-03T05:10:11Z")),
        HostAccess.stamp("[2026-12-03 05:10:11] started"));
    assertEquals(Optional.empty(), HostAccess.stamp("at Server.main(Server.java:12)"));
  }
}
