package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.MayflyProcess;
import dev.mayfly.testing.SshdHosts;
import dev.mayfly.testing.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret param launched over SSH (real sshd, {@link SshdHosts}) appears in exactly one place: the
 * host's {@code <root>/mayfly.env}, mode 0600. Scanned: every command line while the launch runs,
 * the environment of every process on the controller, every file under the test's home (state
 * folder, registry, logs, mayfly's output) and under the host's home, and the sshd logs; for a
 * healthy launch before terminate and for an installer that fails after reading the secret.
 *
 * <p>Process environments ON THE HOST are not required to be clean: mayfly exports mayfly.env into
 * the installer and the service by design, as their own configuration, and any process of the login
 * user could read that file anyway. What {@code ps} shows any user, command lines, is asserted
 * strictly everywhere.
 */
class SecretScanIT {
  private static Path shared;
  private static SshdHosts hosts;

  @TempDir Path home;

  @BeforeAll
  static void startHosts() throws IOException {
    shared = Files.createTempDirectory("mayfly-secrets-");
    hosts = SshdHosts.start(shared.resolve("hosts"), 1, 0);
  }

  @AfterAll
  static void stopHosts() {
    if (hosts != null) {
      hosts.close();
    }
    if (shared != null) {
      Trees.delete(shared);
    }
  }

  @AfterEach
  void leaveHostIdle() {
    hosts.host(0).killOthers();
  }

  @Test
  void healthyLaunchKeepsTheSecretInMayflyEnvAlone() throws Exception {
    String secret = "s3cr3t-" + UUID.randomUUID();
    // the installer proves it got the value (its hash) without writing the value anywhere
    Launch launch =
        launch(
            secret,
            "guarded",
            "printf %s {{admin_token}} | sha256sum > token.sha256 && sleep 3"
                + " && ./install.sh --title {{title}}");
    assertEquals(0, launch.exit, launch.output);
    Path root = hosts.host(0).home().resolve(".mayfly/guarded");
    assertTrue(
        Files.readString(inRelease(root, "token.sha256")).startsWith(sha256(secret)),
        "the installer read the secret");
    launch.samples.assertClean();
    assertOnlyInMayflyEnv(secret, root, launch.output);

    MayflyCli mayfly = new MayflyCli(home, home);
    List<String> outputs = new ArrayList<>();
    for (String[] args :
        List.of(
            new String[] {"status", "guarded"},
            new String[] {"status", "guarded", "-o", "json"},
            new String[] {"list", "--output", "json"})) {
      MayflyCli.Result r = mayfly.run(args);
      assertEquals(0, r.exit(), r::toString);
      outputs.add(r.out() + r.err());
    }
    assertTrue(outputs.get(0).contains("admin_token=(secret)"), outputs.get(0));
    for (String output : outputs) {
      assertFalse(
          output.contains(secret),
          () -> "secret printed: " + output.replace(secret, "<the secret>"));
    }
    assertEquals(0, mayfly.run("terminate", "guarded").exit());
    assertNowhere(secret, List.of(home, hosts.host(0).home().getParent()), null);
  }

  @Test
  void failingInstallerShowsItsLogTailButNotTheSecret() throws Exception {
    String secret = "s3cr3t-" + UUID.randomUUID();
    Launch launch =
        launch(
            secret,
            "broken",
            "printf %s {{admin_token}} | sha256sum > token.sha256 && sleep 3"
                + " && echo 'the installer refused the token' >&2 && exit 7",
            "--on-failure",
            "keep");
    assertEquals(1, launch.exit, launch.output);
    assertTrue(launch.output.contains("step install failed"), launch.output);
    assertTrue(
        launch.output.contains("the installer refused the token"),
        "the log tail is shown: " + launch.output);
    Path root = hosts.host(0).home().resolve(".mayfly/broken");
    assertTrue(
        Files.readString(inRelease(root, "token.sha256")).startsWith(sha256(secret)),
        "the installer read the secret");
    launch.samples.assertClean();
    assertOnlyInMayflyEnv(secret, root, launch.output);
    assertEquals(0, new MayflyCli(home, home).run("terminate", "broken").exit());
    assertNowhere(secret, List.of(home, hosts.host(0).home().getParent()), null);
  }

  // ---- helpers

  private record Launch(int exit, String output, Samples samples) {}

  /**
   * Launches over SSH as its own process, the secret in a 0600 param file, sampling processes until
   * it ends.
   */
  private Launch launch(String secret, String name, String install, String... extra)
      throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    Path template =
        demo.templateVariant(
            name,
            Files.readString(demo.template())
                .replace("name: qa-results", "name: " + name)
                .replace("install: ./install.sh --title {{title}}", "install: " + install)
                .replace(
                    "params:\n",
                    "params:\n  admin_token:\n    secret: true\n    required: true\n"));
    Path paramFile = home.resolve("secret.env");
    Files.writeString(paramFile, "admin_token=" + secret + "\n");
    Files.setPosixFilePermissions(paramFile, PosixFilePermissions.fromString("rw-------"));
    SshdHosts.Host host = hosts.host(0);
    List<String> args = new ArrayList<>(List.of(hosts.launchArgs(template, name, host)));
    args.addAll(List.of("--param-file", paramFile.toString()));
    args.addAll(List.of(extra));
    Samples samples = new Samples(secret, "--param-file " + paramFile);
    try (MayflyProcess process =
        MayflyProcess.start(home, demo.root(), args.toArray(String[]::new))) {
      long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (isAlive(process) && System.nanoTime() < end) {
        samples.take();
        Thread.sleep(300);
      }
      int exit = process.exit(Duration.ofSeconds(30));
      return new Launch(exit, process.out() + process.err(), samples);
    }
  }

  private static boolean isAlive(MayflyProcess process) {
    return ProcessHandle.of(process.pid()).map(ProcessHandle::isAlive).orElse(false);
  }

  /**
   * What {@code ps} and /proc showed during a launch. Command lines must never hold the secret;
   * environments must not on the controller (this network namespace), and are expected to on the
   * host (another one): that they are seen there proves the sampling reads environments at all.
   */
  private static final class Samples {
    private final String secret;
    private final String launchArgs;
    private final String controllerNet;
    private final Set<String> leaks = new LinkedHashSet<>();
    private int taken;
    private boolean launchSeen;
    private boolean hostEnvironSeen;

    Samples(String secret, String launchArgs) throws IOException {
      this.secret = secret;
      this.launchArgs = launchArgs;
      this.controllerNet = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
    }

    void take() throws IOException, InterruptedException {
      taken++;
      String ps =
          new String(
              new ProcessBuilder("ps", "-eww", "-o", "args")
                  .redirectErrorStream(true)
                  .start()
                  .getInputStream()
                  .readAllBytes(),
              StandardCharsets.UTF_8);
      launchSeen |= ps.contains(launchArgs);
      for (String line : ps.split("\n")) {
        if (line.contains(secret)) {
          leak("ps -eww -o args: " + line);
        }
      }
      try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
        for (Path proc : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
          if (read(proc.resolve("cmdline")).contains(secret)) {
            leak(proc + "/cmdline: " + read(proc.resolve("cmdline")).replace('\0', ' '));
          }
          if (read(proc.resolve("environ")).contains(secret)) {
            if (controllerNet.equals(net(proc))) {
              leak(
                  proc
                      + "/environ on the controller: "
                      + read(proc.resolve("cmdline")).replace('\0', ' '));
            } else {
              hostEnvironSeen = true;
            }
          }
        }
      }
    }

    /** Records where the secret showed, once per place, without repeating the secret itself. */
    private void leak(String where) {
      leaks.add(where.replace(secret, "<the secret>"));
    }

    void assertClean() {
      assertTrue(taken >= 3, "sampled only " + taken + " times");
      assertTrue(launchSeen, "ps never showed the launch");
      assertTrue(
          hostEnvironSeen,
          "no host process environment held the secret: the sampling missed the installer");
      assertEquals(Set.of(), leaks, "the secret showed in a process");
    }

    private static String net(Path proc) {
      try {
        return Files.readSymbolicLink(proc.resolve("ns/net")).toString();
      } catch (IOException e) {
        return "";
      }
    }

    /** A /proc file's bytes; empty for a process that ended meanwhile. */
    private static String read(Path file) {
      try {
        return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      } catch (IOException e) {
        return "";
      }
    }
  }

  /**
   * The secret is in the launch's output nowhere, and in files only in the root's 0600 mayfly.env.
   */
  /** {@code name} in the one service release of {@code root} (installed or not). */
  private static Path inRelease(Path root, String name) throws IOException {
    try (Stream<Path> releases = Files.list(root.resolve("service/releases"))) {
      return releases
          .filter(r -> !r.getFileName().toString().startsWith("."))
          .findFirst()
          .orElseThrow()
          .resolve(name);
    }
  }

  private void assertOnlyInMayflyEnv(String secret, Path root, String output) throws IOException {
    assertFalse(
        output.contains(secret),
        () -> "the launch printed the secret: " + output.replace(secret, "<the secret>"));
    Path env = root.resolve("mayfly.env");
    assertTrue(Files.readString(env).contains(secret), "mayfly.env holds the secret");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(env)));
    assertNowhere(secret, List.of(home, hosts.host(0).home().getParent()), env);
  }

  /**
   * Scans every file under {@code dirs} (the test's home: state folder, registry, logs, mayfly's
   * output; the hosts' folder: each host's home and sshd log) except {@code allowed} and the param
   * file the user wrote.
   */
  private void assertNowhere(String secret, List<Path> dirs, Path allowed) throws IOException {
    Path paramFile = home.resolve("secret.env");
    int scanned = 0;
    for (Path dir : dirs) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file :
            files.filter(f -> Files.isRegularFile(f) && !Files.isSymbolicLink(f)).toList()) {
          if (file.equals(allowed) || file.equals(paramFile)) {
            continue;
          }
          scanned++;
          assertFalse(contains(file, secret), "secret stored in clear in " + file);
        }
      }
    }
    assertTrue(scanned > 10, "scanned only " + scanned + " files");
  }

  private static boolean contains(Path file, String text) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    return new String(bytes, StandardCharsets.ISO_8859_1).contains(text)
        || new String(bytes, StandardCharsets.UTF_16BE).contains(text)
        || new String(bytes, StandardCharsets.UTF_16LE).contains(text);
  }

  private static String sha256(String text) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
  }
}
