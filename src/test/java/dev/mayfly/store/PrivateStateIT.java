package dev.mayfly.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.MayflyException;
import dev.mayfly.schedule.DaemonProcess;
import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.TinyService;
import java.io.IOException;
import java.io.Reader;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state folder and its registry belong to the user who runs mayfly, and nobody else. */
class PrivateStateIT {
  @TempDir Path home;
  private static final ObjectMapper JSON = new ObjectMapper();

  private DaemonProcess daemon;
  private MayflyCli mayfly;

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
    if (mayfly != null && Files.exists(mayfly.stateDir().resolve(RegistryFile.FILE))) {
      for (String id : List.of("first", "second", "victim")) {
        mayfly.run("terminate", id);
      }
    }
  }

  @Test
  void anotherUserCanNeitherReadTheStateNorConnectWhileADaemonAndALaunchUseIt() throws Exception {
    requireRoot();
    // only the state folder's own modes may keep `nobody` out, not a private temp folder around it
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
    mayfly = new MayflyCli(home, TinyService.write(home.resolve("checkout")));
    launch("first");
    daemon =
        DaemonProcess.start(
            Map.of(
                "HOME",
                home.toString(),
                "MAYFLY_HOME",
                mayfly.stateDir().toString(),
                "PATH",
                System.getenv("PATH")),
            home.resolve("daemon.log"),
            "--poll",
            "1s");
    launch("second"); // through the daemon's server: the daemon opened the file first

    Path state = mayfly.stateDir();
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
    try (Stream<Path> files = Files.list(state)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertEquals(
            "rw-------",
            PosixFilePermissions.toString(Files.getPosixFilePermissions(f)),
            f.toString());
      }
    }
    for (String file :
        List.of("", "registry.mv.db", "registry.lock.db", "registry.password", "seal.key")) {
      Result read = asNobody("cat", state.resolve(file).toString());
      assertNotEquals(0, read.exit, "nobody read " + state.resolve(file) + ": " + read);
      assertTrue(read.out.contains("Permission denied"), read.toString());
    }

    // what the attacker did: the AUTO_SERVER address and key from the lock file (handed over here,
    // as nobody
    // cannot read it any more), the H2 jar, the login mayfly with an empty password
    Properties lock = new Properties();
    try (Reader in = Files.newBufferedReader(state.resolve("registry.lock.db"))) {
      lock.load(in);
    }
    String port = lock.getProperty("server").replaceAll(".*:", "");
    String listeners = run(List.of("ss", "-Htln", "sport = :" + port)).out;
    assertTrue(
        Pattern.compile("127\\.0\\.0\\.1\\]?:" + port + "\\b").matcher(listeners).find(),
        "the registry server listens on loopback: " + listeners);
    assertFalse(
        listeners.matches("(?s).*(\\*|0\\.0\\.0\\.0|\\[::\\]):" + port + "\\b.*"), listeners);
    Path h2 = home.resolve("h2.jar");
    Files.copy(
        Path.of(org.h2.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI()),
        h2);
    Files.setPosixFilePermissions(h2, PosixFilePermissions.fromString("rw-r--r--"));
    String url = "jdbc:h2:tcp://127.0.0.1:" + port + "/" + lock.getProperty("id");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    Result attack =
        asNobody(
            java,
            "-cp",
            h2.toString(),
            "org.h2.tools.Shell",
            "-url",
            url,
            "-user",
            "mayfly",
            "-password",
            "",
            "-sql",
            "UPDATE deployment SET spec_json = 'x'");
    assertNotEquals(0, attack.exit, attack.toString());
    assertTrue(attack.out.contains("Wrong user name or password"), attack.toString());
    // the control: the same way in with the password works, so the refusal above is the password's
    // doing
    String password = Database.embedded(state).password();
    Result control =
        asNobody(
            java,
            "-cp",
            h2.toString(),
            "org.h2.tools.Shell",
            "-url",
            url,
            "-user",
            "mayfly",
            "-password",
            password,
            "-sql",
            "SELECT COUNT(*) FROM deployment");
    assertEquals(0, control.exit, control.toString());
    assertTrue(daemon.alive(), daemon::log);
  }

  @Test
  void aFrozenTemplateChangedInTheDatabaseIsRefusedNotRun() throws Exception {
    mayfly = new MayflyCli(home, TinyService.write(home.resolve("checkout")));
    launch("victim");
    Path pwned = home.resolve("pwned");
    try (Connection c = connect(mayfly.stateDir());
        Statement st = c.createStatement()) {
      assertEquals(
          1,
          st.executeUpdate(
              "UPDATE deployment SET spec_json = REPLACE(spec_json, 'ls greeting.txt',"
                  + " 'touch "
                  + pwned
                  + "') WHERE id = 'victim'"));
    }
    MayflyCli.Result sync = mayfly.run("sync", "victim");
    assertEquals(1, sync.exit(), sync::toString);
    assertEquals(
        "mayfly: deployment victim: its frozen template was changed outside mayfly; refusing to run it\n",
        sync.err());
    assertFalse(Files.exists(pwned), "the injected publish command ran");
    assertEquals(0, mayfly.run("list").exit(), "list still shows it");

    // ending it runs only mayfly's own steps, so a changed row cannot keep its service alive
    URI url =
        URI.create(
            JSON.readTree(mayfly.run("list", "--output", "json").out()).get(0).get("url").asText());
    MayflyCli.Result terminate = mayfly.run("terminate", "victim");
    assertEquals(0, terminate.exit(), terminate::toString);
    assertFalse(Files.exists(pwned), "terminate ran the injected command");
    assertThrows(
        ConnectException.class,
        () -> new Socket(url.getHost(), url.getPort()).close(),
        "the victim's service still answers at " + url);
  }

  @Test
  void aRegistryMadeWithTheOldEmptyPasswordGetsARandomOneOnOpen() throws Exception {
    Path state = PrivateFiles.stateFolder(home.resolve("state"));
    try (Connection old = DriverManager.getConnection(Database.h2(state), "mayfly", "")) {
      assertTrue(old.isValid(5));
    }
    try (Registry registry = Registry.open(state)) {
      assertTrue(registry.list().isEmpty());
    }
    SQLException refused =
        assertThrows(
            SQLException.class,
            () -> DriverManager.getConnection(Database.h2(state), "mayfly", "").close());
    assertEquals(RegistryErrors.WRONG_USER_OR_PASSWORD, refused.getErrorCode());
    String password = Files.readString(state.resolve(Database.PASSWORD_FILE)).strip();
    assertTrue(password.matches("[0-9a-f]{64}"), "a random password, kept in the state folder");
    DriverManager.getConnection(Database.h2(state), "mayfly", password).close();
  }

  @Test
  void aLooseStateFolderOfOursIsMadePrivateAndOneOfAnotherUserIsRefused() throws Exception {
    Path state = Files.createDirectories(home.resolve("loose"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path log = Files.writeString(state.resolve("daemon.log"), "x");
    Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-r--r--"));
    PrivateFiles.stateFolder(state);
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));

    requireRoot();
    Path theirs = Files.createDirectories(home.resolve("theirs"));
    assertEquals(0, run(List.of("chown", "nobody", theirs.toString())).exit);
    MayflyException e = assertThrows(MayflyException.class, () -> PrivateFiles.stateFolder(theirs));
    assertTrue(
        e.getMessage().startsWith("the state folder " + theirs + " belongs to another user"),
        e.getMessage());
  }

  @Test
  void aTamperedHostKeyPinIsNotTrusted() throws Exception {
    Path state = PrivateFiles.stateFolder(home.resolve("state"));
    try (Registry registry = Registry.open(state)) {
      registry.pinHostKey(
          new Registry.HostKeyRow("10.0.0.1:22", "ssh-ed25519", "SHA256:a", "AAAA", Instant.now()));
      assertEquals("AAAA", registry.hostKey("10.0.0.1:22").orElseThrow().publicKey());
    }
    try (Connection c = connect(state);
        Statement st = c.createStatement()) {
      st.executeUpdate("UPDATE host_key SET public_key = 'BBBB'");
      st.executeUpdate(
          "INSERT INTO host_key (host_port, algorithm, fingerprint, public_key, first_seen)"
              + " VALUES ('10.0.0.2:22', 'ssh-ed25519', 'SHA256:b', 'CCCC', CURRENT_TIMESTAMP)");
    }
    try (Registry registry = Registry.open(state)) {
      for (String hostPort : List.of("10.0.0.1:22", "10.0.0.2:22")) {
        MayflyException e = assertThrows(MayflyException.class, () -> registry.hostKey(hostPort));
        assertTrue(
            e.getMessage()
                .startsWith("the host key pinned for " + hostPort + " was changed outside mayfly"),
            e.getMessage());
      }
      assertTrue(registry.forgetHostKey("10.0.0.2:22"), "a bad pin can still be forgotten");
    }
  }

  private void launch(String name) {
    MayflyCli.Result r = mayfly.run("launch", "tiny", "--name", name);
    assertEquals(0, r.exit(), r::toString);
  }

  private static Connection connect(Path state) throws SQLException {
    return DriverManager.getConnection(
        Database.h2(state), "mayfly", Database.embedded(state).password());
  }

  /**
   * Root runs the test; `nobody` plays the other local user. Skipped loudly elsewhere, never on CI.
   */
  private static void requireRoot() {
    boolean root = "root".equals(System.getProperty("user.name"));
    if (!root && "true".equals(System.getenv("CI"))) {
      fail("PrivateStateIT must run as root on CI: it acts as `nobody` through runuser");
    }
    if (!root) {
      System.err.println(
          "PrivateStateIT: SKIPPED the other-user checks: not root, cannot act as `nobody`");
    }
    Assumptions.assumeTrue(root, "needs root to act as nobody");
  }

  private static Result asNobody(String... command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>(List.of("runuser", "-u", "nobody", "--"));
    full.addAll(List.of(command));
    return run(full);
  }

  private static Result run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("still running after 60s: " + command);
    }
    return new Result(
        p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private record Result(int exit, String out) {}
}
