package dev.mayfly.host;

import dev.mayfly.MayflyException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.LogOutputStream;
import org.apache.commons.exec.PumpStreamHandler;

/** A shell on this machine, working in a sandbox folder, through Commons Exec with a watchdog. */
public final class LocalShell implements HostShell {
  private final Path workDir;
  private final Map<String, String> environment;

  public LocalShell(Path workDir, Map<String, String> environment) {
    this.workDir = workDir;
    this.environment = Map.copyOf(environment);
  }

  @Override
  public ExecResult exec(String command, Duration timeout, Consumer<String> output) {
    CommandLine line = new CommandLine("/bin/sh").addArgument("-c").addArgument(command, false);
    TreeWatchdog watchdog = new TreeWatchdog(timeout);
    Consumer<String> serialized =
        l -> {
          synchronized (output) {
            output.accept(l);
          }
        };
    try (LineStream out = new LineStream(serialized);
        LineStream err = new LineStream(serialized)) {
      DefaultExecutor executor =
          DefaultExecutor.builder().setWorkingDirectory(workDir.toFile()).get();
      executor.setWatchdog(watchdog);
      executor.setExitValues(null);
      PumpStreamHandler streams = new PumpStreamHandler(out, err, InputStream.nullInputStream());
      // a background child that kept our pipes open must not hold the step after its shell exited
      streams.setStopTimeout(Duration.ofSeconds(2));
      executor.setStreamHandler(streams);
      int exit = executor.execute(line, environment);
      if (watchdog.fired()) {
        return new ExecResult(ExecResult.TIMED_OUT);
      }
      return new ExecResult(exit);
    } catch (IOException e) {
      throw MayflyException.failed(describe() + ": cannot run a shell: " + e.getMessage());
    }
  }

  /**
   * Kills the whole tree on timeout: killing only {@code sh} would leave its children running and
   * holding the output pipes open.
   */
  private static final class TreeWatchdog extends ExecuteWatchdog {
    private Process process;
    private boolean fired;

    @SuppressWarnings("deprecation") // the builder offers no way to subclass
    TreeWatchdog(Duration timeout) {
      super(timeout.toMillis());
    }

    @Override
    public synchronized void start(Process process) {
      this.process = process;
      super.start(process);
    }

    @Override
    public synchronized void timeoutOccured(org.apache.commons.exec.Watchdog w) {
      // our own flag: once the children die, sh may exit before the superclass looks, and it then
      // would not count the run as killed
      fired = true;
      if (process != null) {
        java.util.List<ProcessHandle> tree = process.descendants().toList();
        process.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
      }
      super.timeoutOccured(w);
    }

    synchronized boolean fired() {
      return fired;
    }
  }

  /** Splits a byte stream into lines for the caller's log. */
  private static final class LineStream extends LogOutputStream {
    private final Consumer<String> output;

    LineStream(Consumer<String> output) {
      super(0, StandardCharsets.UTF_8);
      this.output = output;
    }

    @Override
    protected void processLine(String line, int level) {
      output.accept(line);
    }
  }

  @Override
  public java.util.Optional<ProcessBuilder> terminal(String command, Path scratch) {
    ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command).directory(workDir.toFile());
    pb.environment().clear();
    pb.environment().putAll(environment);
    return java.util.Optional.of(pb.inheritIO());
  }

  @Override
  public void upload(byte[] content, String path, int mode) {
    Path target = workDir.resolve(path);
    try {
      Path temp = Files.createTempFile(target.getParent(), ".upload", ".tmp");
      Files.setPosixFilePermissions(temp, permissions(mode));
      try (OutputStream out = Files.newOutputStream(temp)) {
        out.write(content);
      }
      Files.move(
          temp,
          target,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw MayflyException.failed(describe() + ": cannot write " + path + ": " + e.getMessage());
    }
  }

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_READ
    };
    for (int bit = 0; bit < order.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        set.add(order[bit]);
      }
    }
    return set;
  }

  @Override
  public String describe() {
    return "local:" + workDir;
  }

  @Override
  public void close() {}
}
