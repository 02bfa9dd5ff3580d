package dev.mayfly.provider.metaleuca;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A real cobblerd (PyPI cobbler 3.3.10, installed by .ci/run) on 127.0.0.1, in a private mount
 * namespace (run-cobblerd.sh says why), seeded with a distro backed by dummy kernel and initrd
 * files, and power type {@code mayfly}: a fence agent that records each call in {@code fence.log}
 * instead of switching power. Nothing installs on a fake machine, so {@link #finishInstall} plays
 * the installer's last step: Cobbler's {@code disable_netboot}, which pxe_just_once clears netboot
 * with. {@link #autoInstall} does it for every machine that is powered on.
 */
final class RealCobbler implements AutoCloseable {
  static final String USER = "cobbler";
  static final String PASSWORD = "cobbler"; // the stock users.digest of the package
  private final Path root;
  private final Process process;
  private final URI url;
  private final XmlRpc rpc;
  private String token;
  private Thread installer;
  private volatile boolean installing;
  private final Set<String> manual = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private RealCobbler(Path root, Process process, int port) {
    this.root = root;
    this.process = process;
    try {
      this.url = new URI("http://127.0.0.1:" + port + "/");
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    this.rpc = new XmlRpc(url, Duration.ofSeconds(30));
  }

  static RealCobbler start(Path root) throws Exception {
    Path script = Path.of(RealCobbler.class.getResource("run-cobblerd.sh").toURI());
    Files.createDirectories(root.resolve("sbin"));
    Files.createDirectories(root.resolve("boot"));
    Files.writeString(root.resolve("boot/vmlinuz"), "not a kernel\n");
    Files.writeString(root.resolve("boot/initrd.img"), "not an initrd\n");
    Path fence = root.resolve("sbin/fence_mayfly");
    Files.writeString(
        fence,
        "#!/bin/sh\n"
            + "# power type 'mayfly': records the call, switches nothing\n"
            + "in=$(cat)\n"
            + "action=$(printf '%s\\n' \"$in\" | sed -n 's/^action=//p')\n"
            + "plug=$(printf '%s\\n' \"$in\" | sed -n 's/^plug=//p')\n"
            + "printf '%s %s\\n' \"$plug\" \"$action\" >> "
            + root.resolve("fence.log")
            + "\n");
    Files.setPosixFilePermissions(fence, PosixFilePermissions.fromString("rwxr-xr-x"));
    int port = freePort();
    ProcessBuilder pb =
        new ProcessBuilder("bash", script.toString(), root.toString(), Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(root.resolve("cobblerd.out").toFile());
    String venv = System.getenv("COBBLER_VENV");
    if (venv != null) {
      pb.environment().put("COBBLER_VENV", venv);
    }
    RealCobbler cobbler = new RealCobbler(root, pb.start(), port);
    cobbler.awaitUp();
    return cobbler;
  }

  private void awaitUp() throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        token = (String) rpc.call("login", USER, PASSWORD);
        return;
      } catch (XmlRpc.Unreachable e) {
        if (!process.isAlive() || System.nanoTime() > end) {
          throw new IllegalStateException(
              "cobblerd did not start (install it with .ci/run's cobbler block): "
                  + Files.readString(root.resolve("cobblerd.out")));
        }
        Thread.sleep(200);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  URI url() {
    return url;
  }

  Object call(String method, Object... args) throws Exception {
    return rpc.call(method, args);
  }

  void distro(String name) throws Exception {
    Object h = call("new_distro", token);
    modify(
        "distro",
        h,
        Map.of(
            "name",
            name,
            "kernel",
            root.resolve("boot/vmlinuz").toString(),
            "initrd",
            root.resolve("boot/initrd.img").toString(),
            "arch",
            "x86_64",
            "breed",
            "redhat",
            "os_version",
            "rhel8"));
    call("save_distro", h, token);
  }

  void profile(String name, String distro) throws Exception {
    Object h = call("new_profile", token);
    call("modify_profile", h, "name", name, token);
    call("modify_profile", h, "distro", distro, token);
    call("save_profile", h, token);
  }

  /**
   * A machine. {@code owner} null leaves owners inherited ({@code <<inherit>>}); {@code powered}
   * false leaves it without power management.
   */
  void system(String name, String ip, String profile, String owner, String comment, boolean powered)
      throws Exception {
    Object h = call("new_system", token);
    call("modify_system", h, "name", name, token);
    call("modify_system", h, "profile", profile, token);
    call(
        "modify_system",
        h,
        "modify_interface",
        Map.of(
            "ip_address-eth0",
            ip,
            "mac_address-eth0",
            "52:54:00:"
                + String.format(
                    "%02x:%02x:%02x",
                    ip.hashCode() & 0xff,
                    (ip.hashCode() >> 8) & 0xff,
                    (ip.hashCode() >> 16) & 0xff)),
        token);
    if (owner != null) {
      call("modify_system", h, "owners", List.of(owner), token);
    }
    call("modify_system", h, "comment", comment, token);
    if (powered) {
      call("modify_system", h, "power_type", "mayfly", token);
      call("modify_system", h, "power_user", "ipmi", token);
      call("modify_system", h, "power_pass", "ipmi", token);
      call("modify_system", h, "power_id", name, token);
    }
    call("save_system", h, token);
  }

  private void modify(String what, Object handle, Map<String, String> fields) throws Exception {
    for (Map.Entry<String, String> f : fields.entrySet()) {
      call("modify_" + what, handle, f.getKey(), f.getValue(), token);
    }
  }

  /** Replaces a system's whole comment, as a lab admin or another registry does. */
  void comment(String system, String comment) throws Exception {
    Object h = call("get_system_handle", system, token);
    call("modify_system", h, "comment", comment, token);
    call("save_system", h, token);
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> systemView(String name) throws Exception {
    return (Map<String, Object>) call("get_system", name, false, false);
  }

  /** Each fence agent call so far: {@code "<system> off"}, {@code "<system> on"}. */
  List<String> fenceCalls() throws IOException {
    Path log = root.resolve("fence.log");
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  /** The installer's last step on {@code system}: netboot off, as pxe_just_once does. */
  void finishInstall(String system) throws Exception {
    call("disable_netboot", system);
  }

  /** Leaves these machines to {@link #finishInstall}: they stay pending until the test says. */
  void pauseAutoInstall(String... systems) {
    manual.addAll(List.of(systems));
  }

  /**
   * Waits (bounded: a stuck launch fails the test, not hangs it) until the fence agent saw each
   * call.
   */
  void awaitFence(String... calls) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!fenceCalls().containsAll(List.of(calls))) {
      if (System.nanoTime() > end) {
        throw new AssertionError(
            "fence agent never saw " + List.of(calls) + "; saw " + fenceCalls());
      }
      Thread.sleep(100);
    }
  }

  /** Plays the installer for every machine the fence agent powers on, until closed. */
  void autoInstall() {
    installing = true;
    installer =
        new Thread(
            () -> {
              Set<Integer> seen = new HashSet<>();
              while (installing) {
                try {
                  List<String> calls = fenceCalls();
                  for (int i = 0; i < calls.size(); i++) {
                    String[] parts = calls.get(i).split(" ");
                    if (parts.length == 2
                        && parts[1].equals("on")
                        && !manual.contains(parts[0])
                        && seen.add(i)) {
                      finishInstall(parts[0]);
                    }
                  }
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                } catch (Exception e) {
                  // the next round retries
                }
              }
            },
            "cobbler-installer");
    installer.setDaemon(true);
    installer.start();
  }

  @Override
  public void close() throws Exception {
    installing = false;
    if (installer != null) {
      installer.interrupt();
      installer.join(5000);
    }
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    process.destroy();
    all.forEach(ProcessHandle::destroy);
    process.waitFor();
  }
}
