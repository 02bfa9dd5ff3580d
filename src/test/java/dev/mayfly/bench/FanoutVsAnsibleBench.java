package dev.mayfly.bench;

import dev.mayfly.testing.SshdHosts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;

/**
 * {@code bin/mayfly-bench fanout-vs-ansible [N,N,...] [runs]}: the same work on the same N sshd
 * hosts ({@link SshdHosts}, needs root) by {@code mayfly launch --target ssh --parallel N} and by
 * an Ansible playbook (ansible-core installed from PyPI into {@code target/ansible-venv}), tuned
 * (forks=N, pipelining, ControlPersist, no facts) and with Ansible's defaults (forks=5). Work per
 * host: fetch the service repo at a pinned commit and the data repo from {@code git daemon}, run
 * the installer (sleep 2), start the service, wait for its health URL. Sides alternate; medians of
 * the runs. CPU is counted by cgroup v2 ({@code cpu.stat}): one group for the controller and
 * everything it forks (ssh masters included), one for the hosts' sshd and their children.
 */
final class FanoutVsAnsibleBench {
  private static final List<String> ALL_SIDES =
      List.of("mayfly", "ansible-tuned", "ansible-default");

  private FanoutVsAnsibleBench() {}

  static void run(Path project, Path work, String[] args) throws Exception {
    int[] counts =
        Arrays.stream((args.length > 1 ? args[1] : "1,8,32").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int most = Arrays.stream(counts).max().orElseThrow();
    // "mayfly": only mayfly's side, for profiling and before/after runs (Ansible takes minutes)
    List<String> sides =
        new ArrayList<>(
            args.length > 3 && args[3].equals("mayfly") ? List.of("mayfly") : ALL_SIDES);
    // another build's bin/mayfly, run alternating with this one: before/after in the same
    // conditions
    String baseline = System.getenv("MAYFLY_BENCH_BASELINE");
    if (baseline != null) {
      sides.add(1, "baseline");
    }
    Path ansible = sides.size() > 1 ? installAnsible(project) : null;
    Cgroup root = Cgroup.create("mayfly-bench-" + ProcessHandle.current().pid());
    try (SshdHosts hosts = SshdHosts.start(work.resolve("hosts"), most, 0)) {
      Cgroup controller = root.child("controller");
      Cgroup hostGroup = root.child("hosts");
      for (SshdHosts.Host h : hosts.all()) {
        hostGroup.add(h.sshdPid());
        // a route back to this machine's other addresses: every host reaches the one git server
        exec(List.of("ip", "-n", h.namespace(), "route", "add", "default", "via", h.gateway()));
      }
      Path gitBase = Files.createDirectories(work.resolve("git"));
      try (GitDaemon server =
          GitDaemon.start(gitBase, hosts.host(0).gateway(), work.resolve("git-daemon.log"))) {
        Work w = prepare(project, work, gitBase, server, hosts, ansible);
        // the first run after a jar rebuild writes bin/mayfly's class-data archive (seconds): paid
        // here, untimed, not by run 1
        warm(w.mayfly.toString());
        if (baseline != null) {
          warm(baseline);
        }
        Map<String, List<Measure>> results = new LinkedHashMap<>();
        for (int run = 1; run <= runs; run++) {
          for (int n : counts) {
            for (String side : sides) {
              Measure m = once(side, n, run, w, hosts, controller, hostGroup);
              results.computeIfAbsent(side + "/" + n, k -> new ArrayList<>()).add(m);
              System.out.printf(
                  Locale.ROOT,
                  "run %d %-16s N=%-3d wall %7.2f s  controller CPU %7.2f s  hosts CPU %7.2f s%n",
                  run,
                  side,
                  n,
                  m.wall,
                  m.controllerCpu,
                  m.hostsCpu);
            }
          }
        }
        print(results, sides, counts, runs);
      }
    } finally {
      root.remove();
    }
  }

  /** One run's numbers, in seconds. */
  private record Measure(double wall, double controllerCpu, double hostsCpu) {}

  /** What every run uses: the template, the playbook, the pinned commits. */
  private record Work(
      Path template,
      Path playbook,
      Path inventoryDir,
      Path tunedCfg,
      Path defaultCfg,
      Path ansibleBin,
      Path key,
      Path mayfly,
      Path work,
      String gitUrl,
      String serviceCommit,
      String dataCommit) {}

  private static Work prepare(
      Path project, Path work, Path gitBase, GitDaemon server, SshdHosts hosts, Path ansibleBin)
      throws Exception {
    Path template =
        ServiceTemplate.write(work, "fanout", "sleep 2", server.url("data"), server.url("service"));
    // the service folder ServiceTemplate wrote, as a repo git daemon serves; and a data repo
    String serviceCommit =
        repoOf(ServiceTemplate.service(work, "fanout"), gitBase.resolve("service"));
    Path data = Files.createDirectories(work.resolve("data-src"));
    Files.writeString(data.resolve("index.html"), "<h1>fan-out</h1>\n");
    String dataCommit = repoOf(data, gitBase.resolve("data"));
    Path known = work.resolve("known_hosts");
    Files.write(known, hosts.all().stream().map(SshdHosts.Host::knownHostsLine).toList());
    Path cp = Files.createDirectories(work.resolve("cp"));
    String sshArgs = " -o UserKnownHostsFile=" + known + " -o StrictHostKeyChecking=yes";
    Path tuned = work.resolve("ansible-tuned.cfg");
    Files.writeString(
        tuned,
        String.join(
            "\n",
            "[defaults]",
            "gathering = explicit",
            "interpreter_python = /usr/bin/python3",
            "host_key_checking = True",
            "[ssh_connection]",
            "pipelining = True",
            "control_path_dir = " + cp,
            "ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s" + sshArgs,
            ""));
    Path defaults = work.resolve("ansible-default.cfg");
    // Ansible's defaults, but for trusting exactly these hosts' keys (its ssh_args default plus
    // the known_hosts file)
    Files.writeString(
        defaults,
        String.join(
            "\n",
            "[defaults]",
            "host_key_checking = True",
            "[ssh_connection]",
            "control_path_dir = " + cp,
            "ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s" + sshArgs,
            ""));
    Path playbook = work.resolve("fanout.yml");
    Files.writeString(playbook, PLAYBOOK);
    return new Work(
        template,
        playbook,
        Files.createDirectories(work.resolve("inventories")),
        tuned,
        defaults,
        ansibleBin,
        hosts.userKey(),
        project.resolve("bin/mayfly"),
        work,
        server.url("").replaceAll("/$", ""),
        serviceCommit,
        dataCommit);
  }

  /** The same steps mayfly takes on each host, with the modules a playbook would use. */
  private static final String PLAYBOOK =
      String.join(
          "\n",
          "- hosts: all",
          "  gather_facts: \"{{ facts | bool }}\"",
          "  vars:",
          "    root: \"/root/fva/{{ run }}\"",
          "  tasks:",
          "    - name: service repo at the pinned commit",
          "      git: {repo: \"{{ git_url }}/service\", dest: \"{{ root }}/service\","
              + " version: \"{{ service_commit }}\", depth: 1}",
          "    - name: data repo at the pinned commit",
          "      git: {repo: \"{{ git_url }}/data\", dest: \"{{ root }}/data\","
              + " version: \"{{ data_commit }}\", depth: 1}",
          "    - name: parameters",
          "      copy: {dest: \"{{ root }}/app.env\", content: \"PORT=8080\\n\", mode: \"0600\"}",
          "    - name: installer",
          "      shell: sleep 2",
          "      args: {chdir: \"{{ root }}/service\"}",
          "    - name: start",
          "      shell: nohup perl serve.pl 8080 > ../service.log 2>&1 < /dev/null &",
          "      args: {chdir: \"{{ root }}/service\"}",
          "    - name: health, from the controller as mayfly checks it",
          "      uri: {url: \"http://{{ ansible_host }}:8080/\", status_code: 200}",
          "      delegate_to: localhost",
          "      register: health",
          "      until: health.status == 200",
          "      retries: 60",
          "      delay: 1",
          "");

  private static void warm(String launcher) throws Exception {
    Process p =
        new ProcessBuilder(launcher, "--version")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(launcher + " --version failed");
    }
  }

  private static Measure once(
      String side, int n, int run, Work w, SshdHosts hosts, Cgroup controller, Cgroup hostGroup)
      throws Exception {
    List<SshdHosts.Host> on = hosts.all().subList(0, n);
    String name = "fva-" + side.charAt(0) + n + "-" + run;
    List<String> command = new ArrayList<>();
    Map<String, String> env = new LinkedHashMap<>();
    boolean baseline = side.equals("baseline");
    if (side.equals("mayfly") || baseline) {
      command.addAll(
          List.of(
              baseline ? System.getenv("MAYFLY_BENCH_BASELINE") : w.mayfly.toString(),
              "launch",
              "--file",
              w.template.toString(),
              "--name",
              name,
              "--target",
              "ssh",
              "--identity",
              w.key.toString(),
              "--git-mode",
              "pull",
              "--parallel",
              Integer.toString(n)));
      for (SshdHosts.Host h : on) {
        command.addAll(List.of("--host", h.login()));
      }
      env.put("MAYFLY_HOME", w.work.resolve(baseline ? "state-baseline" : "state").toString());
      // a flight recording of each launch (jfr print --events jdk.ExecutionSample), when asked for
      // and JVM options of this side's launches (-XX:+CITime and the like), when asked for
      String jfr = System.getenv("MAYFLY_BENCH_JFR");
      String options = System.getenv(baseline ? "MAYFLY_BENCH_BASELINE_OPTS" : "MAYFLY_BENCH_OPTS");
      String tool =
          (options == null ? "" : options + " ")
              + (jfr == null
                  ? ""
                  : "-XX:StartFlightRecording=settings=profile,filename="
                      + jfr
                      + "/"
                      + name
                      + ".jfr");
      if (!tool.isBlank()) {
        env.put("JAVA_TOOL_OPTIONS", tool.strip());
      }
    } else {
      boolean tuned = side.equals("ansible-tuned");
      Path inventory = w.inventoryDir.resolve(name + ".ini");
      List<String> lines = new ArrayList<>(List.of("[all]"));
      for (int i = 0; i < on.size(); i++) {
        lines.add("h" + i + " ansible_host=" + on.get(i).address());
      }
      lines.add("[all:vars]");
      lines.add("ansible_user=root");
      lines.add("ansible_ssh_private_key_file=" + w.key);
      lines.add("git_url=" + w.gitUrl);
      Files.write(inventory, lines);
      command.addAll(
          List.of(
              w.ansibleBin.resolve("ansible-playbook").toString(),
              "-i",
              inventory.toString(),
              w.playbook.toString(),
              "-e",
              "run=" + name,
              "-e",
              "facts=" + !tuned,
              "-e",
              "service_commit=" + w.serviceCommit,
              "-e",
              "data_commit=" + w.dataCommit));
      if (tuned) {
        command.addAll(List.of("--forks", Integer.toString(n)));
      }
      env.put("ANSIBLE_CONFIG", (tuned ? w.tunedCfg : w.defaultCfg).toString());
    }
    long cpuBefore = controller.cpuMicros();
    long hostsBefore = hostGroup.cpuMicros();
    long start = System.nanoTime();
    int exit = controller.runIn(command, env, w.work.resolve("logs/" + name + ".log"));
    double wall = (System.nanoTime() - start) / 1e9;
    // what the run left in the group (ssh masters kept by ControlPersist) counts, then ends
    controller.killAll();
    double controllerCpu = (controller.cpuMicros() - cpuBefore) / 1e6;
    double hostsCpu = (hostGroup.cpuMicros() - hostsBefore) / 1e6;
    if (exit != 0) {
      throw new IllegalStateException(
          side
              + " on "
              + n
              + " host(s) failed (exit "
              + exit
              + "): see "
              + w.work.resolve("logs/" + name + ".log")
              + "\n"
              + Files.readString(w.work.resolve("logs/" + name + ".log")));
    }
    // not timed: end what the run started, so every run starts from the same hosts
    if (side.equals("mayfly") || baseline) {
      controller.runIn(
          List.of(command.get(0), "terminate", name),
          Map.of("MAYFLY_HOME", env.get("MAYFLY_HOME")),
          w.work.resolve("logs/" + name + "-terminate.log"));
      controller.killAll();
    }
    for (SshdHosts.Host h : on) {
      h.killOthers();
    }
    return new Measure(wall, controllerCpu, hostsCpu);
  }

  private static void print(
      Map<String, List<Measure>> results, List<String> sides, int[] counts, int runs) {
    System.out.printf(
        "%n%-16s %4s %9s %12s %11s %11s%n",
        "SIDE", "N", "WALL-S", "CONTROLLER-S", "HOSTS-S", "WALL/MAYFLY");
    Map<String, Measure> medians = new LinkedHashMap<>();
    for (int n : counts) {
      for (String side : sides) {
        List<Measure> ms = results.get(side + "/" + n);
        Measure m =
            new Measure(
                median(ms.stream().map(Measure::wall).toList()),
                median(ms.stream().map(Measure::controllerCpu).toList()),
                median(ms.stream().map(Measure::hostsCpu).toList()));
        medians.put(side + "/" + n, m);
        System.out.printf(
            Locale.ROOT,
            "%-16s %4d %9.2f %12.2f %11.2f %11.2f%n",
            side,
            n,
            m.wall,
            m.controllerCpu,
            m.hostsCpu,
            m.wall / medians.get("mayfly/" + n).wall);
      }
    }
    int big = Arrays.stream(counts).max().orElseThrow();
    int small = Arrays.stream(counts).min().orElseThrow();
    Measure mayflyBig = medians.get("mayfly/" + big);
    Measure tunedBig = medians.get("ansible-tuned/" + big);
    for (String side : sides.stream().filter(x -> !x.startsWith("ansible")).toList()) {
      if (big == small) {
        break;
      }
      Measure large = medians.get(side + "/" + big);
      Measure one = medians.get(side + "/" + small);
      System.out.printf(
          Locale.ROOT,
          "%s per extra host: controller CPU %.0f ms, hosts CPU %.0f ms (goals <=50, <=100);"
              + " t%d - t%d = %.2f s (goal <=1)%n",
          side,
          1000 * (large.controllerCpu - one.controllerCpu) / (big - small),
          1000 * (large.hostsCpu - one.hostsCpu) / (big - small),
          big,
          small,
          large.wall - one.wall);
    }
    if (tunedBig == null) {
      System.out.printf(
          Locale.ROOT,
          "medians of %d run(s), mayfly only; RESULT fanout-vs-ansible needs Ansible's side%n",
          runs);
      return;
    }
    System.out.printf(
        Locale.ROOT,
        "medians of %d run(s); installer sleeps 2 s; CPU from cgroup v2 cpu.stat; hosts share this"
            + " machine's cores; goal cpu-ratio<=0.1; wall-ratio=%.3f at N=%d%n",
        runs,
        mayflyBig.wall / tunedBig.wall,
        big);
    System.out.printf(
        Locale.ROOT,
        "RESULT fanout-vs-ansible cpu-ratio=%.3f%n",
        mayflyBig.controllerCpu / tunedBig.controllerCpu);
  }

  private static double median(List<Double> xs) {
    List<Double> sorted = xs.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** {@code folder}'s files committed in a new repo at {@code repo}; its commit. */
  private static String repoOf(Path folder, Path repo) throws Exception {
    Trees.copyInto(folder, repo);
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      git.add().addFilepattern(".").call();
      return git.commit()
          .setMessage("bench")
          .setSign(false)
          .setAuthor("bench", "bench@example.org")
          .setCommitter("bench", "bench@example.org")
          .call()
          .name();
    }
  }

  /** ansible-core from PyPI in its own venv under target/, installed once. */
  private static Path installAnsible(Path project) throws Exception {
    Path venv = project.resolve("target/ansible-venv");
    Path bin = venv.resolve("bin");
    if (!Files.isExecutable(bin.resolve("ansible-playbook"))) {
      System.err.println("installing ansible-core into " + venv + " (once)");
      exec(List.of("python3", "-m", "venv", venv.toString()));
      exec(List.of(bin.resolve("pip").toString(), "install", "-q", "ansible-core"));
    }
    return bin;
  }

  private static void exec(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed");
    }
  }

  /** Copies plain files of {@code from} (one level) into {@code to}. */
  private static final class Trees {
    static void copyInto(Path from, Path to) throws IOException {
      Files.createDirectories(to);
      try (var files = Files.list(from)) {
        for (Path f : files.toList()) {
          if (Files.isRegularFile(f)) {
            Files.copy(f, to.resolve(f.getFileName()));
          }
        }
      }
    }
  }

  /**
   * A cgroup v2 group of its own (the unified hierarchy, also where v1 controllers are mounted
   * beside it): {@code cpu.stat}'s usage_usec counts every process in it and their children.
   */
  static final class Cgroup {
    private final Path dir;

    private Cgroup(Path dir) {
      this.dir = dir;
    }

    static Cgroup create(String name) throws IOException {
      Path root = unifiedRoot();
      Path dir = root.resolve(name);
      Files.createDirectories(dir);
      return new Cgroup(dir);
    }

    /** Where cgroup2 is mounted: /sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid system. */
    private static Path unifiedRoot() throws IOException {
      for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
        String[] f = line.split(" ");
        if (f.length > 2 && f[2].equals("cgroup2") && Files.isWritable(Path.of(f[1]))) {
          return Path.of(f[1]);
        }
      }
      throw new IllegalStateException(
          "no writable cgroup v2 hierarchy (mount -t cgroup2 none /sys/fs/cgroup/unified)");
    }

    Cgroup child(String name) throws IOException {
      return new Cgroup(Files.createDirectories(dir.resolve(name)));
    }

    void add(long pid) throws IOException {
      Files.writeString(dir.resolve("cgroup.procs"), Long.toString(pid));
    }

    long cpuMicros() throws IOException {
      for (String line : Files.readAllLines(dir.resolve("cpu.stat"))) {
        if (line.startsWith("usage_usec ")) {
          return Long.parseLong(line.substring("usage_usec ".length()).strip());
        }
      }
      throw new IllegalStateException("no usage_usec in " + dir.resolve("cpu.stat"));
    }

    /** Runs {@code command} inside this group from its first instruction on; its exit code. */
    int runIn(List<String> command, Map<String, String> env, Path log) throws Exception {
      List<String> wrapped =
          new ArrayList<>(
              List.of(
                  "sh",
                  "-c",
                  "echo $$ > \"$0\" && exec \"$@\"",
                  dir.resolve("cgroup.procs").toString()));
      wrapped.addAll(command);
      Files.createDirectories(log.getParent());
      ProcessBuilder pb =
          new ProcessBuilder(wrapped).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(30, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " timed out");
      }
      return p.exitValue();
    }

    /** Ends every process still in the group (and waits until it is empty). */
    void killAll() throws Exception {
      for (int round = 0; round < 50; round++) {
        List<String> pids =
            Files.readAllLines(dir.resolve("cgroup.procs"), StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank())
                .toList();
        if (pids.isEmpty()) {
          return;
        }
        for (String pid : pids) {
          ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
        }
        Thread.sleep(100);
      }
    }

    /** Removes the groups (they must be empty: the hosts' sshd are gone by then). */
    void remove() throws IOException {
      try (var children = Files.list(dir)) {
        for (Path c : children.filter(Files::isDirectory).toList()) {
          Files.deleteIfExists(c);
        }
      }
      Files.deleteIfExists(dir);
    }
  }
}
