package dev.mayfly.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.testing.DemoCopy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/mayfly's class-data archive: made once in a folder only this user can write, since the JVM
 * maps it as code; never taken from a folder others could have written to.
 */
class ClassDataArchiveIT {
  @TempDir Path cache;

  @Test
  void theArchiveIsMadeInAPrivateFolderAndNoCrashReportLandsInTheWorkingFolder() throws Exception {
    Path cwd = Files.createDirectories(cache.resolve("cwd"));
    assertEquals(0, version(cwd));
    Path folder = cache.resolve("mayfly/cds");
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
    assertEquals(1, files(folder, ".jsa").size(), "one archive for this checkout's jar");
    assertEquals(0, version(cwd), "and runs with it");
    assertEquals(List.of(), files(cwd, ""), "nothing written where the user stands");
  }

  @Test
  void aFolderOthersCanWriteIsNotUsed() throws Exception {
    Path folder = Files.createDirectories(cache.resolve("mayfly/cds"));
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertEquals(0, version(cache));
    assertEquals(List.of(), files(folder, ".jsa"), "no archive in a folder anyone could swap");
  }

  private int version(Path cwd) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(DemoCopy.PROJECT.resolve("bin/mayfly").toString(), "--version")
            .directory(cwd.toFile())
            .redirectErrorStream(true);
    pb.environment().put("XDG_CACHE_HOME", cache.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), out);
    assertTrue(out.startsWith("mayfly "), out);
    return p.exitValue();
  }

  private static List<Path> files(Path folder, String suffix) throws Exception {
    try (Stream<Path> list = Files.list(folder)) {
      return list.filter(p -> p.toString().endsWith(suffix)).toList();
    }
  }
}
