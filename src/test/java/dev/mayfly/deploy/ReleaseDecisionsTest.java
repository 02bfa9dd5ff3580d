package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.HostState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which hosts a sync contacts and which release a rollback picks, decided without any host. */
class ReleaseDecisionsTest {
  private static final String A = "aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111";
  private static final String B = "bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222";
  private static final String B2 = "bbbb3333bbbb3333bbbb3333bbbb3333bbbb3333";

  private static HostRow host(String id, HostState state, String commit) {
    return new HostRow(
        "d-1",
        id,
        "127.0.0.1",
        Map.of("http", 8080),
        Optional.of("/srv/d-1"),
        state,
        Optional.ofNullable(commit),
        Optional.empty());
  }

  @Test
  void rollbackTargetDefaultsToTheNewestReleaseThatIsNotLive() {
    assertEquals(B, Releases.rollbackTarget(null, A, List.of(A, B, B2)));
  }

  @Test
  void rollbackTargetTakesAUniquePrefix() {
    assertEquals(B2, Releases.rollbackTarget("BBBB3", A, List.of(A, B, B2)));
  }

  @Test
  void anAmbiguousPrefixIsRejected() {
    MayflyException e =
        assertThrows(
            MayflyException.class, () -> Releases.rollbackTarget("bbbb", A, List.of(A, B, B2)));
    assertEquals(MayflyException.Exit.BAD_INPUT, e.exit());
    assertTrue(e.getMessage().contains("matches 2 release(s)"), e.getMessage());
  }

  @Test
  void aTargetThatIsNoCommitIdIsRejected() {
    MayflyException e =
        assertThrows(
            MayflyException.class, () -> Releases.rollbackTarget("main", A, List.of(A, B)));
    assertTrue(e.getMessage().startsWith("--to: 'main' is not a commit id"), e.getMessage());
  }

  @Test
  void withNoEarlierReleaseThereIsNothingToRollBackTo() {
    MayflyException e =
        assertThrows(MayflyException.class, () -> Releases.rollbackTarget(null, A, List.of(A)));
    assertEquals(MayflyException.Exit.WRONG_STATE, e.exit());
  }

  @Test
  void staleMeansHealthyAndNotAtTheCommit() {
    List<HostRow> rows =
        List.of(
            host("at", HostState.HEALTHY, A),
            host("behind", HostState.HEALTHY, B),
            host("none", HostState.HEALTHY, null),
            host("failed", HostState.FAILED, B));
    assertEquals(
        List.of("behind", "none"), Releases.stale(rows, A).stream().map(HostRow::hostId).toList());
  }
}
