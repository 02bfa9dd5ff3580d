package dev.mayfly.store;

import dev.mayfly.MayflyException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Which database holds the registry (and the daemon's schedule): an option, else {@code MAYFLY_DB},
 * else {@code db.url} in {@code <state>/mayfly.properties}, else the embedded H2 file in the state
 * folder. The password comes from {@code MAYFLY_DB_PASSWORD} or the properties file, never from a
 * command line (other users can read those), and {@link #toString()} leaves it out. The embedded
 * file's password is random, kept 0600 in the state folder.
 *
 * @param stateDir the state folder it was resolved in (holds the seal key); null only for a bare
 *     URL
 */
public record Database(String url, String user, String password, Path stateDir) {
  public static final String CONFIG_FILE = "mayfly.properties";

  /** The embedded registry's password, made on first use. */
  public static final String PASSWORD_FILE = "registry.password";

  static final String USER = "mayfly";

  static {
    bindLoopback();
  }

  public Database(String url, String user, String password) {
    this(url, user, password, null);
  }

  public static Database resolve(String option, Map<String, String> env, Path stateDir) {
    Properties config = config(stateDir);
    String url = first(option, env.get("MAYFLY_DB"), config.getProperty("db.url"));
    if (url == null) {
      return embedded(stateDir);
    }
    if (!url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:h2:")) {
      throw MayflyException.badInput(
          "--db: '" + Registry.redact(url) + "' is not a jdbc:postgresql:// or jdbc:h2: URL");
    }
    // empty: the URL carries them (?user=...), or the server trusts this machine
    String user =
        Objects.requireNonNullElse(
            first(env.get("MAYFLY_DB_USER"), config.getProperty("db.user")), "");
    String password =
        Objects.requireNonNullElse(
            first(env.get("MAYFLY_DB_PASSWORD"), config.getProperty("db.password")), "");
    return new Database(url, user, password, stateDir);
  }

  /** The embedded H2 file in {@code stateDir}, with its password (made on first use). */
  public static Database embedded(Path stateDir) {
    return new Database(
        h2(stateDir), USER, PrivateFiles.secret(stateDir.resolve(PASSWORD_FILE)), stateDir);
  }

  /**
   * The embedded default. AUTO_SERVER lets the daemon, a launch and a list share the file: the
   * first process serves it over TCP to the others, on loopback only (see {@link #bindLoopback}),
   * behind the key in the 0600 lock file and the password.
   */
  public static String h2(Path stateDir) {
    return h2File(stateDir) + ";AUTO_SERVER=TRUE";
  }

  /**
   * The embedded file for a process that has it to itself (see {@code RegistryFile#openAlone}),
   * which must exist: that open never makes one.
   */
  static String h2Alone(Path stateDir) {
    return h2File(stateDir) + ";IFEXISTS=TRUE";
  }

  private static String h2File(Path stateDir) {
    return "jdbc:h2:file:" + stateDir.resolve("registry").toAbsolutePath() + ";WRITE_DELAY=0";
  }

  /**
   * H2's AUTO_SERVER listens on every interface unless told otherwise. H2 reads this once, when its
   * first class loads, so every path to a connection passes through this class first.
   */
  static void bindLoopback() {
    if (System.getProperty("h2.bindAddress") == null) {
      System.setProperty("h2.bindAddress", "127.0.0.1");
    }
  }

  /** Whether this is the embedded file of its state folder, which mayfly guards itself. */
  public boolean embedded() {
    return stateDir != null && url.equals(h2(stateDir));
  }

  public boolean postgres() {
    return url.startsWith("jdbc:postgresql:");
  }

  /** The state folder's {@code mayfly.properties}, empty when there is none. */
  public static Properties config(Path stateDir) {
    Properties props = new Properties();
    Path file = stateDir.resolve(CONFIG_FILE);
    if (Files.isRegularFile(file)) {
      try (Reader in = Files.newBufferedReader(file)) {
        props.load(in);
      } catch (IOException | IllegalArgumentException e) {
        throw MayflyException.badInput(file + ": cannot read: " + e.getMessage());
      }
    }
    return props;
  }

  private static String first(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.strip();
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return Registry.redact(url);
  }
}
