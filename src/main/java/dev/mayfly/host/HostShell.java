package dev.mayfly.host;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * A shell on one host: the only way the pipeline touches a machine, whether it is a sandbox folder
 * here or a server over SSH. Commands are POSIX shell text; every value inside them is quoted by
 * the caller with {@code ShellQuote}.
 */
public interface HostShell extends AutoCloseable {

  /**
   * Runs {@code command} with {@code sh -c}, streaming each output line (stdout and stderr merged)
   * to {@code output}; returns when it exits or {@code timeout} passes (then the command is killed
   * and the exit code is {@link ExecResult#TIMED_OUT}).
   */
  ExecResult exec(String command, Duration timeout, Consumer<String> output);

  /**
   * Writes {@code content} to {@code path} on the host (parents must exist) with POSIX {@code
   * mode}.
   */
  void upload(byte[] content, String path, int mode);

  /**
   * Copies the local {@code file} to {@code path} on the host with POSIX {@code mode}; for big
   * files.
   */
  default void upload(java.nio.file.Path file, String path, int mode) {
    try {
      upload(java.nio.file.Files.readAllBytes(file), path, mode);
    } catch (java.io.IOException e) {
      throw dev.mayfly.MayflyException.failed("cannot read " + file + ": " + e.getMessage());
    }
  }

  /**
   * A process here that gives the user's terminal an interactive {@code command} on the host, with
   * this shell's login and the host key this shell verified (system {@code ssh} with only that key
   * known and strict checking); empty when this shell cannot offer one.
   *
   * @param scratch a private folder for the known-hosts file
   */
  default java.util.Optional<ProcessBuilder> terminal(String command, java.nio.file.Path scratch) {
    return java.util.Optional.empty();
  }

  /**
   * The login user's home folder, or null when it cannot be read. The default asks the shell for
   * {@code $HOME}; an implementation may answer without starting a process.
   */
  default String home() {
    java.util.List<String> out = new java.util.ArrayList<>();
    ExecResult r = exec("printf '%s\\n' \"$HOME\"", Duration.ofSeconds(30), out::add);
    return r.ok() && !out.isEmpty() ? out.get(0) : null;
  }

  /**
   * Creates the folder {@code path} and its missing parents, like {@code mkdir -p} (default mode,
   * so the user's umask applies); throws {@code MayflyException} when it cannot. The default runs
   * {@code mkdir -p}; an implementation may do it without starting a process.
   */
  default void mkdirs(String path) {
    java.util.List<String> out = new java.util.ArrayList<>();
    ExecResult r =
        exec("mkdir -p '" + path.replace("'", "'\\''") + "'", Duration.ofMinutes(1), out::add);
    if (!r.ok()) {
      throw dev.mayfly.MayflyException.failed(
          describe()
              + ": cannot create "
              + path
              + ": "
              + (r.timedOut() ? "timed out" : String.join(" ", out)));
    }
  }

  /** How to name this host in messages: {@code user@host:port} or {@code local:/path}. */
  String describe();

  @Override
  void close();

  record ExecResult(int exitCode) {
    public static final int TIMED_OUT = -1;

    public boolean ok() {
      return exitCode == 0;
    }

    public boolean timedOut() {
      return exitCode == TIMED_OUT;
    }
  }
}
