package dev.mayfly.provider.local;

import dev.mayfly.MayflyException;
import dev.mayfly.host.HostShell;
import dev.mayfly.host.LocalShell;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.Launched;
import dev.mayfly.provider.OwnedHost;
import dev.mayfly.provider.Provider;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Hosts that are sandbox folders on this machine: {@code <state>/sandboxes/<deployment>/host-N/},
 * the deployment root in its {@code root/} and the host's ports in {@code host.properties}.
 * Services bind ports picked free here, so any number of deployments of one template can run side
 * by side. A port is reserved by writing it into {@code host.properties} under a lock shared by
 * every mayfly process of this state folder, so two launches at once never pick the same one before
 * either service binds it.
 */
final class LocalProvider implements Provider {
  private static final String LOOPBACK = "127.0.0.1";
  private static final String PORTS_LOCK = ".ports.lock";
  private final Path sandboxes;
  private final Optional<String> registryId;

  /**
   * @param registryId the registry of this state folder, whose sandboxes these are
   */
  LocalProvider(Path stateDir, Optional<String> registryId) {
    this.sandboxes = stateDir.resolve("sandboxes");
    this.registryId = registryId;
  }

  @Override
  public Launched launch(LaunchRequest request) {
    List<Host> hosts = new ArrayList<>();
    for (int i = 1; i <= request.count(); i++) {
      Path dir = sandboxes.resolve(request.deploymentId()).resolve("host-" + i);
      Host existing = read(dir);
      hosts.add(existing != null ? existing : create(dir, "host-" + i, request.ports()));
    }
    return Launched.all(hosts);
  }

  private Host create(Path dir, String id, Map<String, Integer> templatePorts) {
    try {
      // not root/: the host script creates it, with its marker, as on any other host
      Files.createDirectories(dir);
      Map<String, Integer> ports;
      // the file lock keeps other processes out; the monitor, other threads of this one (Java
      // refuses a second
      // lock of one file in one process)
      synchronized (LocalProvider.class) {
        ports = reserve(dir, templatePorts.keySet());
      }
      return new Host(id, LOOPBACK, ports, Optional.of(dir.resolve("root").toString()));
    } catch (IOException e) {
      throw MayflyException.failed("cannot create sandbox " + dir + ": " + e.getMessage());
    }
  }

  /** Picks a port per name and writes them down, all under the state folder's port lock. */
  private Map<String, Integer> reserve(Path dir, Set<String> names) throws IOException {
    try (FileChannel lock =
            FileChannel.open(
                sandboxes.resolve(PORTS_LOCK),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock held = lock.lock()) {
      Set<Integer> taken = reservedPorts();
      Map<String, Integer> ports = new LinkedHashMap<>();
      for (String name : names) {
        ports.put(name, freePort(taken));
      }
      Properties props = new Properties();
      ports.forEach((name, port) -> props.setProperty("port." + name, Integer.toString(port)));
      try (Writer out = Files.newBufferedWriter(dir.resolve("host.properties"))) {
        props.store(out, "mayfly local host");
      }
      return ports;
    }
  }

  /** Ports written down by the sandboxes of this state folder, bound yet or not. */
  private Set<Integer> reservedPorts() throws IOException {
    Set<Integer> taken = new HashSet<>();
    try (Stream<Path> deployments = Files.list(sandboxes)) {
      for (Path deployment : deployments.filter(Files::isDirectory).toList()) {
        try (Stream<Path> hosts = Files.list(deployment)) {
          hosts
              .map(LocalProvider::read)
              .filter(h -> h != null)
              .forEach(h -> taken.addAll(h.ports().values()));
        }
      }
    }
    return taken;
  }

  private static Host read(Path dir) {
    Path file = dir.resolve("host.properties");
    if (!Files.isRegularFile(file)) {
      return null;
    }
    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      props.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Integer> ports = new LinkedHashMap<>();
    props.stringPropertyNames().stream()
        .filter(k -> k.startsWith("port."))
        .sorted()
        .forEach(k -> ports.put(k.substring(5), Integer.parseInt(props.getProperty(k))));
    return new Host(
        dir.getFileName().toString(), LOOPBACK, ports, Optional.of(dir.resolve("root").toString()));
  }

  /** A port free now and not reserved; added to {@code taken}. */
  private static int freePort(Set<Integer> taken) {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
        if (taken.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      } catch (IOException e) {
        throw MayflyException.failed("no free port on " + LOOPBACK + ": " + e.getMessage());
      }
    }
    throw MayflyException.failed("no free port on " + LOOPBACK + " that no sandbox reserved");
  }

  @Override
  public List<Host> describe(String deploymentId) {
    Path dir = sandboxes.resolve(deploymentId);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(dir)) {
      return children.sorted().map(LocalProvider::read).filter(h -> h != null).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void terminate(String deploymentId, List<Host> hosts) {
    Path dir = sandboxes.resolve(deploymentId);
    if (!Files.isDirectory(dir)) {
      return;
    }
    for (Host host : describe(deploymentId)) {
      // root/, and the root.rN/ a recycle switched to
      try (Stream<Path> roots = Files.list(dir.resolve(host.id()))) {
        roots
            .filter(p -> p.getFileName().toString().startsWith("root"))
            .forEach(p -> killServiceTree(p.resolve("run/service.pid")));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    killWorkingIn(dir);
    deleteTree(dir);
  }

  /**
   * Ends every process whose working folder is in the sandbox: the host script and the installer or
   * publish command of a launch whose mayfly was killed, which no service pid file names. Linux
   * only (/proc); the folder may be deleted already, the link then ends in " (deleted)".
   */
  private static void killWorkingIn(Path dir) {
    String prefix = dir.toAbsolutePath() + "/";
    for (int round = 0; round < 3; round++) {
      List<ProcessHandle> inside =
          ProcessHandle.allProcesses()
              .filter(
                  p -> {
                    try {
                      return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd"))
                          .toString()
                          .startsWith(prefix);
                    } catch (IOException | UnsupportedOperationException | SecurityException e) {
                      return false; // gone, not ours to see, or no /proc here
                    }
                  })
              .toList();
      if (inside.isEmpty()) {
        return;
      }
      inside.forEach(ProcessHandle::destroyForcibly);
    }
  }

  /** Belt and braces after the host script's own stop: the whole group and anything it spawned. */
  private static void killServiceTree(Path pidFile) {
    if (!Files.isRegularFile(pidFile)) {
      return;
    }
    try {
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      ProcessHandle.of(pid)
          .ifPresent(
              root -> {
                root.descendants().forEach(ProcessHandle::destroyForcibly);
                root.destroyForcibly();
              });
      new ProcessBuilder("kill", "-KILL", "--", "-" + pid)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor();
    } catch (IOException | NumberFormatException e) {
      // nothing left to kill
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw MayflyException.failed("cannot remove sandbox " + dir + ": " + e.getMessage());
    }
  }

  @Override
  public HostShell open(Host host) {
    // the sandbox, where the root is made: it need not exist yet
    Path sandbox = Path.of(host.root().orElseThrow()).getParent();
    Map<String, String> env = new HashMap<>();
    for (String name : List.of("PATH", "HOME", "LANG", "JAVA_HOME", "TMPDIR", "USER")) {
      String value = System.getenv(name);
      if (value != null) {
        env.put(name, value);
      }
    }
    return new LocalShell(sandbox, env);
  }

  @Override
  public boolean hostsSeeControllerFiles() {
    return true;
  }

  @Override
  public boolean hostsAreThisMachine() {
    return true;
  }

  @Override
  public List<OwnedHost> owned() {
    if (!Files.isDirectory(sandboxes)) {
      return List.of();
    }
    try (Stream<Path> deployments = Files.list(sandboxes)) {
      return deployments
          .map(d -> d.getFileName().toString())
          .flatMap(
              id ->
                  describe(id).stream()
                      .map(h -> new OwnedHost(id, h, Optional.empty(), registryId)))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
