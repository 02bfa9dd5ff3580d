package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.MayflyProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parameter values travel to hosts as data, never as shell text, and secrets stay secret. */
class ParamSafetyIT {
  @TempDir Path home;

  @Test
  void hostileValuesReachTheInstallerVerbatimAndExecuteNothing() throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    String marker = "/tmp/pwned-" + UUID.randomUUID();
    // the installer stores each argument it got, one file each, byte for byte
    String yaml =
        Files.readString(demo.template())
            .replace("name: qa-results", "name: echo-params")
            .replace(
                "install: ./install.sh --title {{title}}",
                "install: printf '%s' {{title}} > title.txt && printf '%s' \"$MAYFLY_PARAM_TITLE\" > env.txt"
                    + " && ./install.sh --title {{title}}");
    demo.templateVariant("echo-params", yaml);
    MayflyCli mayfly = new MayflyCli(home, demo.root());

    List<String> hostile =
        List.of(
            "'; touch " + marker + " #",
            "$(touch " + marker + ")",
            "`touch " + marker + "`",
            "line one\nline two; touch " + marker,
            "\"double\" and 'single' quotes \\ backslash",
            "${HOME} $PATH * ?");
    int n = 0;
    for (String value : hostile) {
      String id = "hostile-" + (++n);
      MayflyCli.Result launch =
          mayfly.run("launch", "echo-params", "--name", id, "--param", "title=" + value);
      assertEquals(0, launch.exit(), launch::toString);
      Path service =
          mayfly.stateDir().resolve("sandboxes").resolve(id).resolve("host-1/root/service/current");
      assertEquals(value, Files.readString(service.resolve("title.txt")), "argument for " + id);
      assertEquals(value, Files.readString(service.resolve("env.txt")), "environment for " + id);
      assertEquals(0, mayfly.run("terminate", id).exit());
    }
    assertFalse(Files.exists(Path.of(marker)), "no hostile value was executed");
  }

  @Test
  void secretParameterNeverReachesStatusListLogsOrTheRegistryFile() throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    String secret = "s3cr3t-" + UUID.randomUUID();
    String yaml =
        Files.readString(demo.template())
            .replace("name: qa-results", "name: with-secret")
            .replace(
                "install: ./install.sh --title {{title}}",
                "install: test -n {{admin_token}} && echo token received && ./install.sh --title {{title}}")
            .replace(
                "params:\n", "params:\n  admin_token:\n    secret: true\n    required: true\n");
    demo.templateVariant("with-secret", yaml);
    MayflyCli mayfly = new MayflyCli(home, demo.root());

    MayflyCli.Result launch =
        mayfly.run(
            "launch", "with-secret", "--name", "guarded", "--param", "admin_token=" + secret);
    assertEquals(0, launch.exit(), launch::toString);
    List<String> outputs = new ArrayList<>(List.of(launch.out(), launch.err()));
    for (String[] args :
        List.of(
            new String[] {"status", "guarded"},
            new String[] {"status", "guarded", "-o", "json"},
            new String[] {"list", "--output", "json"},
            new String[] {"list"},
            new String[] {"sync", "guarded"})) {
      MayflyCli.Result r = mayfly.run(args);
      assertEquals(0, r.exit(), r::toString);
      outputs.add(r.out());
      outputs.add(r.err());
    }
    assertTrue(
        outputs.get(2).contains("admin_token=(secret)"),
        "status shows that a secret is set: " + outputs.get(2));
    for (String output : outputs) {
      assertFalse(output.contains(secret), "secret printed: " + output);
    }
    // the clear value exists only in the host's mayfly.env, readable by its owner alone
    Path env = mayfly.stateDir().resolve("sandboxes/guarded/host-1/root/mayfly.env");
    assertTrue(Files.readString(env).contains(secret));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(env)));
    assertEquals(0, mayfly.run("terminate", "guarded").exit());
    try (Stream<Path> files = Files.walk(mayfly.stateDir())) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertFalse(contains(file, secret), "secret stored in clear in " + file);
      }
    }
  }

  @Test
  void secretFromAParamFileNeverShowsInAnyCommandLine() throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    String secret = "s3cr3t-" + UUID.randomUUID();
    demo.templateVariant(
        "slow-secret",
        Files.readString(demo.template())
            .replace("name: qa-results", "name: slow-secret")
            .replace(
                "install: ./install.sh --title {{title}}",
                "install: test -n {{admin_token}} && sleep 300")
            .replace(
                "params:\n", "params:\n  admin_token:\n    secret: true\n    required: true\n"));
    Path paramFile = home.resolve("secret.env");
    Files.writeString(paramFile, "admin_token=" + secret + "\n");
    Files.setPosixFilePermissions(paramFile, PosixFilePermissions.fromString("rw-------"));

    try (MayflyProcess launch =
        MayflyProcess.start(
            home,
            demo.root(),
            "launch",
            "slow-secret",
            "--name",
            "quiet",
            "--param-file",
            paramFile.toString())) {
      // the installer got the secret (test -n passed) and sleeps: the launch is in flight
      launch.await(
          "the installer",
          Duration.ofSeconds(90),
          () ->
              launch.descendants().stream()
                  .anyMatch(p -> p.info().command().map(c -> c.endsWith("/sleep")).orElse(false)));
      String ps =
          new String(
              new ProcessBuilder("ps", "-eww", "-o", "args")
                  .start()
                  .getInputStream()
                  .readAllBytes(),
              StandardCharsets.UTF_8);
      assertTrue(ps.contains("--param-file " + paramFile), "ps shows the launch:\n" + ps);
      assertFalse(ps.contains(secret), "the secret is in ps:\n" + ps);
      try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
        for (Path proc : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
          assertFalse(cmdline(proc).contains(secret), "the secret is in " + proc + "/cmdline");
        }
      }
      launch.signal("TERM");
      assertEquals(130, launch.exit(Duration.ofSeconds(60)), launch::err);
    }
  }

  /** A process's arguments, NUL-separated; empty for one that ended meanwhile. */
  private static String cmdline(Path proc) {
    try {
      return new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static boolean contains(Path file, String text) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    return new String(bytes, StandardCharsets.ISO_8859_1).contains(text)
        || new String(bytes, StandardCharsets.UTF_16BE).contains(text)
        || new String(bytes, StandardCharsets.UTF_16LE).contains(text);
  }
}
