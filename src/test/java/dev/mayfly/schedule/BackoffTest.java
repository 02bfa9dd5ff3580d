package dev.mayfly.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final Duration BASE = Duration.ofMinutes(1);
  private static final Duration MAX = Duration.ofHours(1);

  @Test
  void theDelayDoublesWithEachFailure() {
    assertEquals(Duration.ofSeconds(30), fixedHalf(1));
    assertEquals(Duration.ofMinutes(1), fixedHalf(2));
    assertEquals(Duration.ofMinutes(2), fixedHalf(3));
    assertEquals(Duration.ofMinutes(16), fixedHalf(6));
  }

  @Test
  void theDelayStopsGrowingAtTheMaximum() {
    assertEquals(MAX.dividedBy(2), fixedHalf(7));
    assertEquals(MAX.dividedBy(2), fixedHalf(31));
    assertEquals(
        MAX.dividedBy(2), fixedHalf(Integer.MAX_VALUE), "no overflow on long failure runs");
    assertTrue(Backoff.delay(BASE, MAX, 7, 0.999).compareTo(MAX) < 0);
  }

  @Test
  void aFailureCountBelowOneCountsAsTheFirst() {
    assertEquals(fixedHalf(1), fixedHalf(0));
    assertEquals(fixedHalf(1), fixedHalf(-3));
  }

  @Test
  void jitterKeepsAtLeastHalfTheDelayAndNeverReachesTheWhole() {
    Random random = new Random(13);
    for (int failures = 1; failures <= 10; failures++) {
      Duration full = fixedHalf(failures).multipliedBy(2);
      for (int i = 0; i < 100; i++) {
        Duration d = Backoff.delay(BASE, MAX, failures, random.nextDouble());
        assertTrue(
            d.compareTo(full.dividedBy(2)) >= 0 && d.compareTo(full) < 0,
            d + " within [" + full.dividedBy(2) + ", " + full + ")");
      }
    }
  }

  @Test
  void jitterSpreadsDeploymentsThatFailedTogether() {
    Random random = new Random(13);
    long distinct =
        random.doubles(50).mapToObj(r -> Backoff.delay(BASE, MAX, 3, r)).distinct().count();
    assertTrue(distinct > 40, distinct + " distinct delays out of 50");
  }

  /** The part of the delay that jitter leaves alone: half of it. */
  private static Duration fixedHalf(int failures) {
    return Backoff.delay(BASE, MAX, failures, 0.0);
  }
}
