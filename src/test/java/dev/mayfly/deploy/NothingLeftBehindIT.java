package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.MayflyCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After terminate, this machine keeps a deployment's logs and history, not its key or git bundles.
 */
class NothingLeftBehindIT {
  @TempDir Path home;

  @Test
  void terminateLeavesOnlyLogsAndHistoryInTheStateFolder() throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    MayflyCli mayfly = new MayflyCli(home, demo.root());
    // a first deployment fills the caches every launch shares (snapshots of the repo folders)
    assertEquals(
        0, mayfly.run("launch", "qa-results", "--name", "first", "--git-mode", "push").exit());
    assertEquals(0, mayfly.run("terminate", "first").exit());
    Set<String> before = listing(mayfly.stateDir());

    MayflyCli.Result launch =
        mayfly.run("launch", "qa-results", "--name", "second", "--git-mode", "push");
    assertEquals(0, launch.exit(), launch::toString);
    assertFalse(listing(mayfly.stateDir().resolve("bundles")).isEmpty(), "push mode built bundles");
    assertFalse(
        Files.exists(mayfly.stateDir().resolve("keys")), "the local target never logs in: no key");
    assertEquals(0, mayfly.run("terminate", "second").exit());
    Set<String> after = listing(mayfly.stateDir());

    Set<String> added = new TreeSet<>(after);
    added.removeAll(before);
    Set<String> removed = new TreeSet<>(before);
    removed.removeAll(after);
    assertEquals(
        Set.of("logs/second"),
        added.stream()
            .filter(p -> !p.startsWith("registry."))
            .map(p -> p.replaceFirst("^(logs/second).*", "$1"))
            .collect(Collectors.toSet()),
        "added: " + added);
    assertEquals(
        Set.of(),
        removed.stream().filter(p -> !p.startsWith("registry.")).collect(Collectors.toSet()));
    assertEquals(Set.of(), listing(mayfly.stateDir().resolve("bundles")), "no bundle is left");
  }

  @Test
  void terminateRemovesTheKeyGeneratedForTheDeployment() {
    // a provider whose hosts are logged in to over SSH (the fake stands in for ec2 and metaleuca
    // here)
    try (DeployHome fake = new DeployHome(home.resolve("fake"))) {
      assertTrue(fake.launch(1).ok());
      Path keys = fake.deployments.deploymentContext().keyFile("demo-1").getParent();
      assertTrue(Files.isRegularFile(keys.resolve("id_ed25519")), "a key was generated");

      fake.deployments.terminate("demo-1", Progress.SILENT);
      assertFalse(Files.exists(keys), "the key is removed");
    }
  }

  /** Every file and folder below {@code dir}, relative; empty when it does not exist. */
  private static Set<String> listing(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return Set.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> !p.equals(dir))
          .map(p -> dir.relativize(p).toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
