package dev.mayfly.provider.metaleuca;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClaimTest {
  private static final Claim MINE =
      new Claim("1a2b3c4d5e6f7a8b", "web-7", Instant.ofEpochSecond(1700000000));

  @Test
  void aClaimAddedAndRemovedGivesTheCommentBackAsItWas() {
    for (String comment : List.of("", "group=web", "rack 3  group=web\tspare")) {
      String claimed = MINE.addTo(comment);
      assertEquals(List.of(MINE), Claim.parse(claimed), claimed);
      assertEquals(comment, Claim.without(claimed, c -> c.equals(MINE)));
    }
    assertEquals(
        "group=web mayfly:registry=1a2b3c4d5e6f7a8b:web-7:1700000000", MINE.addTo("group=web"));
  }

  @Test
  void removingOneClaimLeavesTheOtherRegistrysAndTheGroup() {
    String both = "group=web mayfly:registry=ffff:d1:5 note " + MINE.word();
    assertEquals(
        "group=web mayfly:registry=ffff:d1:5 note",
        Claim.without(both, c -> c.isOf(MINE.registryId(), "web-7")));
    assertEquals(Optional.of("web"), GroupSource.parse("t", "comment", Map.of()).groupOf("", both));
  }

  @Test
  void anyMayflyRegistryWordIsAClaimEvenMalformedButOnlyAsAWholeWord() {
    assertEquals(
        List.of(new Claim("abc", "", Instant.EPOCH)), Claim.parse("group=web mayfly:registry=abc"));
    assertEquals(List.of(), Claim.parse("group=web xmayfly:registry=abc:d:1"));
  }
}
