package dev.mayfly.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class PeersTest {
  @Test
  void missingPeerFailsInCi() {
    AssertionError e =
        assertThrows(AssertionError.class, () -> Peers.require(false, "sshd is missing", "true"));
    assertTrue(e.getMessage().contains("sshd is missing"), e.getMessage());
  }

  @Test
  void missingPeerSkipsLoudlyOutsideCi() {
    TestAbortedException e =
        assertThrows(
            TestAbortedException.class, () -> Peers.require(false, "sshd is missing", null));
    assertTrue(e.getMessage().contains("SKIPPED LOUDLY: sshd is missing"), e.getMessage());
    assertThrows(
        TestAbortedException.class, () -> Peers.require(false, "sshd is missing", "false"));
  }

  @Test
  void presentPeerNeitherSkipsNorFails() {
    assertDoesNotThrow(() -> Peers.require(true, "unused", "true"));
  }
}
