package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.SshdHosts;
import dev.mayfly.testing.SshdHostsFixture;
import dev.mayfly.testing.Trees;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host roots against real OpenSSH servers ({@link SshdHosts}): mayfly works only in a root it made
 * for the deployment, proven by the root's marker, and removes no other. A host's {@code ~} is its
 * own folder; paths outside the home are this machine's, so roots there get a random name.
 */
class HostRootIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  /** The login's home as the hosts see it (each host mounts its own folder there). */
  private static final String REMOTE_HOME = System.getProperty("user.home");

  @RegisterExtension static final SshdHostsFixture hosts = new SshdHostsFixture(3, 0);

  @TempDir Path home;
  private DemoCopy demo;
  private MayflyCli mayfly;
  private Path outside;

  @BeforeEach
  void setUp() {
    demo = new DemoCopy(home.resolve("demo"));
    mayfly = new MayflyCli(home, home);
    outside =
        Path.of(
            "/var/tmp/mayfly-roots-it-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
  }

  @AfterEach
  void leaveHostsIdle() {
    hosts.idle(); // before the root outside home goes: nothing writes there any more
    Trees.delete(outside);
  }

  @Test
  void templateCheckRefusesASystemFolderAndAPathThatClimbsOutOfAPrefix() throws IOException {
    for (String root : new String[] {"/etc", "/opt/../etc"}) {
      Path file = demo.templateVariant("qa-results", demoYaml(root));
      MayflyCli.Result r = mayfly.run("template", "check", "--file", file.toString());
      assertEquals(2, r.exit(), r.toString());
      String line = r.err().lines().filter(l -> l.contains(file + ":")).findFirst().orElse(r.err());
      assertTrue(
          line.matches(".*qa-results\\.yaml:[0-9]+:7: root: '" + root.replace(".", "\\.") + "' .*"),
          line);
    }
  }

  @Test
  void anExistingFolderWithoutMarkerIsRefusedAtLaunchAndKeepsItsFiles() throws IOException {
    SshdHosts.Host host = hosts.host(0);
    Path folder = Files.createDirectories(host.home().resolve("shop"));
    Files.writeString(folder.resolve("notes.txt"), "the user's own");
    try {
      MayflyCli.Result r = launch("taken", "~/shop", host);
      assertEquals(1, r.exit(), r.toString());
      assertTrue(r.err().contains(host.login()), "names the host: " + r);
      assertTrue(
          r.err().contains("root " + REMOTE_HOME + "/shop exists and was not made by mayfly"),
          r.toString());
      assertEquals("the user's own", Files.readString(folder.resolve("notes.txt")));
      try (Stream<Path> files = Files.list(folder)) {
        assertEquals(1, files.count(), "nothing written into the folder");
      }
      assertEquals(
          0, mayfly.run("terminate", "taken").exit(), "a root never claimed is not destroyed");
      assertEquals("the user's own", Files.readString(folder.resolve("notes.txt")));
    } finally {
      Trees.delete(folder);
    }
  }

  @Test
  void aSecondDeploymentOnTheSameRootIsRefusedAlsoFromAnotherRegistry() throws Exception {
    SshdHosts.Host host = hosts.host(1);
    MayflyCli.Result first = launch("first", "~/shared", host);
    assertEquals(0, first.exit(), first.toString());

    MayflyCli.Result second = launch("second", "~/shared", host);
    assertEquals(1, second.exit(), second.toString());
    assertTrue(
        second
            .err()
            .contains("root " + REMOTE_HOME + "/shared belongs to another deployment (first"),
        second.toString());
    MayflyCli other = new MayflyCli(home.resolve("other"), home);
    MayflyCli.Result foreign = launch(other, "first", "~/shared", host);
    assertEquals(1, foreign.exit(), "same deployment name, another registry: " + foreign);
    assertTrue(foreign.err().contains("belongs to another deployment (first"), foreign.toString());

    assertTrue(get("http://" + host.address() + ":8080/").contains("QA"), "the first still serves");
    assertTrue(
        mayfly
            .run("list")
            .out()
            .lines()
            .anyMatch(l -> l.startsWith("first") && l.contains("running")),
        mayfly.run("list").out());
    assertEquals(0, mayfly.run("terminate", "first").exit());
    assertFalse(Files.exists(host.home().resolve("shared")), "the owner removes its root");
  }

  @Test
  void terminateRefusesARootWhoseMarkerNamesAnotherDeployment() throws IOException {
    SshdHosts.Host host = hosts.host(2);
    Path root = host.home().resolve("site");
    try {
      MayflyCli.Result r = launch("site", "~/site", host);
      assertEquals(0, r.exit(), r.toString());
      Files.writeString(
          root.resolve(".mayfly-root"), "deployment=intruder\nregistry=0123456789abcdef\n");

      MayflyCli.Result t = mayfly.run("terminate", "site");
      assertEquals(
          1,
          t.exit(),
          "a refused clean stop on a server mayfly does not end is a failed terminate: " + t);
      assertTrue(
          t.err().contains("root " + REMOTE_HOME + "/site belongs to another deployment (intruder"),
          t.toString());
      assertTrue(t.err().contains("mayfly removed nothing in it"), t.toString());
      assertTrue(Files.isDirectory(root.resolve("service")), "files intact");
      assertTrue(Files.isRegularFile(root.resolve("mayfly.env")), "files intact");
      assertFalse(host.otherProcesses().isEmpty(), "the service was not stopped either");
      String status = mayfly.run("status", "site").out();
      assertTrue(status.contains("destroy-failed"), "the refusal is on record");
      assertTrue(
          status.contains("terminate-failed"),
          "the deployment is not called terminated: " + status);
    } finally {
      Trees.delete(root);
    }
  }

  @Test
  void aRootOutsideTheTargetsPrefixesIsRefusedBeforeAnythingAndAllowedByRootPrefixes()
      throws Exception {
    SshdHosts.Host host = hosts.host(0);
    MayflyCli.Result refused = launch("outside", outside.toString(), host);
    assertEquals(2, refused.exit(), refused.toString());
    assertTrue(
        refused
            .err()
            .contains(
                "root: '"
                    + outside
                    + "' is not below a folder target ssh allows"
                    + " (/opt, /srv, ~)"),
        refused.toString());
    assertFalse(mayfly.run("list").out().contains("outside"), "nothing recorded");
    assertFalse(Files.exists(outside));

    Path targets = home.resolve("targets.yaml");
    Files.writeString(
        targets, "targets:\n  lab:\n    provider: ssh\n    root-prefixes: [/var/tmp]\n");
    mayfly.env("MAYFLY_TARGETS", targets.toString());
    MayflyCli.Result r =
        mayfly.run(
            "launch",
            "--file",
            demo.templateVariant("qa-results", demoYaml(outside.toString())).toString(),
            "--name",
            "inside",
            "--target",
            "lab",
            "--identity",
            hosts.userKey().toString(),
            "--host",
            host.login());
    assertEquals(0, r.exit(), r.toString());
    assertTrue(Files.isRegularFile(outside.resolve(".mayfly-root")), "the marker is in the root");
    assertEquals(0, mayfly.run("terminate", "inside").exit());
    assertFalse(Files.exists(outside), "a normal terminate leaves no root");
  }

  // ---- helpers

  private MayflyCli.Result launch(String name, String root, SshdHosts.Host host)
      throws IOException {
    return launch(mayfly, name, root, host);
  }

  private MayflyCli.Result launch(MayflyCli cli, String name, String root, SshdHosts.Host host)
      throws IOException {
    Path file = demo.templateVariant("qa-results", demoYaml(root));
    return cli.run(hosts.launchArgs(file, name, host));
  }

  private String demoYaml(String root) throws IOException {
    return Files.readString(demo.template()).replaceAll("(?m)^root:.*\\n", "")
        + "root: "
        + root
        + "\n";
  }

  private static String get(String url) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }
}
