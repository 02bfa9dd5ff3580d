package dev.mayfly.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real OpenSSH servers as separate "hosts" on this machine. Each host is a network namespace of its
 * own ({@code mf-<pid>-<n>}) joined to this one by a veth pair (here {@code 10.213.X.1}, there
 * {@code 10.213.X.2}), with its own sshd on port 22 and its own home folder bind-mounted over the
 * login user's home in a private mount namespace. So services started through a host's sshd get
 * their own address, port space and home, and three hosts can all run a service on port 8080.
 *
 * <p>Only addresses in namespaces made here are ever contacted. Needs root, {@code ip}, {@code
 * unshare}, {@code ssh-keygen} and {@code /usr/sbin/sshd}; without them {@link #start} skips the
 * test with the reason, or fails it under {@code CI=true} ({@link Peers}). Namespaces left by a
 * harness whose JVM died are removed on the next start.
 */
public final class SshdHosts implements AutoCloseable {
  private static final String SSHD = "/usr/sbin/sshd";
  private static final String NFT = "/usr/sbin/nft";
  private static final Pattern OURS = Pattern.compile("mf-([0-9]+)-([0-9]+)");
  private static final Path LOCK =
      Path.of(System.getProperty("java.io.tmpdir"), "mayfly-sshd-hosts.lock");
  private static final Duration READY = Duration.ofSeconds(15);

  private final Path dir;
  private final Path userKey;
  private final List<Host> hosts = new ArrayList<>();
  private final long pid = ProcessHandle.current().pid();

  /**
   * One host: a namespace, an address, and (unless made {@code silent}) an sshd answering there.
   */
  public final class Host {
    private final int index;
    private final String namespace;
    private final String address;
    private final Path home;
    private final Path config;
    private final Path hostKey;
    private final String link;
    private Process sshd;

    Host(
        int index,
        String namespace,
        String link,
        String address,
        Path home,
        Path config,
        Path hostKey) {
      this.index = index;
      this.namespace = namespace;
      this.link = link;
      this.address = address;
      this.home = home;
      this.config = config;
      this.hostKey = hostKey;
    }

    /**
     * This machine's address on the host's link ({@code 10.213.X.1}): the only one the host can
     * reach.
     */
    public String gateway() {
      return address.substring(0, address.lastIndexOf('.')) + ".1";
    }

    /** {@code root@10.213.X.2}, as given to {@code --host}. */
    public String login() {
      return System.getProperty("user.name") + "@" + address;
    }

    public String address() {
      return address;
    }

    /** The host's home folder, seen from here (the login user's home there). */
    public Path home() {
      return home;
    }

    public String namespace() {
      return namespace;
    }

    /**
     * What the host's sshd logged (at {@code LogLevel VERBOSE}: an {@code Accepted publickey} line
     * per connection, a {@code Starting session} line per session channel).
     */
    public Path log() {
      return dir.resolve("sshd-" + index + ".log");
    }

    /** The host's end of its link, in its namespace (its counters are the host's traffic). */
    public String link() {
      return link;
    }

    /** The process id of the host's sshd (its sessions are its descendants). */
    public long sshdPid() {
      if (sshd == null) {
        throw new IllegalStateException("host " + address + " has no sshd");
      }
      return sshd.pid();
    }

    /**
     * Drops every packet to {@code port} in the host's namespace (an nftables rule there, none on
     * this machine): connections to it neither succeed nor get refused, as behind a silent
     * firewall.
     */
    public void dropPort(int port) {
      Peers.require(Files.isExecutable(Path.of(NFT)), "nft is missing (apt-get install nftables)");
      String table = "mayfly_test";
      run(List.of("ip", "netns", "exec", namespace, NFT, "add", "table", "inet", table));
      run(
          List.of(
              "ip",
              "netns",
              "exec",
              namespace,
              NFT,
              "add",
              "chain",
              "inet",
              table,
              "input",
              "{ type filter hook input priority 0; policy accept; }"));
      run(
          List.of(
              "ip",
              "netns",
              "exec",
              namespace,
              NFT,
              "add",
              "rule",
              "inet",
              table,
              "input",
              "tcp",
              "dport",
              Integer.toString(port),
              "drop"));
    }

    /**
     * Takes the host off the network (its end of the link down), as a pulled cable would; {@link
     * #linkUp} undoes.
     */
    public void linkDown() {
      run(List.of("ip", "netns", "exec", namespace, "ip", "link", "set", link, "down"));
    }

    public void linkUp() {
      run(List.of("ip", "netns", "exec", namespace, "ip", "link", "set", link, "up"));
    }

    /**
     * Runs {@code script} with sh on the host as its sshd's sessions see it (its network and its
     * mounts, such as a tmpfs {@link #mountTmpfs} made), with {@code args} as $1...; returns what
     * it printed, or throws if it failed.
     */
    public String inside(String script, String... args) {
      if (sshd == null) {
        throw new IllegalStateException(
            "host " + address + " has no sshd, so no mounts of its own");
      }
      List<String> command =
          new ArrayList<>(
              List.of(
                  "nsenter",
                  "-t",
                  Long.toString(sshd.pid()),
                  "-m",
                  "-n",
                  "sh",
                  "-c",
                  script,
                  "host-" + index));
      command.addAll(List.of(args));
      return run(command);
    }

    /**
     * Mounts a tmpfs of {@code size} (as mount's size=, e.g. 4m) at {@code path} below the host's
     * home.
     */
    public void mountTmpfs(String path, String size) {
      inside(
          "mkdir -p \"$1\" && mount -t tmpfs -o \"size=$2,mode=700\" mayfly-test \"$1\"",
          homePath(path),
          size);
    }

    /** Gives a tmpfs {@link #mountTmpfs} made a new size, keeping what it holds. */
    public void resizeTmpfs(String path, String size) {
      inside("mount -o \"remount,size=$2\" \"$1\"", homePath(path), size);
    }

    /** {@code path} below the login user's home as the host sees it. */
    public String homePath(String path) {
      return System.getProperty("user.home") + "/" + path;
    }

    /** The SHA256 fingerprint of the host key sshd shows now. */
    public String fingerprint() {
      String out = run(List.of("ssh-keygen", "-l", "-E", "sha256", "-f", hostKey + ".pub"));
      return out.split("\\s+")[1];
    }

    /** The {@code known_hosts} line for this host's current key: {@code ADDRESS TYPE BASE64}. */
    public String knownHostsLine() {
      try {
        String[] pub = Files.readString(Path.of(hostKey + ".pub")).strip().split("\\s+");
        return address + " " + pub[0] + " " + pub[1];
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Gives the server a new host key, as a rebuilt server (or an impostor) would have. */
    public void replaceHostKey() {
      stopSshd();
      try {
        Files.deleteIfExists(hostKey);
        Files.deleteIfExists(Path.of(hostKey + ".pub"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString()));
      startSshd();
    }

    /** Process ids running in the namespace other than its sshd: what a deployment left running. */
    public List<Long> otherProcesses() {
      List<Long> pids = new ArrayList<>();
      for (String line : run(List.of("ip", "netns", "pids", namespace)).split("\n")) {
        if (!line.isBlank()) {
          long p = Long.parseLong(line.trim());
          if (sshd == null || !isSshd(p)) {
            pids.add(p);
          }
        }
      }
      return pids;
    }

    /** What {@link #otherProcesses} are, for a failure message. */
    public String describe(List<Long> pids) {
      StringBuilder b = new StringBuilder();
      for (long p : pids) {
        b.append(p)
            .append(' ')
            .append(ProcessHandle.of(p).flatMap(h -> h.info().commandLine()).orElse("?"))
            .append('\n');
      }
      return b.toString();
    }

    private boolean isSshd(long p) {
      // sshd's own process, or one of its per-connection children
      return ProcessHandle.of(p)
          .flatMap(h -> h.info().command())
          .map(c -> c.endsWith("/sshd"))
          .orElse(false);
    }

    /** Kills whatever a test left running there (a service), keeping sshd. */
    public void killOthers() {
      for (long p : otherProcesses()) {
        ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
      }
    }

    void startSshd() {
      String script = "mount --bind \"$1\" \"$2\" && exec " + SSHD + " -D -e -f \"$3\"";
      ProcessBuilder pb =
          new ProcessBuilder(
              "ip",
              "netns",
              "exec",
              namespace,
              "unshare",
              "--mount",
              "--propagation",
              "private",
              "sh",
              "-c",
              script,
              "sshd-host",
              home.toString(),
              System.getProperty("user.home"),
              config.toString());
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
      try {
        sshd = pb.start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      awaitListening(address, 22, READY, sshd);
    }

    void stopSshd() {
      if (sshd != null) {
        sshd.descendants().forEach(ProcessHandle::destroyForcibly);
        sshd.destroyForcibly();
        try {
          sshd.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        sshd = null;
      }
    }
  }

  private SshdHosts(Path dir) {
    this.dir = dir;
    this.userKey = dir.resolve("user_ed25519");
  }

  /**
   * Starts {@code count} hosts with sshd and {@code silent} namespaces with an address but nothing
   * listening (a host that never answers), in {@code dir}.
   */
  public static SshdHosts start(Path dir, int count, int silent) {
    assumeRunnable();
    SshdHosts hosts = new SshdHosts(dir);
    try {
      hosts.create(count, silent);
      return hosts;
    } catch (RuntimeException | Error e) {
      hosts.close();
      throw e;
    }
  }

  private static void assumeRunnable() {
    Peers.require(
        "root".equals(System.getProperty("user.name")),
        "SshdHosts needs root (network namespaces); running as " + System.getProperty("user.name"));
    for (String tool :
        List.of(SSHD, "/usr/bin/ssh-keygen", "/usr/bin/unshare", "/usr/bin/nsenter")) {
      Peers.require(
          Files.isExecutable(Path.of(tool)),
          tool + " is missing (apt-get install openssh-server util-linux)");
    }
    Peers.require(
        Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")),
        "the ip command is missing (apt-get install iproute2)");
  }

  /** The private key every host accepts for the login user. */
  public Path userKey() {
    return userKey;
  }

  /** The arguments of {@code mayfly launch} for {@code template} as {@code name} on one host. */
  public String[] launchArgs(Path template, String name, Host on) {
    return new String[] {
      "launch",
      "--file",
      template.toString(),
      "--name",
      name,
      "--target",
      "ssh",
      "--identity",
      userKey.toString(),
      "--host",
      on.login()
    };
  }

  public Host host(int i) {
    return hosts.get(i);
  }

  public List<Host> all() {
    return List.copyOf(hosts);
  }

  private void create(int count, int silent) {
    try {
      Files.createDirectories(dir);
      Files.createDirectories(Path.of("/run/sshd"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    run(
        List.of(
            "ssh-keygen",
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "mayfly-test-user",
            "-f",
            userKey.toString()));
    Path authorized = dir.resolve("authorized_keys");
    try {
      Files.copy(Path.of(userKey + ".pub"), authorized);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Integer> subnets;
    try (FileChannel lockFile =
            FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockFile.lock()) {
      removeStale();
      subnets = freeSubnets(count + silent);
      for (int i = 0; i < count + silent; i++) {
        int n = subnets.get(i);
        String ns = "mf-" + pid + "-" + i;
        String outside = "mf" + pid + "h" + i;
        String inside = "mf" + pid + "n" + i;
        run(List.of("ip", "netns", "add", ns));
        run(List.of("ip", "link", "add", outside, "type", "veth", "peer", "name", inside));
        run(List.of("ip", "link", "set", inside, "netns", ns));
        run(List.of("ip", "addr", "add", "10.213." + n + ".1/24", "dev", outside));
        run(List.of("ip", "link", "set", outside, "up"));
        run(
            List.of(
                "ip",
                "netns",
                "exec",
                ns,
                "ip",
                "addr",
                "add",
                "10.213." + n + ".2/24",
                "dev",
                inside));
        run(List.of("ip", "netns", "exec", ns, "ip", "link", "set", inside, "up"));
        run(List.of("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"));
        Path home = dir.resolve("home-" + i);
        Files.createDirectories(home);
        Path hostKey = dir.resolve("host-" + i + "_ed25519");
        Path config = dir.resolve("sshd-" + i + ".conf");
        Host host = new Host(i, ns, inside, "10.213." + n + ".2", home, config, hostKey);
        hosts.add(host);
        if (i >= count) {
          continue;
        }
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString()));
        Files.writeString(
            config,
            String.join(
                "\n",
                "Port 22",
                "ListenAddress " + host.address,
                "HostKey " + hostKey,
                "AuthorizedKeysFile " + authorized,
                "PidFile " + dir.resolve("sshd-" + i + ".pid"),
                "UsePAM no",
                "StrictModes no",
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "MaxStartups 100:30:200",
                "MaxSessions 50",
                "Subsystem sftp internal-sftp",
                // a line per connection and per session channel, which benchmarks count
                "LogLevel VERBOSE",
                ""),
            StandardCharsets.UTF_8);
        host.startSshd();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Subnets 10.213.X.0/24 that no interface here uses. */
  private static List<Integer> freeSubnets(int count) {
    Set<Integer> used = new HashSet<>();
    Matcher m =
        Pattern.compile("10\\.213\\.([0-9]+)\\.")
            .matcher(run(List.of("ip", "-o", "-4", "addr", "show")));
    while (m.find()) {
      used.add(Integer.parseInt(m.group(1)));
    }
    List<Integer> free = new ArrayList<>();
    for (int n = 1; n < 255 && free.size() < count; n++) {
      if (!used.contains(n)) {
        free.add(n);
      }
    }
    if (free.size() < count) {
      throw new IllegalStateException("no " + count + " free subnets in 10.213.0.0/16");
    }
    return free;
  }

  /**
   * Removes namespaces (and what runs in them) that a harness in a JVM that is gone left behind.
   */
  private static void removeStale() {
    for (String line : run(List.of("ip", "netns", "list")).split("\n")) {
      String name = line.split("\\s+")[0];
      Matcher m = OURS.matcher(name);
      if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
        removeNamespace(name);
      }
    }
  }

  private static void removeNamespace(String ns) {
    for (String line : runQuietly(List.of("ip", "netns", "pids", ns)).split("\n")) {
      if (!line.isBlank()) {
        ProcessHandle.of(Long.parseLong(line.trim())).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
    runQuietly(List.of("ip", "netns", "del", ns));
  }

  @Override
  public void close() {
    for (Host host : hosts) {
      host.stopSshd();
      removeNamespace(host.namespace);
    }
    hosts.clear();
  }

  private static void awaitListening(String address, int port, Duration within, Process process) {
    long end = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < end) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(address, port), 500);
        return;
      } catch (IOException e) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "sshd for " + address + " exited with " + process.exitValue());
        }
        sleep(100);
      }
    }
    throw new IllegalStateException(
        "sshd did not listen on " + address + ":" + port + " within " + within);
  }

  static String run(List<String> command) {
    Result r = exec(command);
    if (r.exit != 0) {
      throw new IllegalStateException(
          String.join(" ", command) + " failed (" + r.exit + "): " + r.output);
    }
    return r.output;
  }

  private static String runQuietly(List<String> command) {
    return exec(command).output;
  }

  private record Result(int exit, String output) {}

  private static Result exec(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, out + " (timed out)");
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
