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
   * A 50 MiB data repo of incompressible files, of which 1 KiB changes; one sync in pull mode (host
   * 0 fetches from {@code git daemon}) and one in push mode (host 1 gets a bundle). Measured at the
   * host: bytes through its network interface (its namespace's counters, as {@code ip -s link}
   * shows them) and the disk its deployment's data folder gained ({@code du}, hard links once).
   * Goals: under 1% of the repo moved, under 5% added on disk.
   */
  static void syncDelta(Path work) throws Exception {
    int files = 200;
    int fileSize = 256 * 1024; // 200 x 256 KiB = 50 MiB
    long repoBytes = (long) files * fileSize;
    Path state = Files.createDirectories(work.resolve("state"));
    // git daemon serves the service folder too: pull mode has the host fetch both repos
    Path gitBase = work;
    Path repo = Files.createDirectories(gitBase.resolve("git/data"));
    java.util.Random random = new java.util.Random(15);
    byte[] content = new byte[fileSize];
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      for (int i = 0; i < files; i++) {
        random.nextBytes(content);
        Files.write(repo.resolve(String.format("part-%03d.bin", i)), content);
      }
      commitAll(git, "50 MiB");
    }
    try (SshdHosts hosts = SshdHosts.start(work.resolve("hosts"), 2, 0);
        GitDaemon server =
            GitDaemon.start(gitBase, hosts.host(0).gateway(), work.resolve("git-daemon.log"));
        Registry registry = Registry.open(state)) {
      String service = "apps/delta/service";
      Path template =
          ServiceTemplate.write(work, "delta", "true", server.url("git/data"), server.url(service));
      try (Git git = Git.init().setDirectory(work.resolve(service).toFile()).call()) {
        commitAll(git, "service");
      }
      Deployments deployments =
          new Deployments(
              state,
              registry,
              new TemplateCatalog(List.of(template.getParent())),
              Providers.installed(),
              Clock.systemUTC());
      List<String> modes = List.of("pull", "push");
      for (int i = 0; i < modes.size(); i++) {
        LaunchResult r =
            deployments.launch(
                new LaunchOptions(
                    null,
                    template,
                    List.of(),
                    null,
                    "delta-" + modes.get(i),
                    "ssh",
                    1,
                    1,
                    List.of(hosts.host(i).login()),
                    null,
                    hosts.userKey().toString(),
                    modes.get(i),
                    null),
                Progress.SILENT);
        if (!r.ok()) {
          throw new IllegalStateException(modes.get(i) + " launch failed: " + r.hosts());
        }
      }
      // 1 KiB of one file changes in place
      Path changed = repo.resolve("part-100.bin");
      byte[] bytes = Files.readAllBytes(changed);
      byte[] kib = new byte[1024];
      random.nextBytes(kib);
      System.arraycopy(kib, 0, bytes, fileSize / 2, kib.length);
      Files.write(changed, bytes);
      try (Git git = Git.open(repo.toFile())) {
        commitAll(git, "1 KiB changed");
      }
      System.out.printf(
          "%-6s %8s %12s %9s %12s %9s  %s%n",
          "MODE", "SECONDS", "MOVED-BYTES", "MOVED-%", "DISK-BYTES", "DISK-%", "HOW");
      double worstMoved = 0;
      double worstDisk = 0;
      for (int i = 0; i < modes.size(); i++) {
        SshdHosts.Host host = hosts.host(i);
        String id = "delta-" + modes.get(i);
        String data = host.homePath(".mayfly/" + id + "/data");
        long diskBefore = du(host, data);
        long netBefore = interfaceBytes(host);
        long start = System.nanoTime();
        Deployments.SyncResult r = deployments.sync(id, Progress.SILENT);
        double seconds = (System.nanoTime() - start) / 1e9;
        long moved = interfaceBytes(host) - netBefore;
        long disk = du(host, data) - diskBefore;
        if (r.updated().size() != 1) {
          throw new IllegalStateException(id + ": the sync did not publish: " + r.failures());
        }
        String how =
            registry.events(id).stream()
                .filter(e -> e.kind().equals("git"))
                .reduce((a, b) -> b)
                .map(e -> e.detail())
                .orElse("?");
        double movedPct = 100.0 * moved / repoBytes;
        double diskPct = 100.0 * disk / repoBytes;
        worstMoved = Math.max(worstMoved, movedPct);
        worstDisk = Math.max(worstDisk, diskPct);
        System.out.printf(
            Locale.ROOT,
            "%-6s %8.3f %12d %8.2f%% %12d %8.2f%%  %s%n",
            modes.get(i),
            seconds,
            moved,
            movedPct,
            disk,
            diskPct,
            how);
        deployments.terminate(id, Progress.SILENT);
      }
      System.out.printf(
          "repo=%d bytes in %d incompressible files, 1 KiB of one changed; MOVED: rx+tx of the"
              + " host's interface during the sync; DISK: growth of du -s of its data folder (hard"
              + " links once); goals moved<1%%, disk<5%%%n",
          repoBytes, files);
      System.out.printf(
          Locale.ROOT, "RESULT sync-delta moved-pct=%.2f disk-pct=%.2f%n", worstMoved, worstDisk);
    }
  }

  /** Bytes received plus sent by the host's interface, from its namespace's counters. */
  private static long interfaceBytes(SshdHosts.Host host) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("ip", "-n", host.namespace(), "-s", "link", "show", "dev", host.link())
            .redirectErrorStream(true)
            .start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("ip -s link failed: " + out);
    }
    // "RX: bytes packets ..." then the numbers on the next line; the same for TX
    List<String> lines = out.lines().map(String::strip).toList();
    long total = 0;
    for (int i = 0; i < lines.size() - 1; i++) {
      if (lines.get(i).startsWith("RX:") || lines.get(i).startsWith("TX:")) {
        total += Long.parseLong(lines.get(i + 1).split("\\s+")[0]);
      }
    }
    return total;
  }

  /** Disk used below {@code path} on the host, each hard-linked file once (du's way). */
  private static long du(SshdHosts.Host host, String path) {
    return Long.parseLong(host.inside("du -s -B1 \"$1\" | cut -f1", path).strip());
  }

  private static void commitAll(Git git, String message) throws GitAPIException {
    git.add().addFilepattern(".").call();
    git.commit()
        .setMessage(message)
        .setSign(false)
        .setAuthor("bench", "bench@example.org")
        .setCommitter("bench", "bench@example.org")
        .call();
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
