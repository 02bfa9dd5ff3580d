package dev.mayfly.faults;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A real {@code mayfly} process (its classes and {@code target/classpath.txt}), its stderr in a
 * file the test watches for progress lines, so it can be killed with SIGKILL in the middle of a
 * named step.
 */
public final class LaunchProcess implements AutoCloseable {
  private static final Path PROJECT = Path.of("").toAbsolutePath();
  private final Process process;
  private final Path log;

  private LaunchProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  public static LaunchProcess start(
      Map<String, String> env, Path cwd, Path log, String mainClass, List<String> args) {
    Path classpathFile = PROJECT.resolve("target/classpath.txt");
    String deps;
    try {
      deps = Files.readString(classpathFile).strip();
    } catch (IOException e) {
      throw new IllegalStateException(
          classpathFile + " missing: run the tests through Maven (mvn verify)", e);
    }
    String classpath =
        String.join(
            File.pathSeparator,
            PROJECT.resolve("target/classes").toString(),
            PROJECT.resolve("target/test-classes").toString(),
            deps);
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classpath,
                mainClass));
    command.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(cwd.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().clear();
    pb.environment().putAll(env);
    try {
      return new LaunchProcess(pb.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String output() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits until its output matches {@code line}; fails with the output if it exits first or after
   * the limit.
   */
  public void awaitLine(Pattern line, Duration limit) {
    long end = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < end) {
      if (line.matcher(output()).find()) {
        return;
      }
      if (!process.isAlive()) {
        throw new AssertionError(
            "mayfly exited ("
                + process.exitValue()
                + ") before printing /"
                + line
                + "/:\n"
                + output());
      }
      sleep(20);
    }
    throw new AssertionError("no line /" + line + "/ within " + limit + ":\n" + output());
  }

  /** SIGKILL: no shutdown hook, no finally block runs. */
  public void kill9() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new AssertionError("mayfly survived SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill9();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
