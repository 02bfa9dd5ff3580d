package dev.mayfly.store;

import dev.mayfly.MayflyException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The store's one prepare/bind/map loop over the registry's connection, turning every SQLException into
 * the registry's error. Plain JDBC rather than a library: {@code mayfly list} pays for every class it loads.
 * Not synchronized: the registry locks around each use, as its threads share this one connection.
 */
final class Jdbc implements AutoCloseable {
  /** Reads one row; the result set stands on it. */
  @FunctionalInterface
  interface RowMapper<T> {
    T map(ResultSet row) throws SQLException;
  }

  private final Connection connection;

  Jdbc(Connection connection) {
    this.connection = connection;
  }

  <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
    try (PreparedStatement st = prepare(sql, args); ResultSet rs = st.executeQuery()) {
      List<T> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(mapper.map(rs));
      }
      return rows;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** The first row, if any. */
  <T> Optional<T> one(String sql, RowMapper<T> mapper, Object... args) {
    try (PreparedStatement st = prepare(sql, args); ResultSet rs = st.executeQuery()) {
      return rs.next() ? Optional.of(mapper.map(rs)) : Optional.empty();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Runs an INSERT, UPDATE or DELETE; returns how many rows it touched. */
  int update(String sql, Object... args) {
    try (PreparedStatement st = prepare(sql, args)) {
      return st.executeUpdate();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Inserts the row unless a key or constraint holds it already (SQL state class 23); true if inserted. */
  boolean insertOrIgnoreDuplicate(String sql, Object... args) {
    try (PreparedStatement st = prepare(sql, args)) {
      st.executeUpdate();
      return true;
    } catch (SQLException e) {
      if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
        return false;
      }
      throw failure(e);
    }
  }

  /**
   * Runs {@code work} as one transaction: all of its statements or none. A failure, the commit's included,
   * rolls back and reaches the caller as the registry's error, the SQLException as its cause.
   */
  <T> T transaction(Supplier<T> work) {
    try {
      connection.setAutoCommit(false);
      try {
        T result = work.get();
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
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
    return Optional.ofNullable(rs.getObject(column, OffsetDateTime.class)).map(OffsetDateTime::toInstant);
  }

  private static MayflyException failure(SQLException e) {
    return new MayflyException(MayflyException.Exit.INTERNAL, "registry: " + e.getMessage(), e);
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
