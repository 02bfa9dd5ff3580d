package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.SshdHosts;
import dev.mayfly.testing.SshdHostsFixture;
import dev.mayfly.testing.Trees;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.Daemon;
import org.eclipse.jgit.transport.DaemonClient;
import org.eclipse.jgit.transport.resolver.RepositoryResolver;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sync under faults, over SSH to real sshd hosts ({@link SshdHosts}), with the data repo served by
 * a git daemon the test controls. Whatever the fault, the promise is the same: the old release
 * keeps serving, {@code current} only ever points at a complete release (the commit's tree, file
 * for file), the sync fails naming the host (or the repo) and the cause, and the next round after
 * the fault publishes.
 */
class SyncFaultsIT {
  private static final Path PROJECT = Path.of("").toAbsolutePath();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  @RegisterExtension static final SshdHostsFixture hosts = new SshdHostsFixture(4, 0);

  @TempDir Path home;
  private DataRepo data;

  @AfterEach
  void leaveHostsIdle() {
    if (data != null) {
      data.close();
    }
  }

  @Test
  void unreachableDataRepoFailsTheSyncNamingTheRepoAndTheOldReleaseServes() throws Exception {
    SshdHosts.Host host = hosts.host(0);
    data = new DataRepo(home.resolve("data"), host.gateway());
    String first = data.commit("first", Map.of());
    MayflyCli mayfly = launch("gone", host, "ls runs/*.json >/dev/null");

    String second = data.commit("second", Map.of());
    Path away = home.resolve("data-moved-away");
    Files.move(data.work, away);
    MayflyCli.Result moved = mayfly.run("sync", "gone");
    assertEquals(1, moved.exit(), moved::toString);
    // a git daemon closes the connection on an unknown repo; the client sees no more than that
    assertTrue(
        moved.err().contains("data.repo: cannot reach " + data.url() + ": "), moved::toString);
    assertServes(host, "gone", first, "first");

    data.stop();
    MayflyCli.Result dead = mayfly.run("sync", "gone");
    assertEquals(1, dead.exit(), dead::toString);
    assertTrue(dead.err().contains("data.repo: cannot reach " + data.url()), dead::toString);
    assertTrue(dead.err().contains("onnection refused"), "says why: " + dead);
    assertServes(host, "gone", first, "first");

    Files.move(away, data.work);
    data.start();
    MayflyCli.Result back = mayfly.run("sync", "gone");
    assertEquals(0, back.exit(), back::toString);
    assertServes(host, "gone", second, "second");
  }

  @Test
  void forcePushedDataBranchPublishesTheNewTipAndKeepsTheRewrittenRelease() throws Exception {
    SshdHosts.Host host = hosts.host(1);
    data = new DataRepo(home.resolve("data"), host.gateway());
    String first = data.commit("first", Map.of());
    MayflyCli mayfly = launch("rewritten", host, "ls runs/*.json >/dev/null");
    String second = data.commit("second", Map.of());
    MayflyCli.Result sync = mayfly.run("sync", "rewritten");
    assertEquals(0, sync.exit(), sync::toString);
    assertServes(host, "rewritten", second, "second");

    // what `git push --force` of a rewritten main leaves on the server: main's tip is not a
    // descendant of the
    // published commit, which is reachable from no ref any more. A user expects sync to follow the
    // branch.
    String rewritten = data.rewriteLast("second-rewritten");
    MayflyCli.Result after = mayfly.run("sync", "rewritten");
    assertEquals(0, after.exit(), after::toString);
    assertTrue(
        after.out().contains("published data " + rewritten.substring(0, 7)), after::toString);
    assertServes(host, "rewritten", rewritten, "second-rewritten");
    String releases = host.inside("ls -1 \"$1\"", root("rewritten") + "/data/releases");
    assertTrue(
        releases.contains(first) && releases.contains(second),
        "the releases of the old history stay for rollback: " + releases);
  }

  @Test
  void fullDiskDuringPublishKeepsTheOldReleaseAndTheNextRoundPublishes() throws Exception {
    SshdHosts.Host host = hosts.host(2);
    MayflyCli mayfly = launchOnSmallDisk("cramped", host);
    String first = data.head();
    String large = data.commit("large", Map.of("blob.bin", incompressible(6 << 20)));
    MayflyCli.Result full = mayfly.run("sync", "cramped");
    assertEquals(1, full.exit(), full::toString);
    assertTrue(
        full.err().contains(host.login() + ": step sync failed, previous release still serving"),
        full::toString);
    assertServes(host, "cramped", first, "first");

    host.resizeTmpfs(".mayfly", "64m");
    MayflyCli.Result next = mayfly.run("sync", "cramped");
    assertEquals(0, next.exit(), next::toString);
    assertServes(host, "cramped", large, "large");
  }

  @Test
  void fullDiskIsNamedAsTheCauseAndLeavesNoPartialUpload() throws Exception {
    SshdHosts.Host host = hosts.host(2);
    MayflyCli mayfly = launchOnSmallDisk("crammed", host);
    data.commit("large", Map.of("blob.bin", incompressible(6 << 20)));
    MayflyCli.Result full = mayfly.run("sync", "crammed");
    assertEquals(1, full.exit(), full::toString);
    assertTrue(full.err().toLowerCase(Locale.ROOT).contains("no space left"), "says why: " + full);
    assertEquals(
        "",
        host.inside("find \"$1\" -name '*.bundle'", root("crammed") + "/stage"),
        "no partial upload is left to fill the disk");
  }

  /**
   * The deployment root's parent is a small tmpfs: the service and a small release fit, 6 MiB of
   * data not.
   */
  private MayflyCli launchOnSmallDisk(String name, SshdHosts.Host host) throws Exception {
    host.mountTmpfs(".mayfly", "3m");
    data = new DataRepo(home.resolve("data"), host.gateway());
    data.commit("first", Map.of());
    return launch(name, host, "ls runs/*.json >/dev/null");
  }

  private static byte[] incompressible(int size) {
    byte[] bytes = new byte[size];
    new Random(9).nextBytes(bytes);
    return bytes;
  }

  @Test
  void hostLostMidPublishFailsThatHostAndTheNextRoundPublishesOneCompleteRelease()
      throws Exception {
    SshdHosts.Host host = hosts.host(3);
    Path hold = host.home().resolve("hold-publish");
    Path started = host.home().resolve("publish-started");
    // the publish step announces itself, then waits while the test holds it: the fault lands
    // mid-publish
    String publish =
        "echo x >> \"$HOME/publish-started\"; while [ -e \"$HOME/hold-publish\" ]; do sleep 0.2; done;"
            + " ls runs/*.json >/dev/null";
    data = new DataRepo(home.resolve("data"), host.gateway());
    String first = data.commit("first", Map.of());
    MayflyCli mayfly = launch("cut-off", host, publish);
    Files.deleteIfExists(started);

    String second = data.commit("second", Map.of());
    Files.writeString(hold, "");
    CompletableFuture<MayflyCli.Result> cut =
        CompletableFuture.supplyAsync(() -> mayfly.run("sync", "cut-off"));
    await(() -> lines(started) == 1, Duration.ofSeconds(60), "the publish step to start");
    host.linkDown();
    MayflyCli.Result lost = cut.get(5, TimeUnit.MINUTES);
    host.linkUp();
    assertEquals(1, lost.exit(), lost::toString);
    assertTrue(
        lost.err().contains(host.login() + ": step sync failed, previous release still serving"),
        lost::toString);
    assertTrue(lost.err().contains("connection lost"), "says why: " + lost);
    // the cut-off publish still waits on the host, in its hidden staging folder: current is the old
    // release
    assertCurrent(host, "cut-off", first, "first");

    // the cut-off publish still runs on the host, unaware; the next round publishes the same commit
    // beside it
    CompletableFuture<MayflyCli.Result> next =
        CompletableFuture.supplyAsync(() -> mayfly.run("sync", "cut-off"));
    await(
        () -> lines(started) == 2,
        Duration.ofSeconds(60),
        "the next round's publish step to start");
    Files.delete(hold);
    MayflyCli.Result recovered = next.get(2, TimeUnit.MINUTES);
    assertEquals(0, recovered.exit(), recovered::toString);
    await(
        () -> host.inside("pgrep -f '[p]ublish-data' || true").isBlank(),
        Duration.ofSeconds(60),
        "the cut-off publish to end");
    assertServes(host, "cut-off", second, "second");
  }

  // ---- helpers

  /**
   * Launches the demo with the test's data repo on {@code host}; the first release is the repo's
   * tip.
   */
  private MayflyCli launch(String name, SshdHosts.Host host, String publish) throws IOException {
    Path apps = home.resolve("demo/apps/qa-results");
    Trees.copy(PROJECT.resolve("apps/qa-results/service"), apps.resolve("service"));
    Files.deleteIfExists(apps.resolve("service/site.properties"));
    String yaml =
        Files.readString(PROJECT.resolve("templates/qa-results.yaml"))
            .replace("name: qa-results", "name: " + name)
            .replace("repo: ../apps/qa-results/data", "repo: " + data.url() + "\n  ref: main")
            .replace("../apps/qa-results", apps.toString())
            .replaceFirst("(?m)^  publish: .*$", "  publish: " + Matcher.quoteReplacement(publish));
    Path template = home.resolve("demo/templates/" + name + ".yaml");
    Files.createDirectories(template.getParent());
    Files.writeString(template, yaml);
    // a lost host is noticed after a few missed 3 s probes, not the default's minute and more
    MayflyCli mayfly = new MayflyCli(home, home).env("MAYFLY_SSH_KEEPALIVE", "3s");
    MayflyCli.Result r = mayfly.run(hosts.launchArgs(template, name, host));
    assertEquals(0, r.exit(), r::toString);
    return mayfly;
  }

  private static String root(String deployment) {
    return System.getProperty("user.home") + "/.mayfly/" + deployment;
  }

  /**
   * The host serves {@code suite} over HTTP, its {@code current} is {@code releases/<commit>}, that
   * release holds exactly the commit's files, and no half-published release is left beside it.
   */
  private void assertServes(SshdHosts.Host host, String deployment, String commit, String suite)
      throws Exception {
    assertCurrent(host, deployment, commit, suite);
    assertEquals(
        "",
        host.inside(
            "ls -A \"$1\" | grep '^\\.staging-' || true", root(deployment) + "/data/releases"),
        "no staging folder is left");
  }

  /**
   * The host serves {@code suite} and its {@code current} is the complete release of {@code
   * commit}.
   */
  private void assertCurrent(SshdHosts.Host host, String deployment, String commit, String suite)
      throws Exception {
    String page = get("http://" + host.address() + ":8080/");
    assertTrue(page.contains(">" + suite + "<"), "serves " + suite + ": " + page);
    String data = root(deployment) + "/data";
    assertEquals("releases/" + commit, host.inside("readlink \"$1\"", data + "/current").strip());
    Map<String, String> onHost = new TreeMap<>();
    for (String line :
        host.inside("cd \"$1\" && find . -type f -exec sha256sum {} +", data + "/current")
            .split("\n")) {
      if (!line.isBlank()) {
        String[] hashAndPath = line.split("\\s+\\./", 2);
        onHost.put(hashAndPath[1], hashAndPath[0]);
      }
    }
    assertEquals(this.data.tree(commit), onHost, "current is the complete release of " + commit);
  }

  private static long lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private static void await(BooleanSupplier condition, Duration within, String what)
      throws InterruptedException {
    long end = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < end, "waited " + within.toSeconds() + "s for " + what);
      Thread.sleep(100);
    }
  }

  private static String get(String url) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  /**
   * The data repo: a git work tree whose commits are runs of one suite each, served over git:// at
   * the host's gateway, so both this machine and the host reach it.
   */
  private static final class DataRepo implements AutoCloseable {
    final Path work;
    private final String address;
    private Daemon daemon;
    private int port;
    private int runs;
    private final Map<String, Map<String, String>> trees = new HashMap<>();

    DataRepo(Path work, String address) throws Exception {
      this.work = work;
      this.address = address;
      Git.init().setInitialBranch("main").setDirectory(work.toFile()).call().close();
      start();
    }

    String url() {
      return "git://" + address + ":" + port + "/data.git";
    }

    /** Serves the repo (again, on the same port once it has one); it is opened per request. */
    void start() throws IOException {
      daemon = new Daemon(new InetSocketAddress(address, port));
      daemon.getService("git-upload-pack").setEnabled(true);
      daemon.setRepositoryResolver(
          (RepositoryResolver<DaemonClient>)
              (client, name) -> {
                try {
                  return Git.open(work.toFile()).getRepository();
                } catch (IOException e) {
                  throw new RepositoryNotFoundException(name, e);
                }
              });
      daemon.start();
      port = daemon.getAddress().getPort();
    }

    void stop() {
      daemon.stop();
    }

    /**
     * Commits one more run of {@code suite} (and {@code extra} files) on main; returns the commit
     * id.
     */
    String commit(String suite, Map<String, byte[]> extra) throws Exception {
      runs++;
      Files.createDirectories(work.resolve("runs"));
      Files.writeString(
          work.resolve("runs/2026-12-" + (10 + runs) + "-nightly.json"),
          "{\"suite\":\""
              + suite
              + "\",\"started\":\"2026-12-"
              + (10 + runs)
              + "T00:01:00Z\","
              + "\"passed\":1,\"failed\":0,\"skipped\":0,\"cases\":[]}");
      for (Map.Entry<String, byte[]> e : extra.entrySet()) {
        Files.write(work.resolve(e.getKey()), e.getValue());
      }
      try (Git git = Git.open(work.toFile())) {
        git.add().addFilepattern(".").call();
        String id =
            git.commit()
                .setMessage(suite)
                .setAuthor("t", "t@example.org")
                .setCommitter("t", "t@example.org")
                .setSign(false)
                .call()
                .name();
        trees.put(id, readTree(git.getRepository(), id));
        return id;
      }
    }

    String head() throws IOException {
      try (Git git = Git.open(work.toFile())) {
        return git.getRepository().resolve("HEAD").name();
      }
    }

    /**
     * Replaces main's last commit by another with {@code suite}: history rewritten, as a force-push
     * does.
     */
    String rewriteLast(String suite) throws Exception {
      try (Git git = Git.open(work.toFile())) {
        git.reset().setMode(ResetCommand.ResetType.HARD).setRef("HEAD~1").call();
      }
      runs--;
      return commit(suite, Map.of());
    }

    /** The files of a commit made here and their SHA-256, as {@code sha256sum} prints them. */
    Map<String, String> tree(String commit) {
      return trees.get(commit);
    }

    private static Map<String, String> readTree(Repository repo, String commit) throws IOException {
      Map<String, String> files = new TreeMap<>();
      try (RevWalk walk = new RevWalk(repo);
          TreeWalk tree = new TreeWalk(repo)) {
        tree.addTree(walk.parseCommit(ObjectId.fromString(commit)).getTree());
        tree.setRecursive(true);
        while (tree.next()) {
          files.put(tree.getPathString(), sha256(repo.open(tree.getObjectId(0)).getBytes()));
        }
      }
      return files;
    }

    private static String sha256(byte[] bytes) {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() {
      if (daemon != null) {
        daemon.stop();
      }
    }
  }
}
