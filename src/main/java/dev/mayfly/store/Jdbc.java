package dev.mayfly.store;

import dev.mayfly.MayflyException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The store's one prepare/bind/map loop over the registry's connection, turning every SQLException
 * into the registry's error. Plain JDBC rather than a library: {@code mayfly list} pays for every
 * class it loads. Not synchronized: the registry locks around each use, as its threads share this
 * one connection.
 */
final class Jdbc implements AutoCloseable {
  /** Reads one row; the result set stands on it. */
  @FunctionalInterface
  interface RowMapper<T> {
    T map(ResultSet row) throws SQLException;
  }

  /** Opens the connection again after the process that served the shared file went away. */
  @FunctionalInterface
  interface Reconnect {
    Connection open() throws SQLException;
  }

  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private Connection connection;
  private final String where;
  private final Reconnect reconnect;
  private boolean inTransaction;

  Jdbc(Connection connection) {
    this(connection, "", null);
  }

  /**
   * @param where the registry's file or URL, for errors the user can act on (a full disk)
   * @param reconnect for the embedded file, else null
   */
  Jdbc(Connection connection, String where, Reconnect reconnect) {
    this.connection = connection;
    this.where = where;
    this.reconnect = reconnect;
  }

  @FunctionalInterface
  private interface Work<T> {
    T run() throws SQLException;
  }

  /**
   * Runs one statement. On the embedded file, the process serving it to the others may exit at any
   * time; then this one opens the file itself, racing the other clients for H2's lock: it
   * reconnects and tries the statement again, for a bounded time. A statement that reached the
   * database before the link broke may so run twice: every statement here is an idempotent update,
   * or an insert whose repeat fails on its key.
   */
  private <T> T retrying(Work<T> work) {
    Instant deadline = Instant.now().plus(PATIENCE);
    long pause = 50;
    while (true) {
      try {
        return work.run();
      } catch (SQLException e) {
        if (reconnect == null
            || inTransaction
            || !RegistryErrors.busy(e)
            || Instant.now().isAfter(deadline)
            || shuttingDown()) {
          throw failure(e);
        }
        pause = reopen(pause);
      }
    }
  }

  /** At exit H2 closes the file itself ("database is closed"): nothing to reconnect to then. */
  private static boolean shuttingDown() {
    Thread probe = new Thread(() -> {});
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }

  /**
   * Sleeps a jittered backoff, opens a new connection (failing that, the next round tries again).
   */
  private long reopen(long pause) {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // the old link is gone already
    }
    try {
      Thread.sleep(pause + ThreadLocalRandom.current().nextLong(pause));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw MayflyException.failed("interrupted while waiting for the registry");
    }
    try {
      connection = reconnect.open();
    } catch (SQLException e) {
      if (!RegistryErrors.busy(e)) {
        throw failure(e);
      }
    }
    return Math.min(pause * 2, 1000);
  }

  <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
    return retrying(
        () -> {
          try (PreparedStatement st = prepare(sql, args);
              ResultSet rs = st.executeQuery()) {
            List<T> rows = new ArrayList<>();
            while (rs.next()) {
              rows.add(mapper.map(rs));
            }
            return rows;
          }
        });
  }

  /** The first row, if any. */
  <T> Optional<T> one(String sql, RowMapper<T> mapper, Object... args) {
    return retrying(
        () -> {
          try (PreparedStatement st = prepare(sql, args);
              ResultSet rs = st.executeQuery()) {
            return rs.next() ? Optional.of(mapper.map(rs)) : Optional.empty();
          }
        });
  }

  /** Runs an INSERT, UPDATE or DELETE; returns how many rows it touched. */
  int update(String sql, Object... args) {
    return retrying(
        () -> {
          try (PreparedStatement st = prepare(sql, args)) {
            return st.executeUpdate();
          }
        });
  }

  /**
   * Inserts the row unless a key or constraint holds it already (SQL state class 23); true if
   * inserted.
   */
  boolean insertOrIgnoreDuplicate(String sql, Object... args) {
    return retrying(
        () -> {
          try (PreparedStatement st = prepare(sql, args)) {
            st.executeUpdate();
            return true;
          } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
              return false;
            }
            throw e;
          }
        });
  }

  /** {@link #transaction(Supplier)} for work that returns nothing. */
  void inTransaction(Runnable work) {
    transaction(
        () -> {
          work.run();
          return null;
        });
  }

  /**
   * Runs {@code work} as one transaction: all of its statements or none. A failure, the commit's
   * included, rolls back and reaches the caller as the registry's error, the SQLException as its
   * cause.
   */
  <T> T transaction(Supplier<T> work) {
    Instant deadline = Instant.now().plus(PATIENCE);
    long pause = 50;
    while (true) {
      try {
        return once(work);
      } catch (MayflyException e) {
        // a broken link rolled the whole transaction back: run it again on a new one
        if (reconnect == null
            || !(e.getCause() instanceof SQLException s)
            || !RegistryErrors.busy(s)
            || Instant.now().isAfter(deadline)
            || shuttingDown()) {
          throw e;
        }
        pause = reopen(pause);
      }
    }
  }

  private <T> T once(Supplier<T> work) {
    try {
      connection.setAutoCommit(false);
      inTransaction = true;
      try {
        T result = work.get();
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        inTransaction = false;
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private PreparedStatement prepare(String sql, Object... args) throws SQLException {
    PreparedStatement st = connection.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      st.setObject(i + 1, args[i]);
    }
    return st;
  }

  static OffsetDateTime time(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  static Instant instant(ResultSet rs, int column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  static Optional<Instant> optionalInstant(ResultSet rs, int column) throws SQLException {
    return Optional.ofNullable(rs.getObject(column, OffsetDateTime.class))
        .map(OffsetDateTime::toInstant);
  }

  /**
   * A disk that is full or read-only fails the command (exit 1), naming the file; anything else is
   * a bug.
   */
  private MayflyException failure(SQLException e) {
    return RegistryErrors.of(e, where, MayflyException.Exit.INTERNAL, "registry: ");
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // closing a connection we are done with
    }
  }
}
