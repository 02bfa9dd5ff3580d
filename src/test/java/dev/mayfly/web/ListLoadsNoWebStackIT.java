package dev.mayfly.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mayfly list} stays fast: not one class of Javalin, Jetty or JTE is loaded by it. */
class ListLoadsNoWebStackIT {
  @Test
  void listLoadsNoWebClass(@TempDir Path home) throws Exception {
    Path project = Path.of("").toAbsolutePath();
    String cp =
        project.resolve("target/classes")
            + File.pathSeparator
            + Files.readString(project.resolve("target/classpath.txt")).strip();
    Path out = home.resolve("classes.txt");
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-verbose:class",
                "-cp",
                cp,
                "dev.mayfly.cli.Main",
                "list")
            .redirectErrorStream(true)
            .redirectOutput(out.toFile());
    pb.environment().put("MAYFLY_HOME", home.resolve("state").toString());
    Process p = pb.start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), Files.readString(out));
    String loaded = Files.readString(out);
    assertTrue(loaded.contains("dev.mayfly.cli.ListCommand"), "the class log is not there");
    for (String pkg :
        new String[] {"io.javalin.", "org.eclipse.jetty.", "gg.jte.", "dev.mayfly.web."}) {
      assertFalse(loaded.contains(" " + pkg), "mayfly list loaded " + pkg + "*");
    }
  }
}
