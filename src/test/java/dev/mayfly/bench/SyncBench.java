package dev.mayfly.bench;

import dev.mayfly.deploy.Deployments;
import dev.mayfly.deploy.LaunchOptions;
import dev.mayfly.deploy.LaunchResult;
import dev.mayfly.deploy.Progress;
import dev.mayfly.deploy.Upkeep;
import dev.mayfly.provider.Providers;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.Registry;
import dev.mayfly.template.TemplateCatalog;
import dev.mayfly.testing.SshdHosts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;

/**
 * Sync benchmarks over real sshd hosts ({@link SshdHosts}, needs root), counted by the peers: the
 * git server's log and the hosts' sshd logs.
 */
final class SyncBench {
  private static final String CRON = SeededRegistry.CRON;

  private SyncBench() {}

  /**
   * One sync round over 1,000 running deployments of one template on 3 sshd hosts whose data repo
   * (served by {@code git daemon}) did not move: it should ask the git server once and open no SSH
   * connection. Two control rows first show that both counters count: the launch, and a round where
   * the repo moved for one deployment.
   */
  static void syncIdle(Path work) throws Exception {
    int count = 1_000;
    int hostCount = 3;
    Path state = Files.createDirectories(work.resolve("state"));
    Path gitBase = Files.createDirectories(work.resolve("git"));
    Path repo = gitBase.resolve("data");
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      commit(git, "runs.json", "[]");
    }
    try (SshdHosts hosts = SshdHosts.start(work.resolve("hosts"), hostCount, 0);
        GitDaemon server =
            GitDaemon.start(gitBase, hosts.host(0).gateway(), work.resolve("git-daemon.log"));
        Registry registry = Registry.open(state)) {
      Path template = ServiceTemplate.write(work, "idle", "true", server.url("data"));
      Deployments deployments =
          new Deployments(
              state,
              registry,
              new TemplateCatalog(List.of(template.getParent())),
              Providers.installed(),
              Clock.systemUTC());
      Upkeep upkeep =
          new Upkeep(deployments, registry, Clock.systemUTC(), null, Duration.ofSeconds(10));
      PeerCounts counts = new PeerCounts(server, hosts);
      System.out.printf(
          "%-31s %8s %9s %11s %9s %8s%n",
          "ROUND", "SECONDS", "LS-REMOTE", "SSH-CONNECT", "SSH-CHANS", "(MAYFLY)");

      long start = System.nanoTime();
      // push mode: the hosts only reach this machine over SSH; the git server serves mayfly
      LaunchResult launched =
          deployments.launch(
              new LaunchOptions(
                  null,
                  template,
                  List.of(),
                  null,
                  null,
                  "ssh",
                  hostCount,
                  hostCount,
                  hosts.all().stream().map(SshdHosts.Host::login).toList(),
                  CRON,
                  hosts.userKey().toString(),
                  "push",
                  null),
              Progress.SILENT);
      if (!launched.ok()) {
        throw new IllegalStateException("launch failed: " + launched.hosts());
      }
      counts.print("launch, 1 deployment (control)", start, -1);

      try (Git git = Git.open(repo.toFile())) {
        commit(git, "runs.json", "[1]");
      }
      start = System.nanoTime();
      Upkeep.RoundReport moved = upkeep.syncRound(CRON);
      counts.print("moved, 1 deployment (control)", start, moved.hostSessions());
      if (moved.updated().size() != 1) {
        throw new IllegalStateException("the control round did not publish: " + moved);
      }

      copies(registry, launched.deploymentId(), count - 1);
      PeerCounts.Row last = null;
      Upkeep.RoundReport report = null;
      for (int round = 1; round <= 3; round++) {
        start = System.nanoTime();
        report = upkeep.syncRound(CRON);
        last =
            counts.print(
                "idle " + round + ", " + count + " deployments", start, report.hostSessions());
      }
      System.out.printf(
          "counted by git daemon --verbose (upload-pack requests) and each host's sshd at LogLevel"
              + " VERBOSE (accepted connections, session channels); (MAYFLY) is mayfly's own"
              + " count; deployments=%d in the round=%d updated=%d failed=%d%n",
          count, report.deployments(), report.updated().size(), report.failed().size());
      deployments.terminate(launched.deploymentId(), Progress.SILENT);
      System.out.printf(
          "RESULT sync-idle ls-remote=%d host-sessions=%d%n",
          last.uploadPacks(), last.connections());
    }
  }

  /**
   * {@code n} more deployments just like {@code id}: the same spec, hosts, roots and published
   * commit, as if launched there too.
   */
  private static void copies(Registry registry, String id, int n) {
    DeploymentRow d = registry.find(id).orElseThrow();
    List<HostRow> hosts = registry.hosts(id);
    for (int i = 0; i < n; i++) {
      String copy = SeededRegistry.id(i);
      registry.insert(
          new DeploymentRow(
              copy,
              d.template(),
              d.target(),
              d.state(),
              d.params(),
              d.spec(),
              d.serviceCommit(),
              d.dataCommit(),
              d.url(),
              d.createdAt(),
              d.expiresAt(),
              0));
      registry.setSyncCron(copy, CRON);
      for (HostRow h : hosts) {
        registry.putHost(
            new HostRow(
                copy,
                h.hostId(),
                h.address(),
                h.ports(),
                h.root(),
                h.state(),
                h.dataCommit(),
                h.detail()));
      }
    }
  }

  static String commit(Git git, String file, String content) throws IOException, GitAPIException {
    Files.writeString(git.getRepository().getWorkTree().toPath().resolve(file), content);
    git.add().addFilepattern(file).call();
    return git.commit()
        .setMessage("data " + content.length())
        .setSign(false)
        .setAuthor("bench", "bench@example.org")
        .setCommitter("bench", "bench@example.org")
        .call()
        .name();
  }

  /** The peers' counters, printed as the difference since the last row. */
  private static final class PeerCounts {
    private final GitDaemon server;
    private final List<PeerLog> sshd;
    private Row previous;

    record Row(long uploadPacks, long connections, long channels) {}

    PeerCounts(GitDaemon server, SshdHosts hosts) {
      this.server = server;
      this.sshd = hosts.all().stream().map(h -> new PeerLog(h.log())).toList();
      this.previous = now();
    }

    private Row now() {
      return new Row(
          server.uploadPacks(),
          sshd.stream().mapToLong(l -> l.count("Accepted publickey for")).sum(),
          sshd.stream().mapToLong(l -> l.count("Starting session:")).sum());
    }

    /**
     * Prints what the peers counted since the previous row; {@code own} -1 when mayfly has none.
     */
    Row print(String what, long startNanos, int own) {
      double seconds = (System.nanoTime() - startNanos) / 1e9;
      Row current = now();
      Row delta =
          new Row(
              current.uploadPacks - previous.uploadPacks,
              current.connections - previous.connections,
              current.channels - previous.channels);
      previous = current;
      System.out.printf(
          Locale.ROOT,
          "%-31s %8.3f %9d %11d %9d %8s%n",
          what,
          seconds,
          delta.uploadPacks,
          delta.connections,
          delta.channels,
          own < 0 ? "-" : Integer.toString(own));
      return delta;
    }
  }
}
