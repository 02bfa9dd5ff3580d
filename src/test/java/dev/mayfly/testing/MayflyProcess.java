package dev.mayfly.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * mayfly's command line as its own process, as {@code bin/mayfly} runs it ({@code java -cp …
 * Main}), for what only a process shows: signals, exit codes the JVM sets, what {@code ps} sees.
 * Dependencies come from {@code target/classpath.txt}, written by the pom before tests run.
 */
public final class MayflyProcess implements AutoCloseable {
  private static final Path PROJECT = Path.of("").toAbsolutePath();
  private final Process process;
  private final Path out;
  private final Path err;

  private MayflyProcess(Process process, Path out, Path err) {
    this.process = process;
    this.out = out;
    this.err = err;
  }

  /**
   * Starts {@code mayfly ARGS} in {@code cwd} against {@code home}'s state folder; output goes to
   * files there.
   */
  public static MayflyProcess start(Path home, Path cwd, String... args) {
    String deps;
    try {
      deps = Files.readString(PROJECT.resolve("target/classpath.txt")).strip();
    } catch (IOException e) {
      throw new IllegalStateException(
          "target/classpath.txt missing: run the tests through Maven", e);
    }
    // as from a terminal: a build started in the background passes SIGINT on ignored, and a JVM
    // keeps it so
    List<String> command =
        new ArrayList<>(
            List.of(
                "env",
                "--default-signal=INT,TERM",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                PROJECT.resolve("target/classes") + File.pathSeparator + deps,
                "dev.mayfly.cli.Main"));
    command.addAll(List.of(args));
    Path out = home.resolve("process-" + System.nanoTime() + ".out");
    Path err = home.resolve("process-" + System.nanoTime() + ".err");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(cwd.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment().clear();
    pb.environment().put("HOME", home.toString());
    pb.environment().put("MAYFLY_HOME", home.resolve("state").toString());
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().put("TERM", "dumb");
    try {
      return new MayflyProcess(pb.start(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public long pid() {
    return process.pid();
  }

  /**
   * Sends a signal by name ({@code INT}, {@code TERM}) to the mayfly process alone, not its
   * children.
   */
  public void signal(String name) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
        .inheritIO()
        .start()
        .waitFor();
  }

  /**
   * True once {@code process} is gone, or a zombie nobody reaped yet; waits up to {@code limit}.
   */
  public static boolean ended(ProcessHandle process, Duration limit) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < end) {
      if (!process.isAlive() || zombie(process.pid())) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  private static boolean zombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException e) {
      return true;
    }
  }

  /** The processes it started that are still there. */
  public List<ProcessHandle> descendants() {
    return process.descendants().filter(ProcessHandle::isAlive).toList();
  }

  /**
   * Waits until {@code condition} holds; fails with the process's stderr after {@code limit} or if
   * it exits.
   */
  public void await(String what, Duration limit, BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "mayfly exited (" + process.exitValue() + ") before " + what + ":\n" + err());
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("no " + what + " within " + limit + ":\n" + err());
      }
      Thread.sleep(100);
    }
  }

  /** The exit code, waiting at most {@code limit}. */
  public int exit(Duration limit) throws InterruptedException {
    if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("mayfly still runs after " + limit + ":\n" + err());
    }
    return process.exitValue();
  }

  public String out() {
    return read(out);
  }

  public String err() {
    return read(err);
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
