package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.host.HostShell;
import dev.mayfly.template.ShellQuote;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps mayfly runs on one host, through its shell and the host script. Each step throws {@link
 * StepFailed} naming itself, so the caller can report host + step + log tail. The script works only
 * in a root whose marker names this deployment and registry: {@link #prepare} makes the root and
 * its marker, or refuses a root that exists without them, before anything is written there.
 */
final class HostSession implements AutoCloseable {
  static final String SCRIPT = "bin/mayfly-host.sh";
  private static final byte[] SCRIPT_BODY = loadScript();

  /** What the script's prepare prints once the root is this deployment's. */
  private static final String CLAIMED = "mayfly: root claimed";

  /** The script's exit code when the root is not this deployment's. */
  private static final int NOT_OURS = 3;

  /** The script's exit code when a step's git fetch failed (and nothing else did). */
  private static final int FETCH_FAILED = 4;

  private final HostShell shell;
  private final HostLog log;
  private final String root;
  private final String deploymentId;
  private final String registryId;

  /** True once {@code <root>/stage} exists: prepare made it. */
  private boolean prepared;

  /** True once the root is known to carry this deployment's marker. */
  private boolean claimed;

  private HostSession(
      HostShell shell, HostLog log, String root, String deploymentId, String registryId) {
    this.shell = shell;
    this.log = log;
    this.root = root;
    this.deploymentId = deploymentId;
    this.registryId = registryId;
  }

  /**
   * Opens the session and resolves the root (a leading {@code ~/} is the remote user's home).
   *
   * @param deploymentId and {@code registryId}: whose marker the root must carry
   */
  static HostSession open(
      HostShell shell, HostLog log, String root, String deploymentId, String registryId) {
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
    return new HostSession(shell, log, resolved, deploymentId, registryId);
  }

  String root() {
    return root;
  }

  String deploymentId() {
    return deploymentId;
  }

  /** The root once this session made it or found this deployment's marker in it, else null. */
  String claimedRoot() {
    return claimed ? root : null;
  }

  /**
   * Claims the root (creates it with its marker, or checks the marker), then puts the script there
   * and makes the root's folders: one command, its text given as its argument, so a launch costs no
   * separate upload or command for it.
   */
  void prepare() {
    log.step("prepare");
    owned("prepare", "prepare", new String(SCRIPT_BODY, StandardCharsets.UTF_8));
    prepared = true;
  }

  /** Exports {@code commit} into {@code service/releases/<release>}, git data kept outside it. */
  void fetchService(String url, String commit, String ref, String release, String serve) {
    step(
        "fetch-service",
        Duration.ofMinutes(15),
        url,
        commit,
        ref,
        release,
        serve == null ? "" : serve);
  }

  /** Uploads a local file into {@code <root>/stage/}; returns its path on the host. */
  String stage(String step, java.nio.file.Path file, String name) {
    String dir = root + "/stage";
    if (!prepared) {
      log.step(step);
      owned(step, "check");
      shell.mkdirs(dir);
      prepared = true;
    }
    String path = dir + "/" + name;
    log.accept(
        "mayfly: uploading " + file.getFileName() + " (" + size(file) + " bytes) to " + path);
    try {
      shell.upload(file, path, 0600);
    } catch (MayflyException e) {
      throw new MayflyException(
          e.exit(), e.getMessage() + afterFailedUpload(dir, path, size(file)));
    }
    return path;
  }

  /**
   * Removes what a failed upload left, so it does not fill the disk, and names a full disk as the
   * cause: SFTP reports only "Failure" for it.
   */
  private String afterFailedUpload(String dir, String path, long size) {
    List<String> df = new ArrayList<>();
    shell.exec(
        "rm -f " + ShellQuote.quote(path) + "; df -Pk " + ShellQuote.quote(dir) + " | tail -n 1",
        Duration.ofMinutes(1),
        df::add);
    String[] fields = df.isEmpty() ? new String[0] : df.get(df.size() - 1).trim().split("\\s+");
    if (fields.length >= 6
        && fields[3].matches("[0-9]+")
        && Long.parseLong(fields[3]) * 1024 < size) {
      return " (no space left on device: "
          + fields[3]
          + " KiB free on "
          + fields[5]
          + ", "
          + size / 1024
          + " KiB needed)";
    }
    return "";
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
    shell.upload(content.getBytes(StandardCharsets.UTF_8), root + "/mayfly.env", 0600);
  }

  /**
   * Uploads the template's rendered {@code files:} into {@code <root>/files/}, which every new
   * service release gets a copy of (mode 0600: they may hold parameter values).
   */
  void writeFiles(java.util.Map<String, String> files) {
    for (java.util.Map.Entry<String, String> f : files.entrySet()) {
      String path = root + "/files/" + f.getKey();
      shell.mkdirs(path.substring(0, path.lastIndexOf('/')));
      shell.upload(f.getValue().getBytes(StandardCharsets.UTF_8), path, 0600);
    }
  }

  /** Runs the installer in the release, then makes it the current one, keeping {@code keep}. */
  void install(String release, String command, int keep) {
    step("install", Duration.ofMinutes(30), release, command, Integer.toString(keep));
  }

  /** Switches {@code service/current} to an installed release (the service is not restarted). */
  void activateService(String release, String step) {
    run(step, invocation("activate-service", release), Duration.ofMinutes(1));
  }

  /** The installed service releases: the live one first, then the most recently live first. */
  List<String> serviceReleases() {
    return lines("service-releases");
  }

  /**
   * While the installer runs: makes the data release {@link #publishData} will switch to, or with a
   * publish command (which runs after the installer) only fetches its commit. Best effort: false
   * when it did not, and publishData then does all of it, reporting what fails. Its lines go to the
   * log beside the step's, not into the step's tail.
   */
  boolean fetchDataAhead(String url, String commit, String ref, String publish) {
    return shell
        .exec(
            invocation("fetch-data", url, commit, ref, publish), Duration.ofMinutes(15), log::aside)
        .ok();
  }

  void publishData(String url, String commit, String ref, String publish, int keep) {
    step("publish-data", Duration.ofMinutes(15), url, commit, ref, publish, Integer.toString(keep));
  }

  void start(String command) {
    step("start", Duration.ofMinutes(2), command);
  }

  /** Stops the service of this root; the root stays. */
  void stop() {
    step("stop", Duration.ofMinutes(2));
  }

  /**
   * A recycle's switch in one call on the host: stops the service of {@code oldRoot} (refused,
   * nothing stopped, unless it is a root of this deployment) and starts this root's at once.
   */
  void switchFrom(String oldRoot, String command) {
    step("switch", Duration.ofMinutes(2), oldRoot, command);
  }

  /**
   * The root's {@code mayfly.env}, parameter values included: read to configure a recycled root,
   * never logged.
   */
  String readEnv() {
    List<String> out = new ArrayList<>();
    HostShell.ExecResult r =
        shell.exec(
            "cat " + ShellQuote.quote(root + "/mayfly.env"), Duration.ofMinutes(1), out::add);
    if (!r.ok()) {
      throw new StepFailed(
          "configure", "cannot read " + root + "/mayfly.env: exit " + r.exitCode());
    }
    return String.join("\n", out) + "\n";
  }

  /**
   * The root's rendered {@code files:} (path in a release to text), none when it has no {@code
   * files/} folder; a recycle lays them over its new root.
   */
  java.util.Map<String, String> readFiles() {
    List<String> paths = new ArrayList<>();
    String dir = root + "/files";
    HostShell.ExecResult listed =
        shell.exec(
            "if [ -d "
                + ShellQuote.quote(dir)
                + " ]; then cd "
                + ShellQuote.quote(dir)
                + " && find . -type f; fi",
            Duration.ofMinutes(1),
            paths::add);
    if (!listed.ok()) {
      throw new StepFailed("configure", "cannot list " + dir + ": exit " + listed.exitCode());
    }
    java.util.Map<String, String> files = new java.util.LinkedHashMap<>();
    for (String found : paths) {
      String path = found.startsWith("./") ? found.substring(2) : found;
      List<String> text = new ArrayList<>();
      HostShell.ExecResult read =
          shell.exec("cat " + ShellQuote.quote(dir + "/" + path), Duration.ofMinutes(1), text::add);
      if (!read.ok()) {
        throw new StepFailed("configure", "cannot read " + dir + "/" + path);
      }
      files.put(path, String.join("\n", text) + "\n");
    }
    return files;
  }

  /** The data commit now live on the host, or empty if none. */
  String currentData() {
    List<String> out = new ArrayList<>();
    HostShell.ExecResult r =
        shell.exec(invocation("current-data"), Duration.ofMinutes(1), out::add);
    if (!r.ok()) {
      throw new StepFailed("current-data", "exit " + r.exitCode());
    }
    return out.isEmpty() ? "" : out.get(0).trim();
  }

  /** The data releases on the host, most recently published first. */
  List<String> releases() {
    return lines("releases");
  }

  private List<String> lines(String step) {
    List<String> out = new ArrayList<>();
    HostShell.ExecResult r = shell.exec(invocation(step), Duration.ofMinutes(1), out::add);
    if (!r.ok()) {
      throw new StepFailed(step, "exit " + r.exitCode());
    }
    return out.stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  /** The last lines of the service's own log on the host, for a failed health check. */
  String serviceLogTail() {
    List<String> out = new ArrayList<>();
    shell.exec(
        "tail -n 15 " + ShellQuote.quote(root + "/log/service.log") + " 2>/dev/null",
        Duration.ofSeconds(30),
        out::add);
    return String.join("\n", out);
  }

  /**
   * Stops the service and removes the deployment root; the host itself stays. Refused, with nothing
   * stopped or removed, when the root's marker is missing or names another deployment.
   */
  void destroy() {
    log.step("destroy");
    owned("destroy", "destroy");
  }

  /**
   * Like {@link #destroy}, and also ends and removes the other roots of this deployment a recycle
   * made beside this one ({@code <base>}, {@code <base>.rN}), as one killed half-way leaves them.
   */
  void destroyWithGenerations() {
    log.step("destroy");
    owned("destroy", "destroy", "generations");
  }

  /**
   * Ends and removes every root of this deployment beside this one ({@code <base>}, {@code
   * <base>.rN}, this root too) except {@code keep}: what a recycle killed half-way left. Roots of
   * other deployments are left alone.
   */
  void removeGenerationsExcept(String keep) {
    log.step("remove-strays");
    ownership("remove-strays", "remove-generations", keep);
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
    if (r.exitCode() == FETCH_FAILED) {
      throw new StepFailed(name, "exit " + r.exitCode() + " (git fetch failed)", true);
    }
    if (!r.ok()) {
      throw new StepFailed(name, "exit " + r.exitCode());
    }
  }

  /**
   * Runs an ownership step of the script ({@code claim}, {@code check}, {@code destroy}) from its
   * text, not from the root, which may not hold it yet (or hold another's). A refusal is the
   * script's own words.
   */
  private void owned(String name, String scriptStep, String... args) {
    ownership(name, scriptStep, args);
    claimed = true;
  }

  /** Runs {@code scriptStep} from the script's text; throws, naming {@code name}, on failure. */
  private void ownership(String name, String scriptStep, String... args) {
    String[] last = {""};
    List<String> words =
        new ArrayList<>(
            List.of(
                "sh",
                "-c",
                new String(SCRIPT_BODY, StandardCharsets.UTF_8),
                SCRIPT,
                root,
                deploymentId,
                registryId,
                scriptStep));
    words.addAll(List.of(args));
    HostShell.ExecResult r =
        shell.exec(
            ShellQuote.join(words),
            Duration.ofMinutes(2),
            line -> {
              log.accept(line);
              last[0] = line;
              // prepare goes on after the claim: a root it claimed is this deployment's to remove
              // even when a later part of the step fails
              if (line.equals(CLAIMED)) {
                claimed = true;
              }
            });
    if (r.timedOut()) {
      throw new StepFailed(name, "timed out after 2 min");
    }
    if (r.exitCode() == NOT_OURS) {
      throw new StepFailed(name, last[0].strip());
    }
    if (!r.ok()) {
      throw new StepFailed(
          name, "exit " + r.exitCode() + (last[0].isBlank() ? "" : ": " + last[0].strip()));
    }
  }

  private String invocation(String step, String... args) {
    List<String> words =
        new ArrayList<>(List.of("sh", root + "/" + SCRIPT, root, deploymentId, registryId, step));
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
        throw new MayflyException(
            MayflyException.Exit.INTERNAL, "mayfly-host.sh missing from the jar");
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

    /** The host could not fetch the repo: pushing a bundle instead may work. */
    final boolean fetchFailed;

    StepFailed(String step, String message) {
      this(step, message, false);
    }

    StepFailed(String step, String message, boolean fetchFailed) {
      super(message);
      this.step = step;
      this.fetchFailed = fetchFailed;
    }
  }
}
