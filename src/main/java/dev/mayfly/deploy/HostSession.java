package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.host.HostShell;
import dev.mayfly.template.ShellQuote;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps mayfly runs on one host, through its shell and the host script. Each step throws
 * {@link StepFailed} naming itself, so the caller can report host + step + log tail.
 */
final class HostSession implements AutoCloseable {
  static final String SCRIPT = "bin/mayfly-host.sh";
  private static final byte[] SCRIPT_BODY = loadScript();

  private final HostShell shell;
  private final HostLog log;
  private final String root;
  /** True once {@code <root>/stage} exists: prepare made it. */
  private boolean prepared;

  private HostSession(HostShell shell, HostLog log, String root) {
    this.shell = shell;
    this.log = log;
    this.root = root;
  }

  /** Opens the session and resolves the root (a leading {@code ~/} is the remote user's home). */
  static HostSession open(HostShell shell, HostLog log, String root) {
    String resolved = root;
    if (root.startsWith("~/")) {
      String home;
      try {
        home = shell.home();
      } catch (MayflyException e) {
        home = null;
      }
      if (home == null) {
        throw new StepFailed("connect", "cannot read $HOME on " + shell.describe());
      }
      resolved = home + root.substring(1);
    }
    return new HostSession(shell, log, resolved);
  }

  String root() {
    return root;
  }

  void prepare() {
    log.step("prepare");
    shell.mkdirs(root + "/bin");
    shell.upload(SCRIPT_BODY, root + "/" + SCRIPT, 0700);
    step("prepare", Duration.ofMinutes(1));
    prepared = true;
  }

  void fetchService(String url, String commit, String ref) {
    step("fetch-service", Duration.ofMinutes(15), url, commit, ref);
  }

  /** Uploads a local file into {@code <root>/stage/}; returns its path on the host. */
  String stage(String step, java.nio.file.Path file, String name) {
    String dir = root + "/stage";
    if (!prepared) {
      log.step(step);
      shell.mkdirs(dir);
      prepared = true;
    }
    String path = dir + "/" + name;
    log.accept("mayfly: uploading " + file.getFileName() + " (" + size(file) + " bytes) to " + path);
    shell.upload(file, path, 0600);
    return path;
  }

  private static long size(java.nio.file.Path file) {
    try {
      return java.nio.file.Files.size(file);
    } catch (IOException e) {
      return -1;
    }
  }

  void writeEnv(String content) {
    log.step("configure");
    shell.upload(content.getBytes(java.nio.charset.StandardCharsets.UTF_8), root + "/mayfly.env", 0600);
  }

  void install(String command) {
    step("install", Duration.ofMinutes(30), command);
  }

  void publishData(String url, String commit, String ref, String publish, int keep) {
    step("publish-data", Duration.ofMinutes(15), url, commit, ref, publish, Integer.toString(keep));
  }

  void start(String command) {
    step("start", Duration.ofMinutes(2), command);
  }

  /** The data commit now live on the host, or empty if none. */
  String currentData() {
    List<String> out = new ArrayList<>();
    HostShell.ExecResult r = shell.exec(invocation("current-data"), Duration.ofMinutes(1), out::add);
    if (!r.ok()) {
      throw new StepFailed("current-data", "exit " + r.exitCode());
    }
    return out.isEmpty() ? "" : out.get(0).trim();
  }

  /** The data releases on the host, most recently published first. */
  List<String> releases() {
    List<String> out = new ArrayList<>();
    HostShell.ExecResult r = shell.exec(invocation("releases"), Duration.ofMinutes(1), out::add);
    if (!r.ok()) {
      throw new StepFailed("releases", "exit " + r.exitCode());
    }
    return out.stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  /** The last lines of the service's own log on the host, for a failed health check. */
  String serviceLogTail() {
    List<String> out = new ArrayList<>();
    shell.exec("tail -n 15 " + ShellQuote.quote(root + "/log/service.log") + " 2>/dev/null",
        Duration.ofSeconds(30), out::add);
    return String.join("\n", out);
  }

  /** Stops the service and removes the deployment root; the host itself stays. */
  void destroy() {
    step("destroy", Duration.ofMinutes(2));
  }

  private void step(String name, Duration timeout, String... args) {
    run(name, invocation(name, args), timeout);
  }

  private void run(String name, String command, Duration timeout) {
    log.step(name);
    HostShell.ExecResult r = shell.exec(command, timeout, log);
    if (r.timedOut()) {
      throw new StepFailed(name, "timed out after " + timeout.toMinutes() + " min");
    }
    if (!r.ok()) {
      throw new StepFailed(name, "exit " + r.exitCode());
    }
  }

  private String invocation(String step, String... args) {
    List<String> words = new ArrayList<>(List.of("sh", root + "/" + SCRIPT, root, step));
    words.addAll(List.of(args));
    return ShellQuote.join(words);
  }

  HostLog log() {
    return log;
  }

  @Override
  public void close() {
    shell.close();
  }

  private static byte[] loadScript() {
    try (InputStream in = HostSession.class.getResourceAsStream("mayfly-host.sh")) {
      if (in == null) {
        throw new MayflyException(MayflyException.Exit.INTERNAL, "mayfly-host.sh missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A host step that did not succeed. */
  static final class StepFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String step;

    StepFailed(String step, String message) {
      super(message);
      this.step = step;
    }
  }
}
