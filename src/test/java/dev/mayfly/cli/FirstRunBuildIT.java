package dev.mayfly.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.testing.DemoCopy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `bin/mayfly` on a fresh checkout builds the jar first; with stderr in a pipe or log file, that
 * build writes no terminal codes, and the result answers `--version`.
 */
class FirstRunBuildIT {
  @TempDir Path home;

  @Test
  void firstRunBuildWritesNoEscapeCodesToANonTerminalStderr() throws Exception {
    Path checkout = home.resolve("checkout");
    for (String part : List.of("pom.xml", "bin", "src", "templates", "apps")) {
      copy(DemoCopy.PROJECT.resolve(part), checkout.resolve(part));
    }
    Path err = home.resolve("stderr.log");
    Process p =
        new ProcessBuilder(checkout.resolve("bin/mayfly").toString(), "--version")
            .redirectError(err.toFile())
            .redirectOutput(ProcessBuilder.Redirect.PIPE)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(15, TimeUnit.MINUTES), "the build finishes");
    String log = Files.readString(err);
    assertEquals(0, p.exitValue(), out + log);
    assertTrue(log.contains("mayfly: building "), log);
    assertFalse(log.contains("\u001b"), "no ESC in: " + log.replace("\u001b", "<ESC>"));
    assertTrue(out.matches("mayfly \\S+ \\(commit \\S+\\)\n"), out);
    assertTrue(Files.isRegularFile(checkout.resolve("target/man/man1/mayfly-launch.1")));
  }

  private static void copy(Path from, Path to) throws Exception {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
