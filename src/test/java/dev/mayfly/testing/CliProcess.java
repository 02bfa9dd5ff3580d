package dev.mayfly.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * mayfly's command line as a process of its own ({@code java -cp target/classes:<deps>
 * dev.mayfly.cli.Main}), for tests about many processes sharing one state folder. The dependencies
 * come from {@code target/classpath.txt}, which the pom writes before tests run.
 */
public final class CliProcess {
  private CliProcess() {}

  /** The classpath of a mayfly process: the compiled classes and their dependencies. */
  public static String classpath() {
    Path file = DemoCopy.PROJECT.resolve("target/classpath.txt");
    try {
      return DemoCopy.PROJECT.resolve("target/classes")
          + File.pathSeparator
          + Files.readString(file).strip();
    } catch (IOException e) {
      throw new IllegalStateException(
          file + " missing: run the tests through Maven (mvn verify)", e);
    }
  }

  /**
   * Starts {@code mayfly args...} with exactly {@code env}; stdout and stderr go to files beside
   * {@code log}.
   */
  public static Process start(Map<String, String> env, Path cwd, Path log, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xshare:auto",
                "-cp",
                classpath(),
                "dev.mayfly.cli.Main"));
    command.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(cwd.toFile())
            .redirectOutput(log.resolveSibling(log.getFileName() + ".out").toFile())
            .redirectError(log.resolveSibling(log.getFileName() + ".err").toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    try {
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits (bounded) for a process started by {@link #start} and reads what it printed. */
  public static MayflyCli.Result finish(Process p, Path log, long seconds) {
    try {
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(
            "mayfly still running after " + seconds + "s: " + read(log, ".err"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return new MayflyCli.Result(p.exitValue(), read(log, ".out"), read(log, ".err"));
  }

  private static String read(Path log, String suffix) {
    try {
      return Files.readString(
          log.resolveSibling(log.getFileName() + suffix), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
