package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.cli.Main;
import dev.mayfly.testing.SshdHosts;
import dev.mayfly.testing.SshdHostsFixture;
import dev.mayfly.testing.Trees;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.Daemon;
import org.eclipse.jgit.transport.resolver.RepositoryResolver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ssh target against real OpenSSH servers, each in its own network namespace ({@link
 * SshdHosts}): hosts 0-2 for launches, host 3 for host-key changes, host 4 behind a firewall that
 * drops SSH packets, and one address where nothing listens.
 */
class SshLaunchIT {
  private static final Path PROJECT = Path.of("").toAbsolutePath();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  @RegisterExtension static final SshdHostsFixture hosts = new SshdHostsFixture(5, 1);

  @TempDir Path home;

  @BeforeAll
  static void prepareHosts() {
    hosts.host(4).dropPort(22);
  }

  @Test
  void launchesTheDemoOnThreeHostsAndEachAnswersAtItsOwnAddress() throws Exception {
    Path template = demo("qa-results", "");
    Result r =
        mayfly(
            "launch",
            "--file",
            template.toString(),
            "--name",
            "three",
            "--target",
            "ssh",
            "--identity",
            hosts.userKey().toString(),
            "--host",
            hosts.host(0).login(),
            "--host",
            hosts.host(1).login(),
            "--host",
            hosts.host(2).login(),
            "-p",
            "title=Three hosts");
    assertEquals(0, r.exit, r.toString());
    for (int i = 0; i < 3; i++) {
      String body = get("http://" + hosts.host(i).address() + ":8080/");
      assertTrue(body.contains("Three hosts"), "host " + i + " page: " + body);
      assertTrue(r.err.contains(hosts.host(i).login()), "summary names every host: " + r.err);
    }
    assertTrue(r.err.contains("fetch-service"), "one progress line per host and step: " + r.err);
    Result status = mayfly("status", "three", "--output", "json");
    assertEquals(3, count(status.out, "\"healthy\""), status.toString());
    assertTrue(
        status.out.contains("pushed a bundle (the repo is a folder on this machine)"),
        "a folder on the controller reaches hosts as a bundle: " + status.out);
  }

  @Test
  void terminateStopsTheServiceAndRemovesTheRootButLeavesTheServer() throws Exception {
    SshdHosts.Host host = hosts.host(0);
    Result r = mayfly(hosts.launchArgs(demo("qa-results", ""), "brief", host));
    assertEquals(0, r.exit, r.toString());
    Path root = host.home().resolve(".mayfly/brief");
    assertTrue(Files.isDirectory(root.resolve("data/current")), "deployment root on the host");
    assertFalse(host.otherProcesses().isEmpty(), "the service runs on the host");

    Result t = mayfly("terminate", "brief");
    assertEquals(0, t.exit, t.toString());
    assertFalse(Files.exists(root), "root removed");
    List<Long> left = host.otherProcesses();
    assertEquals(List.of(), left, "no service process left: " + host.describe(left));
    assertTrue(Files.isDirectory(host.home()), "the server and its home stay");
  }

  @Test
  void changedHostKeyStopsLaunchAndTerminateAndShowsBothFingerprints() throws Exception {
    SshdHosts.Host host = hosts.host(3);
    String before = host.fingerprint();
    Result first = mayfly(hosts.launchArgs(demo("qa-results", ""), "pinned", host));
    assertEquals(0, first.exit, first.toString());

    host.replaceHostKey();
    String after = host.fingerprint();
    Result terminate = mayfly("terminate", "pinned");
    assertTrue(
        terminate.err.contains(before) && terminate.err.contains(after),
        "terminate names both fingerprints: " + terminate);
    assertTrue(
        Files.isDirectory(host.home().resolve(".mayfly/pinned")),
        "nothing was done on the changed host");
    assertEquals(1, terminate.exit, "the service still runs there: not terminated " + terminate);
    assertTrue(
        terminate.err.contains("terminate-failed") || terminate.err.contains(host.login()),
        terminate.toString());
    assertTrue(
        mayfly("status", "pinned", "--output", "json")
            .out
            .contains("\"state\" : \"terminate-failed\""));
    assertFalse(host.otherProcesses().isEmpty(), "the service runs on");

    Result again = mayfly(hosts.launchArgs(demo("qa-results", ""), "again", host));
    assertEquals(1, again.exit, again.toString());
    assertTrue(
        again.err.contains("CHANGED") && again.err.contains(before) && again.err.contains(after),
        again.toString());

    // its owner confirms the rebuild: a repeated terminate finishes the job
    assertEquals(0, mayfly("forget-host", host.address()).exit);
    Result retry = mayfly("terminate", "pinned");
    assertEquals(0, retry.exit, retry.toString());
    assertFalse(Files.exists(host.home().resolve(".mayfly/pinned")), "root removed");
    assertEquals(List.of(), host.otherProcesses(), "no service process left");
    assertTrue(
        mayfly("status", "pinned", "--output", "json").out.contains("\"state\" : \"terminated\""));
  }

  @Test
  void wrongUserKeyGivesAnAuthenticationErrorNamingUserHostAndPort() throws Exception {
    Path stranger = home.resolve("stranger_ed25519");
    new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger.toString())
        .inheritIO()
        .start()
        .waitFor();
    Result r =
        mayfly(
            "launch",
            "--file",
            demo("qa-results", "").toString(),
            "--target",
            "ssh",
            "--identity",
            stranger.toString(),
            "--host",
            hosts.host(1).login());
    assertEquals(1, r.exit, r.toString());
    assertTrue(
        r.err.contains("ssh " + hosts.host(1).login() + ":22: authentication failed"),
        r.toString());
    assertTrue(r.err.contains(stranger.toString()), "names the key offered: " + r);
  }

  /** The demo launched on {@code host} with {@code --ssh-timeout 3s}, after {@code options}. */
  private Result launchWithSshTimeout3s(
      SshdHosts.Host host, Map<String, String> env, String... options) throws IOException {
    List<String> args = new ArrayList<>(List.of(options));
    args.addAll(
        List.of(
            "launch",
            "--file",
            demo("qa-results", "").toString(),
            "--target",
            "ssh",
            "--identity",
            hosts.userKey().toString(),
            "--host",
            host.login(),
            "--ssh-timeout",
            "3s"));
    return mayfly(env, args.toArray(String[]::new));
  }

  @Test
  void hostThatNeverAnswersTimesOutWithOneClearLine() throws Exception {
    SshdHosts.Host silent = hosts.host(5);
    long start = System.nanoTime();
    Result r = launchWithSshTimeout3s(silent, Map.of());
    long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
    assertEquals(1, r.exit, r.toString());
    assertTrue(
        r.err.contains("ssh " + silent.login() + ":22: no SSH login within 3s"), r.toString());
    assertTrue(seconds < 30, "bounded by --ssh-timeout, took " + seconds + "s");
  }

  @Test
  void aLoginThatKeepsRetryingPrintsALineAndHeartbeatsWithElapsedTimeAndWhy() throws Exception {
    SshdHosts.Host silent = hosts.host(5);
    Result r = launchWithSshTimeout3s(silent, Map.of("MAYFLY_HEARTBEAT_MS", "300"), "--verbose");
    assertEquals(1, r.exit, r.toString());
    String wait = "ssh login to " + silent.login() + ":22";
    assertTrue(r.err.contains("waiting for " + wait + ", up to 3s\n"), r.toString());
    var beat =
        Pattern.compile(
                "still waiting for " + Pattern.quote(wait) + ": \\d+\\.\\ds so far, last: (.+)\n")
            .matcher(r.err);
    int beats = 0;
    while (beat.find()) {
      beats++;
      assertFalse(beat.group(1).isBlank(), "a heartbeat says why the login failed: " + r);
    }
    // about 3 s of retries at a 0.3 s beat: even a loaded machine shows several
    assertTrue(beats >= 3, "heartbeats while the login retried: " + r);
    assertTrue(r.err.contains("gave up waiting for " + wait + " after "), r.toString());
  }

  @Test
  void hostThatDropsPacketsTimesOutWithinTheBoundNamingUserHostPortAndWhy() throws Exception {
    SshdHosts.Host dropping = hosts.host(4);
    long start = System.nanoTime();
    Result r = launchWithSshTimeout3s(dropping, Map.of());
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals(1, r.exit, r.toString());
    assertTrue(
        r.err.contains("ssh " + dropping.login() + ":22: no SSH login within 3s"), r.toString());
    assertTrue(r.err.contains("timed out"), "says why: the connection attempt timed out: " + r);
    // sshd runs there: only the dropped packets stop the login, and the launch waits for
    // --ssh-timeout, no longer
    assertTrue(seconds >= 3, "waited the whole --ssh-timeout, took " + seconds + "s");
    assertTrue(
        seconds < 10,
        "bounded by --ssh-timeout 3s (plus the launch's own work), took " + seconds + "s");
  }

  @Test
  void installerFailingOnOneOfThreeHostsLeavesTheOtherTwoHealthyAndReported() throws Exception {
    Files.writeString(hosts.host(1).home().resolve("fail-install"), "");
    try {
      Path template =
          demo(
              "flaky",
              "  install: test ! -e \"$HOME/fail-install\" && ./install.sh --title {{title}}\n");
      Result r =
          mayfly(
              "launch",
              "--file",
              template.toString(),
              "--name",
              "flaky",
              "--target",
              "ssh",
              "--identity",
              hosts.userKey().toString(),
              "--host",
              hosts.host(0).login(),
              "--host",
              hosts.host(1).login(),
              "--host",
              hosts.host(2).login(),
              "--on-failure",
              "keep");
      assertEquals(1, r.exit, r.toString());
      assertTrue(r.err.contains(hosts.host(1).login() + ": step install failed"), r.toString());
      assertEquals(2, count(r.err, "  healthy "), "summary shows the two healthy hosts: " + r.err);
      assertTrue(get("http://" + hosts.host(0).address() + ":8080/").contains("QA"));
      assertTrue(get("http://" + hosts.host(2).address() + ":8080/").contains("QA"));
      Result status = mayfly("status", "flaky", "--output", "json");
      assertEquals(2, count(status.out, "\"healthy\""), status.toString());
      assertEquals(0, mayfly("terminate", "flaky").exit);

      // without keep, the failed launch cleans every server it touched
      Result ended =
          mayfly(
              "launch",
              "--file",
              template.toString(),
              "--name",
              "flaky-ended",
              "--target",
              "ssh",
              "--identity",
              hosts.userKey().toString(),
              "--host",
              hosts.host(0).login(),
              "--host",
              hosts.host(1).login(),
              "--host",
              hosts.host(2).login());
      assertEquals(1, ended.exit, ended.toString());
      assertTrue(ended.err.contains("every host of the failed launch ended"), ended.toString());
      for (int i = 0; i < 3; i++) {
        SshdHosts.Host host = hosts.host(i);
        assertFalse(
            Files.exists(host.home().resolve(".mayfly/flaky-ended")), "root removed on host " + i);
        assertEquals(List.of(), host.otherProcesses(), "no service left on host " + i);
      }
    } finally {
      Files.deleteIfExists(hosts.host(1).home().resolve("fail-install"));
    }
  }

  @Test
  void repoOnlyTheControllerCanReachIsPushedAsABundle() throws Exception {
    Path repos = home.resolve("repos");
    gitRepo(PROJECT.resolve("apps/qa-results/service"), repos.resolve("service.git"));
    Daemon daemon = new Daemon(new java.net.InetSocketAddress("127.0.0.1", 0));
    daemon.getService("git-upload-pack").setEnabled(true);
    daemon.setRepositoryResolver(
        (RepositoryResolver<org.eclipse.jgit.transport.DaemonClient>)
            (client, name) -> {
              try {
                return Git.open(repos.resolve(name).toFile()).getRepository();
              } catch (IOException e) {
                throw new org.eclipse.jgit.errors.RepositoryNotFoundException(name, e);
              }
            });
    daemon.start();
    try {
      // 127.0.0.1 inside a host's namespace is the host itself: only this machine reaches the
      // daemon
      String url = "git://127.0.0.1:" + daemon.getAddress().getPort() + "/service.git";
      Path template = demo("hidden", "  repo: " + url + "\n  ref: main\n");
      Result r = mayfly(hosts.launchArgs(template, "hidden", hosts.host(2)));
      assertEquals(0, r.exit, r.toString());
      Result status = mayfly("status", "hidden", "--output", "json");
      assertTrue(
          status.out.contains(
              "service.repo: pushed a bundle (the host could not fetch " + url + ")"),
          status.out);
    } finally {
      daemon.stop();
    }
  }

  @Test
  void aPushedSyncCarriesOnlyWhatTheHostLacksAndTheWholeHistoryWhenItLacksMore() throws Exception {
    SshdHosts.Host host = hosts.host(1);
    Path template = demo("delta", "");
    Path data = home.resolve("demo/apps/qa-results/data");
    String first;
    try (Git git = Git.init().setInitialBranch("main").setDirectory(data.toFile()).call()) {
      first = commitAll(git, "first");
      Result r = mayfly(hosts.launchArgs(template, "delta", host));
      assertEquals(0, r.exit, r.toString());

      Files.writeString(data.resolve("runs/2026-11-22-nightly.json"), "[]");
      String second = commitAll(git, "second");
      Result sync = mayfly("sync", "delta");
      assertEquals(0, sync.exit, sync.toString());
      String history = mayfly("status", "delta", "--output", "json").out;
      assertTrue(
          history.contains(
              "data.repo: pushed a bundle of the commits after " + first.substring(0, 12)),
          history);
      assertTrue(history.contains("data at " + second), history);

      // a host whose repo lost that commit (rebuilt by hand, pruned) refuses the small bundle
      String repo = host.homePath(".mayfly/delta/data/repo.git");
      host.inside("rm -rf \"$1\" && git init -q --bare \"$1\"", repo);
      Files.writeString(data.resolve("runs/2026-11-23-nightly.json"), "[]");
      String third = commitAll(git, "third");
      Result again = mayfly("sync", "delta");
      assertEquals(0, again.exit, again.toString());
      history = mayfly("status", "delta", "--output", "json").out;
      assertTrue(
          history.contains("data.repo: pushed a bundle (the repo is a folder on this machine)"),
          history);
      assertTrue(history.contains("data at " + third), history);
    }
  }

  @Test
  void aSyncedReleaseSharesUnchangedFilesAndNeverChangesTheOldRelease() throws Exception {
    SshdHosts.Host host = hosts.host(2);
    Path template = demo("shared", "");
    // no publish command: each release is exactly its commit's tree, the case releases share in
    Files.writeString(
        template,
        Files.readString(template)
            .replaceFirst("(?m)^  publish: .*\n", "")
            .replace("keep: 3", "keep: 2"));
    Path data = home.resolve("demo/apps/qa-results/data");
    Path changed = data.resolve("runs/2026-11-21-nightly.json");
    String before = Files.readString(changed);
    assertEquals(0, mayfly(hosts.launchArgs(template, "shared", host)).exit);
    String releases = host.homePath(".mayfly/shared/data/releases");
    String first = currentRelease(host, "shared");

    Files.writeString(changed, "{\"suite\":\"changed\",\"cases\":[]}");
    Result sync = mayfly("sync", "shared");
    assertEquals(0, sync.exit, sync.toString());
    String second = currentRelease(host, "shared");
    assertFalse(first.equals(second), "a new release: " + sync);
    String[] old = {releases + "/" + first, releases + "/" + second};
    assertEquals(before, host.inside("cat \"$1/runs/2026-11-21-nightly.json\"", old[0]));
    assertEquals(
        Files.readString(changed), host.inside("cat \"$1/runs/2026-11-21-nightly.json\"", old[1]));
    assertEquals(inode(host, old[0] + "/README.md"), inode(host, old[1] + "/README.md"));
    assertFalse(
        inode(host, old[0] + "/runs/2026-11-21-nightly.json")
            .equals(inode(host, old[1] + "/runs/2026-11-21-nightly.json")),
        "the changed file is a new file, not a write into the old release's");

    // a rollback switches to the old release, whose content is the old commit's
    Result back = mayfly("rollback", "shared");
    assertEquals(0, back.exit, back.toString());
    assertEquals(first, currentRelease(host, "shared"));
    assertEquals(
        before,
        host.inside(
            "cat \"$1/runs/2026-11-21-nightly.json\"",
            host.homePath(".mayfly/shared/data/current")));

    // the service wrote into its live release in place: the next release shares nothing with it
    host.inside("printf local >> \"$1/README.md\"", old[0]);
    Files.writeString(data.resolve("runs/2026-11-22-nightly.json"), "{\"suite\":\"third\"}");
    Result third = mayfly("sync", "shared");
    assertEquals(0, third.exit, third.toString());
    String newest = releases + "/" + currentRelease(host, "shared");
    assertEquals(
        Files.readString(data.resolve("README.md")), host.inside("cat \"$1/README.md\"", newest));
    assertFalse(inode(host, old[0] + "/README.md").equals(inode(host, newest + "/README.md")));

    // keep: 2 prunes the least recently live (the second, since the rollback made the first live);
    // the files it shared stay whole in the releases kept
    String kept = host.inside("ls -1A \"$1\"", releases);
    assertFalse(kept.contains(second), kept);
    assertTrue(kept.contains(first) && kept.contains(".exact-" + first), kept);
    assertEquals(before, host.inside("cat \"$1/runs/2026-11-21-nightly.json\"", old[0]));
    assertEquals(
        Files.readString(changed), host.inside("cat \"$1/runs/2026-11-21-nightly.json\"", newest));
  }

  private static String currentRelease(SshdHosts.Host host, String deployment) {
    return host.inside(
            "basename \"$(readlink \"$1\")\"",
            host.homePath(".mayfly/" + deployment + "/data/current"))
        .strip();
  }

  private static String inode(SshdHosts.Host host, String path) {
    return host.inside("stat -c %i \"$1\"", path).strip();
  }

  private static String commitAll(Git git, String message) throws Exception {
    git.add().addFilepattern(".").call();
    return git.commit()
        .setMessage(message)
        .setAuthor("t", "t@example.org")
        .setCommitter("t", "t@example.org")
        .setSign(false)
        .call()
        .name();
  }

  @Test
  void pullModeLetsTheHostFetchARepoItCanReach() throws Exception {
    Path bare = home.resolve("repos/service.git");
    gitRepo(PROJECT.resolve("apps/qa-results/service"), bare);
    String url = bare.toUri().toString();
    Path template = demo("pulled", "  repo: " + url + "\n  ref: main\n");
    Result r =
        mayfly(
            "launch",
            "--file",
            template.toString(),
            "--name",
            "pulled",
            "--target",
            "ssh",
            "--identity",
            hosts.userKey().toString(),
            "--host",
            hosts.host(0).login(),
            "--git-mode",
            "pull");
    assertEquals(
        1, r.exit, "pull of a folder on the controller must be refused, data is a folder: " + r);
    assertTrue(r.err.contains("git mode pull cannot work"), r.toString());

    Result auto = mayfly(hosts.launchArgs(template, "pulled2", hosts.host(0)));
    assertEquals(0, auto.exit, auto.toString());
    Result status = mayfly("status", "pulled2", "--output", "json");
    assertTrue(status.out.contains("service.repo: host pulled from " + url), status.out);
  }

  @Test
  void gitOverSshUrlWorksWithTheUsersKeyInPushAndPullModes() throws Exception {
    SshdHosts.Host server = hosts.host(2);
    gitRepo(PROJECT.resolve("apps/qa-results/service"), server.home().resolve("repos/url.git"));
    String url = "ssh://" + server.login() + server.homePath("repos/url.git");
    trust(home, server.knownHostsLine());
    Files.copy(hosts.userKey(), home.resolve(".ssh/id_ed25519"));
    deploymentKeyOn(server);
    Path template = demo("over-ssh", "  repo: " + url + "\n  ref: main\n");

    Result pushed = mayfly(launch(template, "sshpush", server, "--git-mode", "push"));
    assertEquals(0, pushed.exit, pushed.toString());
    assertTrue(
        mayfly("status", "sshpush").out.contains("service.repo: pushed a bundle (git mode push)"));
    assertEquals(0, mayfly("terminate", "sshpush").exit);

    // pull for the service, from the server's sshd with the host's own deployment key; the data
    // folder on this machine still goes as a bundle, which git mode pull would refuse
    Result pulled = mayfly(launch(template, "sshpull", server, "--git-mode", "auto"));
    assertEquals(0, pulled.exit, pulled.toString());
    String status = mayfly("status", "sshpull").out;
    assertTrue(status.contains("service.repo: host pulled from " + url), status);
    assertEquals(0, mayfly("terminate", "sshpull").exit);
  }

  @Test
  void scpLikeGitUrlWorksThroughTheAgentInPushAndPullModes() throws Exception {
    SshdHosts.Host server = hosts.host(2);
    gitRepo(PROJECT.resolve("apps/qa-results/service"), server.home().resolve("repos/scp.git"));
    String url = server.login() + ":repos/scp.git"; // relative to the login's home, as git reads it
    trust(home, server.knownHostsLine());
    deploymentKeyOn(server);
    Path template = demo("over-scp", "  repo: " + url + "\n  ref: main\n");
    Path socket = home.resolve("agent.sock");
    Process agent = startAgent(socket);
    try {
      Map<String, String> withAgent = Map.of("SSH_AUTH_SOCK", socket.toString());
      Result pushed = mayfly(withAgent, launch(template, "scppush", server, "--git-mode", "push"));
      assertEquals(0, pushed.exit, pushed.toString());
      assertEquals(0, mayfly("terminate", "scppush").exit);
      Result pulled = mayfly(withAgent, launch(template, "scppull", server, "--git-mode", "auto"));
      assertEquals(0, pulled.exit, pulled.toString());
      String status = mayfly("status", "scppull").out;
      assertTrue(status.contains("service.repo: host pulled from " + url), status);
      assertEquals(0, mayfly("terminate", "scppull").exit);
    } finally {
      agent.destroy();
    }
  }

  @Test
  void strictPullMakesTheHostFetchServiceAndDataOverScpLikeAndSshUrlsAndSyncsTheSameWay()
      throws Exception {
    SshdHosts.Host server = hosts.host(2);
    Path dataRepo = server.home().resolve("repos/strict-data.git");
    gitRepo(PROJECT.resolve("apps/qa-results/service"), server.home().resolve("repos/strict.git"));
    gitRepo(PROJECT.resolve("apps/qa-results/data"), dataRepo);
    String serviceUrl = server.login() + ":repos/strict.git";
    String dataUrl = "ssh://" + server.login() + server.homePath("repos/strict-data.git");
    trust(home, server.knownHostsLine());
    Files.copy(
        hosts.userKey(), home.resolve(".ssh/id_ed25519"), StandardCopyOption.REPLACE_EXISTING);
    deploymentKeyOn(server);
    Path template = demo("strict", "  repo: " + serviceUrl + "\n  ref: main\n");
    Files.writeString(
        template,
        Files.readString(template)
            .replace(
                "  repo: " + home.resolve("demo/apps/qa-results/data"),
                "  repo: " + dataUrl + "\n  ref: main"));

    Result pulled = mayfly(launch(template, "strictpull", server, "--git-mode", "pull"));
    assertEquals(0, pulled.exit, pulled.toString());
    String status = mayfly("status", "strictpull").out;
    assertTrue(status.contains("service.repo: host pulled from " + serviceUrl), status);
    assertTrue(status.contains("data.repo: host pulled from " + dataUrl), status);

    // a new data commit on the git server reaches the host by its own fetch, over ssh again
    Path work = dataRepo.resolveSibling(dataRepo.getFileName() + ".work");
    String next;
    try (Git git = Git.open(work.toFile())) {
      Files.writeString(work.resolve("runs/2026-12-04-nightly.json"), "{\"passed\": 1}\n");
      next = commitAll(git, "a new nightly run");
      git.push().setRemote(dataRepo.toUri().toString()).add("main").call();
    }
    Result synced = mayfly("sync", "strictpull");
    assertEquals(0, synced.exit, synced.toString());
    assertEquals(next, currentRelease(server, "strictpull"));
    assertEquals(0, mayfly("terminate", "strictpull").exit);
  }

  @Test
  void aGitServerWithAnUnknownOrChangedKeyStopsTheLaunchWithOneLineNamingIt() throws Exception {
    SshdHosts.Host server = hosts.host(2);
    gitRepo(PROJECT.resolve("apps/qa-results/service"), server.home().resolve("repos/key.git"));
    String url = "ssh://" + server.login() + server.homePath("repos/key.git");
    Path template = demo("wrong-key", "  repo: " + url + "\n  ref: main\n");
    Path knownHosts = home.resolve(".ssh/known_hosts");
    // another server's key for this address: an impostor, as far as known_hosts can tell
    trust(home, hosts.host(3).knownHostsLine().replace(hosts.host(3).address(), server.address()));
    Files.copy(hosts.userKey(), home.resolve(".ssh/id_ed25519"));
    assertOneLineRefusal(
        mayfly(launch(template, "changedkey", server, "--git-mode", "push")),
        "mayfly: service.repo: cannot reach "
            + url
            + ": the SSH host key of "
            + server.address()
            + " is not the one "
            + knownHosts
            + " holds for it (a rebuilt server, or an impostor); check with its owner");

    Files.writeString(knownHosts, "");
    assertOneLineRefusal(
        mayfly(launch(template, "unknownkey", server, "--git-mode", "push")),
        "mayfly: service.repo: cannot reach "
            + url
            + ": the SSH host key of "
            + server.address()
            + " is unknown: add it to "
            + knownHosts
            + " (e.g. ssh "
            + server.address()
            + " once, comparing the fingerprint with its owner's)");
    assertEquals("", Files.readString(knownHosts), "nothing was added to known_hosts");
  }

  private static void assertOneLineRefusal(Result r, String line) {
    assertEquals(1, r.exit, r.toString());
    assertEquals(line, r.err.strip(), r.toString());
  }

  @Test
  void sshAgentLogsInWithoutMayflyReadingTheKey() throws Exception {
    Path socket = home.resolve("agent.sock");
    Process agent = startAgent(socket);
    try {
      Result r =
          mayfly(
              Map.of("SSH_AUTH_SOCK", socket.toString()),
              "launch",
              "--file",
              demo("qa-results", "").toString(),
              "--name",
              "agent",
              "--target",
              "ssh",
              "--identity",
              "agent",
              "--host",
              hosts.host(1).login());
      assertEquals(0, r.exit, r.toString());
      assertEquals(
          0, mayfly(Map.of("SSH_AUTH_SOCK", socket.toString()), "terminate", "agent").exit);
    } finally {
      agent.destroy();
    }
  }

  @Test
  void sshTargetWithoutIdentityAsksForOneBeforeRecordingAnything() throws Exception {
    Result r =
        mayfly(
            "launch",
            "--file",
            demo("qa-results", "").toString(),
            "--target",
            "ssh",
            "--host",
            hosts.host(0).login());
    assertEquals(2, r.exit, r.toString());
    assertTrue(
        r.err.contains("mayfly: --identity: the ssh target logs in to servers you already run"),
        r.err);
    assertEquals("", mayfly("list").out.replaceAll("(?s)^ID.*?\n", ""), "no deployment recorded");
  }

  // ---- helpers

  /**
   * {@code mayfly launch} of {@code template} as {@code name} on {@code host}, then {@code more}.
   */
  private String[] launch(Path template, String name, SshdHosts.Host host, String... more) {
    List<String> args = new ArrayList<>(List.of(hosts.launchArgs(template, name, host)));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  /** Writes {@code line} as the only entry of {@code home/.ssh/known_hosts}. */
  private static void trust(Path home, String line) throws IOException {
    Path ssh = Files.createDirectories(home.resolve(".ssh"));
    Files.writeString(ssh.resolve("known_hosts"), line + "\n");
  }

  /**
   * Gives the host the key and known host its own git needs to fetch from its sshd: a deployment
   * key, as its owner would install one.
   */
  private void deploymentKeyOn(SshdHosts.Host host) throws IOException {
    trust(host.home(), host.knownHostsLine());
    Path key = host.home().resolve(".ssh/id_ed25519");
    Files.copy(hosts.userKey(), key, StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
  }

  /** An ssh-agent on {@code socket} holding the hosts' user key. */
  private static Process startAgent(Path socket) throws Exception {
    Process agent =
        new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!Files.exists(socket) && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    ProcessBuilder add =
        new ProcessBuilder("ssh-add", hosts.userKey().toString()).redirectErrorStream(true);
    add.environment().put("SSH_AUTH_SOCK", socket.toString());
    Process added = add.start();
    assertEquals(0, added.waitFor(), new String(added.getInputStream().readAllBytes()));
    return agent;
  }

  /**
   * Copies the demo to {@code home/demo} and writes {@code templates/NAME.yaml} with absolute repo
   * paths; {@code serviceLines} replace the service section's repo/install lines when given.
   */
  private Path demo(String name, String serviceLines) throws IOException {
    Path apps = home.resolve("demo/apps/qa-results");
    if (!Files.isDirectory(apps)) {
      Trees.copy(PROJECT.resolve("apps/qa-results"), apps);
      Files.deleteIfExists(apps.resolve("service/site.properties"));
    }
    String yaml =
        Files.readString(PROJECT.resolve("templates/qa-results.yaml"))
            .replace("name: qa-results", "name: " + name)
            .replace("../apps/qa-results", apps.toString());
    for (String line : serviceLines.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String key = line.strip().split(":")[0];
      yaml = yaml.replaceFirst("(?m)^  " + key + ": .*\\n", "");
      yaml = yaml.replace("service:\n", "service:\n" + line + "\n");
    }
    Path file = home.resolve("demo/templates/" + name + ".yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, yaml);
    return file;
  }

  private static void gitRepo(Path source, Path bare) throws Exception {
    Path work = bare.resolveSibling(bare.getFileName() + ".work");
    Trees.copy(source, work);
    Files.deleteIfExists(work.resolve("site.properties"));
    try (Git git = Git.init().setInitialBranch("main").setDirectory(work.toFile()).call()) {
      git.add().addFilepattern(".").call();
      git.commit()
          .setMessage("service")
          .setAuthor("t", "t@example.org")
          .setCommitter("t", "t@example.org")
          .setSign(false)
          .call();
    }
    try (Git clone =
        Git.cloneRepository()
            .setBare(true)
            .setURI(work.toUri().toString())
            .setDirectory(bare.toFile())
            .call()) {
      Repository repo = clone.getRepository();
      assertTrue(repo.resolve("refs/heads/main") != null);
    }
  }

  private record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  private Result mayfly(String... args) {
    return mayfly(Map.of(), args);
  }

  private Result mayfly(Map<String, String> extraEnv, String... args) {
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put("HOME", home.toString());
    env.put("MAYFLY_HOME", home.resolve("state").toString());
    env.put("PATH", System.getenv("PATH"));
    env.put("TERM", "dumb");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(args, env, home, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }

  private static String get(String url) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  private static int count(String text, String word) {
    int n = 0;
    for (int i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + word.length())) {
      n++;
    }
    return n;
  }
}
