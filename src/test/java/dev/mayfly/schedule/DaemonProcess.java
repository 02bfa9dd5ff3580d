package dev.mayfly.schedule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code mayfly daemon} process: {@code java -cp target/classes:<deps> dev.mayfly.cli.Main
 * daemon}, the dependencies read from {@code target/classpath.txt} (written by the pom before tests
 * run). Its stderr goes to a log file the test reads.
 */
public final class DaemonProcess implements AutoCloseable {
  /** Settings that make a daemon react in seconds (expiries, syncs, retries); reaping hourly. */
  public static final List<String> FAST =
      List.of(
          "--poll",
          "1s",
          "--misfire",
          "1s",
          "--reconcile",
          "1s",
          "--checkin",
          "1s",
          "--retry-base",
          "1s",
          "--retry-max",
          "3s",
          "--sync-every",
          "2s",
          "--reap-every",
          "1h",
          "--shutdown-grace",
          "5s");

  private static final Path PROJECT = Path.of("").toAbsolutePath();
  private final Process process;
  private final Path log;

  private DaemonProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts a daemon and waits (bounded) until it says it started. */
  public static DaemonProcess start(Map<String, String> env, Path log, String... args) {
    Path classpathFile = PROJECT.resolve("target/classpath.txt");
    String deps;
    try {
      deps = Files.readString(classpathFile).strip();
    } catch (IOException e) {
      throw new IllegalStateException(
          classpathFile
              + " missing: run the tests through Maven (mvn verify), which"
              + " writes it in generate-test-resources",
          e);
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                PROJECT.resolve("target/classes") + java.io.File.pathSeparator + deps,
                "dev.mayfly.cli.Main",
                "daemon"));
    command.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().clear();
    pb.environment().putAll(env);
    try {
      DaemonProcess daemon = new DaemonProcess(pb.start(), log);
      daemon.awaitLog("daemon started", Duration.ofSeconds(60));
      return daemon;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the log contains {@code text}; fails after {@code limit}, showing the log. */
  public void awaitLog(String text, Duration limit) {
    await(
        "log line '" + text + "'",
        limit,
        () -> {
          if (log().contains(text)) {
            return true;
          }
          if (!process.isAlive()) {
            throw new AssertionError(
                "the daemon exited ("
                    + process.exitValue()
                    + ") before logging '"
                    + text
                    + "':\n"
                    + log());
          }
          return false;
        });
  }

  /** How often {@code regex} matches the log. */
  int count(String regex) {
    Matcher m = Pattern.compile(regex).matcher(log());
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** SIGKILL: no shutdown hook, no chance to release its triggers. */
  void kill9() {
    process.destroyForcibly();
    waitFor(Duration.ofSeconds(10));
  }

  /**
   * SIGKILL to the daemon and to the host steps it runs, as a cgroup kill (systemd, the OOM
   * killer's group kill) would: nothing of it finishes what it started.
   */
  void kill9WithHostSteps() {
    List<ProcessHandle> steps = hostSteps();
    kill9();
    steps.forEach(ProcessHandle::destroyForcibly);
  }

  /** The processes the daemon started that are still running: on a local target, its host steps. */
  public List<ProcessHandle> hostSteps() {
    return process.descendants().toList();
  }

  public boolean alive() {
    return process.isAlive();
  }

  private void waitFor(Duration limit) {
    try {
      process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * SIGTERM, as systemd's stop sends; waits up to {@code limit} for the exit.
   *
   * @return its exit code, or empty when it is still running (the caller's close kills it)
   */
  public java.util.OptionalInt terminate(Duration limit) {
    process.destroy();
    waitFor(limit);
    return process.isAlive()
        ? java.util.OptionalInt.empty()
        : java.util.OptionalInt.of(process.exitValue());
  }

  /** SIGTERM, then SIGKILL if it is still there after the shutdown grace. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      waitFor(Duration.ofSeconds(20));
      process.destroyForcibly();
      waitFor(Duration.ofSeconds(5));
    }
  }

  /**
   * The one polling helper of these tests: checks every 200 ms, fails with the daemon log after the
   * limit.
   */
  void await(String what, Duration limit, java.util.function.BooleanSupplier condition) {
    Waits.await(what, limit, condition, this::log);
  }
}
