package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.host.LocalShell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host script's ownership steps, run for real by sh in a temp folder. */
class HostSessionTest {
  @TempDir Path dir;

  private HostSession session(Path root, String deployment, String registry) {
    LocalShell shell = new LocalShell(dir, Map.of("PATH", System.getenv("PATH")));
    return HostSession.open(
        shell, new HostLog(dir.resolve("logs/host.log")), root.toString(), deployment, registry);
  }

  private static List<String> names(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void prepareMakesTheRootWithItsMarkerAndARelaunchMayReuseIt() throws IOException {
    Path root = dir.resolve("opt/shop");
    try (HostSession s = session(root, "shop-1", "reg-a")) {
      s.prepare();
      assertEquals(root.toString(), s.claimedRoot());
    }
    assertEquals(
        "deployment=shop-1\nregistry=reg-a\n", Files.readString(root.resolve(".mayfly-root")));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
    try (HostSession again = session(root, "shop-1", "reg-a")) {
      again.prepare();
    }
    assertTrue(Files.isRegularFile(root.resolve("bin/mayfly-host.sh")));
  }

  @Test
  void prepareInstallsTheScriptByteForByteAndARootItClaimedIsRecordedEvenIfItFailsLater()
      throws IOException {
    Path root = dir.resolve("opt/shop");
    try (HostSession s = session(root, "shop-1", "reg-a")) {
      s.prepare();
    }
    try (var in = HostSession.class.getResourceAsStream("mayfly-host.sh")) {
      assertEquals(
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8),
          Files.readString(root.resolve("bin/mayfly-host.sh")));
    }
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(root.resolve("bin/mayfly-host.sh"))));
    // a root whose folders cannot be made: the claim stands, so terminate may remove the root
    Path blocked = dir.resolve("opt/blocked");
    try (HostSession s = session(blocked, "shop-2", "reg-a")) {
      s.prepare();
    }
    Files.delete(blocked.resolve("log"));
    Files.writeString(blocked.resolve("log"), "a file where a folder goes");
    try (HostSession s = session(blocked, "shop-2", "reg-a")) {
      HostSession.StepFailed e = assertThrows(HostSession.StepFailed.class, s::prepare);
      assertEquals("prepare", e.step);
      assertEquals(blocked.toString(), s.claimedRoot());
    }
  }

  @Test
  void anExistingFolderWithoutTheMarkerIsRefusedAndLeftAsItWas() throws IOException {
    Path root = Files.createDirectories(dir.resolve("srv/notes"));
    Files.writeString(root.resolve("todo.txt"), "mine");
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (HostSession s = session(root, "shop-1", "reg-a")) {
      HostSession.StepFailed e = assertThrows(HostSession.StepFailed.class, s::prepare);
      assertEquals("prepare", e.step);
      assertEquals(
          "root "
              + root
              + " exists and was not made by mayfly (no .mayfly-root marker); mayfly touched"
              + " nothing in it",
          e.getMessage());
      assertNull(s.claimedRoot(), "a refused root is not recorded as the deployment's");
    }
    assertEquals(List.of("todo.txt"), names(root));
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
  }

  @Test
  void aRootOfAnotherDeploymentOrRegistryIsRefusedAtPrepareAndStage() throws IOException {
    Path root = dir.resolve("opt/shared");
    try (HostSession first = session(root, "one", "reg-a")) {
      first.prepare();
    }
    List<String> before = names(root);
    for (String[] other : List.of(new String[] {"two", "reg-a"}, new String[] {"one", "reg-b"})) {
      try (HostSession s = session(root, other[0], other[1])) {
        HostSession.StepFailed e = assertThrows(HostSession.StepFailed.class, s::prepare);
        assertTrue(
            e.getMessage()
                .contains("belongs to another deployment (one, its .mayfly-root marker says)"),
            e.getMessage());
        Path bundle = Files.writeString(dir.resolve("data.bundle"), "x");
        assertThrows(HostSession.StepFailed.class, () -> s.stage("sync", bundle, "data.bundle"));
      }
    }
    assertEquals(before, names(root));
    assertFalse(
        Files.exists(root.resolve("stage/data.bundle")), "nothing staged in another's root");
  }

  @Test
  void destroyRemovesOnlyARootCarryingThisDeploymentsMarker() throws IOException {
    Path root = dir.resolve("opt/site");
    try (HostSession s = session(root, "site-1", "reg-a")) {
      s.prepare();
    }
    Files.writeString(root.resolve(".mayfly-root"), "deployment=site-2\nregistry=reg-a\n");
    try (HostSession s = session(root, "site-1", "reg-a")) {
      HostSession.StepFailed e = assertThrows(HostSession.StepFailed.class, s::destroy);
      assertEquals("destroy", e.step);
      assertTrue(e.getMessage().endsWith("mayfly removed nothing in it"), e.getMessage());
    }
    assertTrue(Files.isRegularFile(root.resolve("bin/mayfly-host.sh")), "files intact");

    try (HostSession s = session(root, "site-2", "reg-a")) {
      s.destroy();
      assertFalse(Files.exists(root), "the marker's own deployment removes it");
      s.destroy();
    }
  }
}
