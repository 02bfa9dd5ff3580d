package dev.mayfly.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.TinyService;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry under a full or read-only disk and as a damaged file: one clear line, and nothing
 * replaced.
 */
class DurableRegistryIT {
  @TempDir Path home;
  private Path disk;
  private MayflyCli mayfly;

  @AfterEach
  void cleanUp() throws Exception {
    if (disk != null) {
      sh("mount", "-o", "remount,rw", disk.toString());
      Files.deleteIfExists(disk.resolve("filler"));
    }
    if (mayfly != null && Files.exists(mayfly.stateDir())) {
      mayfly.run("terminate", "before");
    }
    if (disk != null) {
      sh("umount", "-l", disk.toString());
    }
  }

  @Test
  void aFullDiskAndAReadOnlyDiskGiveOneLineAndKeepTheRegistry() throws Exception {
    requireRoot();
    disk = Files.createDirectories(home.resolve("disk"));
    assertEquals(0, sh("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", disk.toString()));
    mayfly =
        new MayflyCli(home, TinyService.write(home.resolve("checkout")))
            .env("MAYFLY_HOME", disk.resolve("state").toString());
    MayflyCli.Result before = mayfly.run("launch", "tiny", "--name", "before");
    assertEquals(0, before.exit(), before::toString);
    Path file = disk.resolve("state/registry.mv.db");

    fill(disk.resolve("filler"));
    MayflyCli.Result full = mayfly.run("launch", "tiny", "--name", "full");
    assertEquals(1, full.exit(), full::toString);
    assertEquals(
        "mayfly: cannot write the registry " + file + ": no space left on device\n", full.err());
    assertFalse(
        Files.exists(disk.resolve("state/sandboxes/full")), "nothing created without its row");

    Files.delete(disk.resolve("filler"));
    MayflyCli.Result list = mayfly.run("list");
    assertEquals(0, list.exit(), list::toString);
    assertTrue(list.out().contains("before "), list::toString);
    assertFalse(list.out().contains("full "), list::toString);

    MayflyCli.Result terminate =
        mayfly.run("terminate", "before"); // a running service keeps files open
    assertEquals(0, terminate.exit(), terminate::toString);
    assertEquals(0, sh("mount", "-o", "remount,ro", disk.toString()));
    MayflyCli.Result readOnly = mayfly.run("list");
    assertEquals(1, readOnly.exit(), readOnly::toString);
    assertEquals(
        "mayfly: cannot write the registry " + file + ": read-only file system\n", readOnly.err());
  }

  @Test
  void anEmptyRegistryFileIsMovedAsideAndReportedNotReplacedSilently() throws Exception {
    mayfly = new MayflyCli(home, home);
    assertEquals(0, mayfly.run("list").exit());
    Path file = mayfly.stateDir().resolve(RegistryFile.FILE);
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.truncate(0);
    }
    MayflyCli.Result broken = mayfly.run("list");
    assertEquals(1, broken.exit(), broken::toString);
    assertTrue(
        Pattern.matches(
            "mayfly: the registry "
                + Pattern.quote(file.toString())
                + " is empty \\(0 bytes\\);"
                + " moved it aside to "
                + Pattern.quote(file + ".broken-")
                + "\\d{8}T\\d{6}Z and will start a new one on"
                + " the next command\\. Hosts it launched may still run: `mayfly reap --dry-run` finds them by their tags\n",
            broken.err()),
        broken.err());
    assertEquals(1, brokenFiles().size());
    assertEquals(0, Files.size(brokenFiles().get(0)), "the file itself is kept as it was");
    assertEquals(0, mayfly.run("list").exit(), "the next command starts afresh, as it said");
  }

  @Test
  void aTruncatedRegistryFileIsMovedAsideAsCorrupt() throws Exception {
    mayfly = new MayflyCli(home, home);
    assertEquals(0, mayfly.run("list").exit());
    Path file = mayfly.stateDir().resolve(RegistryFile.FILE);
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.truncate(100); // less than H2's file header
    }
    MayflyCli.Result broken = mayfly.run("list");
    assertEquals(1, broken.exit(), broken::toString);
    assertTrue(
        broken
            .err()
            .startsWith(
                "mayfly: the registry "
                    + file
                    + " is corrupt; moved it aside to "
                    + file
                    + ".broken-"),
        broken.err());
    assertEquals(1, broken.err().lines().count(), broken.err());
    assertEquals(100, Files.size(brokenFiles().get(0)));
  }

  @Test
  void aStateWordThisVersionDoesNotKnowIsListedNotACrash() throws Exception {
    mayfly = new MayflyCli(home, TinyService.write(home.resolve("checkout")));
    assertEquals(0, mayfly.run("launch", "tiny", "--name", "before").exit());
    Path state = mayfly.stateDir();
    try (Connection c =
            DriverManager.getConnection(
                Database.h2(state), "mayfly", Database.embedded(state).password());
        Statement st = c.createStatement()) {
      st.executeUpdate("UPDATE deployment SET state = 'hibernating' WHERE id = 'before'");
    }
    MayflyCli.Result list = mayfly.run("list");
    assertEquals(0, list.exit(), list::toString);
    assertTrue(
        list.out().lines().anyMatch(l -> l.startsWith("before ") && l.contains(" unknown ")),
        list::toString);
  }

  private List<Path> brokenFiles() throws IOException {
    try (Stream<Path> files = Files.list(mayfly.stateDir())) {
      return files
          .filter(f -> f.getFileName().toString().startsWith("registry.mv.db.broken-"))
          .toList();
    }
  }

  /** Writes until the disk says it is full. */
  private static void fill(Path filler) {
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(filler)) {
      for (int i = 0; i < 1_000; i++) {
        out.write(block);
        out.flush();
      }
      fail("the tmpfs never filled");
    } catch (IOException full) {
      assertTrue(String.valueOf(full.getMessage()).contains("No space left"), full.toString());
    }
  }

  private static void requireRoot() {
    boolean root = "root".equals(System.getProperty("user.name"));
    if (!root && "true".equals(System.getenv("CI"))) {
      fail("DurableRegistryIT must run as root on CI: it mounts a tmpfs");
    }
    if (!root) {
      System.err.println(
          "DurableRegistryIT: SKIPPED the disk checks: not root, cannot mount a tmpfs");
    }
    Assumptions.assumeTrue(root, "needs root to mount a tmpfs");
  }

  private static int sh(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).inheritIO().start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
