package dev.mayfly.store;

import dev.mayfly.MayflyException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One lock per deployment, shared by every process on the registry's database: the row lock of the
 * deployment's {@code deployment_lock} row, held by a transaction on a connection of its own. The
 * database drops it when that connection dies (a killed process), so no lease needs to run out. A
 * thread that holds a deployment's lock may take it again (the inner take is a no-op).
 */
public final class DeploymentLocks {
  private static final Duration POLL = Duration.ofMillis(100);

  /** Opens a new connection to the registry's database. */
  @FunctionalInterface
  interface Connections {
    Connection open() throws SQLException;
  }

  /** A held lock; closing it lets the next one in. */
  public interface Held extends AutoCloseable {
    @Override
    void close();
  }

  private final Connections connections;
  private final Map<String, Thread> holders = new ConcurrentHashMap<>();

  DeploymentLocks(Connections connections) {
    this.connections = connections;
  }

  /**
   * Takes the deployment's lock, waiting at most {@code wait} for whoever holds it.
   *
   * @throws MayflyException (failed) when it is still held after {@code wait}
   */
  public Held take(String deploymentId, Duration wait) {
    if (holders.get(deploymentId) == Thread.currentThread()) {
      return () -> {};
    }
    long deadline = System.nanoTime() + wait.toNanos();
    Connection c = null;
    try {
      c = connections.open();
      ensureRow(c, deploymentId);
      c.setAutoCommit(false);
      while (!tryLock(c, deploymentId)) {
        if (System.nanoTime() - deadline > 0) {
          throw MayflyException.failed(
              "deployment '"
                  + deploymentId
                  + "' is busy: another mayfly command (a launch,"
                  + " sync, extend, terminate or the daemon's expiry) is working on it; try again when it is done");
        }
        Thread.sleep(POLL.toMillis());
      }
    } catch (SQLException e) {
      close(c);
      throw failure(e);
    } catch (InterruptedException e) {
      close(c);
      Thread.currentThread().interrupt();
      throw MayflyException.failed(
          "interrupted while waiting for deployment '" + deploymentId + "'");
    } catch (RuntimeException e) {
      close(c);
      throw e;
    }
    holders.put(deploymentId, Thread.currentThread());
    Connection held = c;
    return () -> {
      holders.remove(deploymentId);
      close(held);
    };
  }

  /** The row to lock; made once per deployment, by whichever process is first. */
  private static void ensureRow(Connection c, String deploymentId) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement("SELECT 1 FROM deployment_lock WHERE deployment_id = ?")) {
      st.setString(1, deploymentId);
      try (ResultSet rs = st.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
    }
    try (PreparedStatement st =
        c.prepareStatement("INSERT INTO deployment_lock (deployment_id) VALUES (?)")) {
      st.setString(1, deploymentId);
      st.executeUpdate();
    } catch (SQLException e) {
      // another process made it meanwhile: that is all we need
      if (!busy(e)) {
        throw e;
      }
    }
  }

  /**
   * One attempt without waiting (NOWAIT), so the wait is ours to bound the same on H2 and
   * PostgreSQL.
   */
  private static boolean tryLock(Connection c, String deploymentId) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT deployment_id FROM deployment_lock WHERE deployment_id = ? FOR UPDATE NOWAIT")) {
      st.setString(1, deploymentId);
      st.executeQuery().close();
      return true;
    } catch (SQLException e) {
      c.rollback();
      if (busy(e)) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Someone else holds the row (H2: lock timeout; PostgreSQL: lock not available) or made it first.
   */
  private static boolean busy(SQLException e) {
    String state = e.getSQLState();
    return state != null
        && (state.equals("HYT00")
            || state.equals("55P03")
            || state.equals("40001")
            || state.equals("23505"));
  }

  private static void close(Connection c) {
    if (c == null) {
      return;
    }
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // closing drops the lock either way
    }
    try {
      c.close();
    } catch (SQLException ignored) {
      // a connection we are done with
    }
  }

  private static MayflyException failure(SQLException e) {
    return new MayflyException(MayflyException.Exit.INTERNAL, "registry: " + e.getMessage(), e);
  }
}
