package dev.mayfly.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.testing.CliProcess;
import dev.mayfly.testing.MayflyCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code list}'s registry opened for one process alone (no AUTO_SERVER): only when nobody else has
 * the file open, and others wait for it rather than fail.
 */
class RegistryAloneIT {
  @TempDir Path home;

  @Test
  void anotherProcessWaitsForTheReadAndThenOpensTheFileItself() throws Exception {
    MayflyCli mayfly = new MayflyCli(home, home);
    Path state = mayfly.stateDir();
    Registry.open(state).close(); // made and migrated the usual way
    Path log = home.resolve("list");
    Process list;
    try (Registry alone = Registry.openAlone(Database.embedded(state)).orElseThrow()) {
      list = mayfly.start(log, "list");
      Thread.sleep(1_500);
      assertTrue(list.isAlive(), "the other process waits while the read holds the registry");
      alone.insert(
          TestRows.running(
              "held", Instant.now())); // listed only if the other process read after this
    }
    MayflyCli.Result listed = CliProcess.finish(list, log, 60);
    assertEquals(0, listed.exit(), listed::toString);
    assertTrue(listed.out().contains("held "), listed::toString);
  }

  @Test
  void aRegistryAnotherHolderHasOpenIsNotOpenedAloneNorIsAMissingOne() throws Exception {
    Path state = home.resolve("state");
    Files.createDirectories(state);
    assertEquals(Optional.empty(), Registry.openAlone(Database.embedded(state)), "no file yet");
    try (Registry shared = Registry.open(state)) {
      shared.insert(TestRows.running("shared", Instant.now()));
      assertEquals(
          Optional.empty(),
          Registry.openAlone(Database.embedded(state)),
          "served by its holder instead");
    }
    try (Registry alone = Registry.openAlone(Database.embedded(state)).orElseThrow()) {
      assertEquals("shared", alone.find("shared").orElseThrow().id(), "alone once nobody holds it");
    }
    try (Registry again = Registry.open(state)) {
      assertTrue(again.find("shared").isPresent(), "closing it let go of registry.open");
    }
  }
}
