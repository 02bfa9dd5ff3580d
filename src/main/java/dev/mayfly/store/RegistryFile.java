package dev.mayfly.store;

import dev.mayfly.MayflyException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Opening the embedded registry file, which many mayfly processes share: the first one to open it
 * serves it to the others (H2's AUTO_SERVER). Opening races between processes (H2's lock file) are
 * retried with backoff and jitter for a bounded time. A file that is empty or corrupt is moved
 * aside and reported, never silently replaced by an empty registry; a full or read-only disk is
 * named as such.
 */
final class RegistryFile {
  static final String FILE = "registry.mv.db";
  private static final String OPEN_LOCK = "registry.open";

  /** H2's own lock file, there while any process has the database open. */
  private static final String H2_LOCK = "registry.lock.db";

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final Duration FIRST_PAUSE = Duration.ofMillis(50);
  private static final Duration LONGEST_PAUSE = Duration.ofSeconds(1);

  /**
   * An empty file younger than this with a lock beside it is another process creating the registry.
   */
  private static final Duration CREATING = Duration.ofSeconds(10);

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private RegistryFile() {}

  static Registry open(Database db, Seal seal) {
    Path dir = db.stateDir();
    Path file = dir.resolve(FILE);
    refuseEmpty(file);
    Instant deadline = Instant.now().plus(PATIENCE);
    long pause = FIRST_PAUSE.toMillis();
    while (true) {
      try {
        Registry registry = Registry.connect(db, seal, file.toString(), () -> patiently(db), true);
        restrictFiles(dir);
        return registry;
      } catch (SQLException | RuntimeException e) {
        if (RegistryErrors.busy(e) && Instant.now().isBefore(deadline)) {
          sleep(pause + ThreadLocalRandom.current().nextLong(pause));
          pause = Math.min(pause * 2, LONGEST_PAUSE.toMillis());
          continue;
        }
        throw failure(e, file);
      }
    }
  }

  /**
   * The registry for one short read ({@code list}) when no other process has the file open: without
   * H2's AUTO_SERVER, whose server thread, socket, in-memory session table and lock-file handshake
   * cost 100 ms of a 0.57 s {@code list}. It holds {@code registry.open} until closed, so no other
   * process opens the file meanwhile: they wait for it as for any opener. Empty when another
   * process has it open (AUTO_SERVER's lock file is there, and every other opener uses it), when it
   * is missing, empty or needs migrating, or when the plain open fails: the usual {@link #open}
   * then serves and names any problem. For a process that opens nothing else while it holds this
   * one (the lock is per process).
   */
  static Optional<Registry> openAlone(Database db, Seal seal) {
    Path dir = db.stateDir();
    Path file = dir.resolve(FILE);
    try {
      if (!Files.isRegularFile(file) || Files.size(file) == 0) {
        return Optional.empty(); // made, or refused when empty (refuseEmpty), the usual way
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    Path lockFile = dir.resolve(OPEN_LOCK);
    FileChannel channel = null;
    FileLock held = null;
    Registry registry = null;
    try {
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      held = lockBefore(channel, Instant.now().plus(PATIENCE), lockFile);
      if (!Files.exists(dir.resolve(H2_LOCK))) {
        String url = Database.h2Alone(dir);
        FileChannel openedWith = channel;
        FileLock lock = held;
        registry =
            Registry.ifCurrent(
                seal,
                file.toString(),
                () -> DriverManager.getConnection(url, db.user(), db.password()),
                () -> release(lock, openedWith));
      }
    } catch (IOException | SQLException e) {
      // the usual open meets it again and names it
    } finally {
      if (registry == null) {
        release(held, channel); // else the registry lets go when it closes
      }
    }
    if (registry != null) {
      restrictFiles(dir);
    }
    return Optional.ofNullable(registry);
  }

  private static void release(FileLock lock, FileChannel channel) {
    try {
      if (lock != null) {
        lock.release();
      }
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      // closing the channel drops the lock; the kernel drops both when the process ends
    }
  }

  /**
   * A connection, retried through H2's lock races like the first open (for reconnects and lock
   * connections).
   */
  private static Connection patiently(Database db) throws SQLException {
    Instant deadline = Instant.now().plus(PATIENCE);
    long pause = FIRST_PAUSE.toMillis();
    while (true) {
      try {
        return oneOpenerAtATime(db, deadline);
      } catch (SQLException e) {
        if (!RegistryErrors.busy(e) || Instant.now().isAfter(deadline)) {
          throw e;
        }
        sleep(pause + ThreadLocalRandom.current().nextLong(pause));
        pause = Math.min(pause * 2, LONGEST_PAUSE.toMillis());
      }
    }
  }

  /**
   * A connection made while holding {@code registry.open}, an OS lock the kernel drops when its
   * process dies: H2's own lock file protocol works by timing (write, sleep, read back), and 8
   * processes opening at once on 2 busy cores kept tripping one another for a minute in CI. With
   * one opener at a time, each either opens the file and serves it or finds the server and joins.
   */
  private static Connection oneOpenerAtATime(Database db, Instant deadline) throws SQLException {
    Path lockFile = db.stateDir().resolve(OPEN_LOCK);
    synchronized (RegistryFile.class) { // the OS lock is per process: threads take turns here
      FileChannel channel;
      try {
        channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      } catch (IOException e) {
        // a read-only or full disk: nobody can race on it, and H2 names the real problem
        return connection(db);
      }
      try (channel;
          FileLock held = lockBefore(channel, deadline, lockFile)) {
        return connection(db);
      } catch (IOException e) {
        throw MayflyException.failed(
            "cannot lock " + lockFile + " to open the registry: " + RegistryErrors.cause(e));
      }
    }
  }

  private static FileLock lockBefore(FileChannel channel, Instant deadline, Path lockFile)
      throws IOException {
    while (true) {
      FileLock lock = channel.tryLock();
      if (lock != null) {
        return lock;
      }
      if (Instant.now().isAfter(deadline)) {
        throw MayflyException.failed(
            "the registry stayed busy for "
                + PATIENCE.toSeconds()
                + "s: another mayfly process holds "
                + lockFile
                + " and does not let go; try again, or stop that process");
      }
      sleep(20);
    }
  }

  /**
   * A connection with the password from the state folder. A registry made before it had one (the
   * empty password, which let any local user in) gets it set here, once.
   */
  private static Connection connection(Database db) throws SQLException {
    try {
      return DriverManager.getConnection(db.url(), db.user(), db.password());
    } catch (SQLException e) {
      if (!RegistryErrors.wrongPassword(e)) {
        throw e;
      }
    }
    Connection c;
    try {
      c = DriverManager.getConnection(db.url(), db.user(), "");
    } catch (SQLException e) {
      if (!RegistryErrors.wrongPassword(e)) {
        throw e;
      }
      // another process set the password in between; anything else is a password mayfly does not
      // know
      try {
        return DriverManager.getConnection(db.url(), db.user(), db.password());
      } catch (SQLException again) {
        if (RegistryErrors.wrongPassword(again)) {
          throw MayflyException.failed(
              "cannot open the registry "
                  + db.stateDir().resolve(FILE)
                  + ": its password"
                  + " is not the one in "
                  + db.stateDir().resolve(Database.PASSWORD_FILE));
        }
        throw again;
      }
    }
    try (Statement st = c.createStatement()) {
      // the password is hex digits (PrivateFiles.secret): nothing to quote
      st.execute(
          "ALTER USER " + Database.USER.toUpperCase() + " SET PASSWORD '" + db.password() + "'");
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /**
   * Refuses to let H2 turn a zero-byte registry into a new, empty one: moves it aside and says so.
   */
  private static void refuseEmpty(Path file) {
    try {
      if (!Files.isRegularFile(file) || Files.size(file) > 0) {
        return;
      }
      boolean beingCreated =
          Files.exists(file.resolveSibling(H2_LOCK))
              && Files.getLastModifiedTime(file).toInstant().isAfter(Instant.now().minus(CREATING));
      if (!beingCreated) {
        throw moveAside(file, "is empty (0 bytes)");
      }
    } catch (IOException e) {
      throw MayflyException.failed(
          "cannot read the registry " + file + ": " + RegistryErrors.cause(e));
    }
  }

  private static MayflyException failure(Exception e, Path file) {
    if (e instanceof MayflyException m && m.getCause() == null) {
      return m;
    }
    if (RegistryErrors.diskCause(e) == null && RegistryErrors.corrupt(e)) {
      return moveAside(file, "is corrupt");
    }
    if (RegistryErrors.busy(e)) {
      return MayflyException.failed(
          "the registry "
              + file
              + " stayed busy for "
              + PATIENCE.toSeconds()
              + "s (another mayfly process holds it and does not answer; H2 said: "
              + RegistryErrors.firstLine(e)
              + "); try again, or stop that process");
    }
    return RegistryErrors.of(
        e, file.toString(), MayflyException.Exit.FAILED, "cannot open the registry " + file + ": ");
  }

  /**
   * Keeps the broken file for a human (or H2's recovery tool) and tells how to find what it knew.
   */
  private static MayflyException moveAside(Path file, String what) {
    Path aside = file.resolveSibling(file.getFileName() + ".broken-" + STAMP.format(Instant.now()));
    try {
      Files.move(file, aside);
    } catch (IOException e) {
      return MayflyException.failed(
          "the registry "
              + file
              + " "
              + what
              + " and cannot be moved aside: "
              + RegistryErrors.cause(e));
    }
    return MayflyException.failed(
        "the registry "
            + file
            + " "
            + what
            + "; moved it aside to "
            + aside
            + " and will start a new one on the next command. Hosts it launched may still run:"
            + " `mayfly reap --dry-run` finds them by their tags");
  }

  /** H2 makes its files with the process's umask (often 0644): take others' bits off. */
  private static void restrictFiles(Path dir) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "registry.*")) {
      for (Path f : files) {
        PrivateFiles.restrict(f);
      }
    } catch (IOException e) {
      // a lock file that went away meanwhile; the folder's 0700 guards them anyway
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw MayflyException.failed("interrupted while waiting for the registry");
    }
  }
}
