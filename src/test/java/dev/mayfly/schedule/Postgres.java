package dev.mayfly.schedule;

import dev.mayfly.testing.Peers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The PostgreSQL server the tests use: {@code MAYFLY_TEST_PG_URL} (set by {@code .ci/run} through
 * {@code .ci/pg-start}). Each test gets a fresh database on it.
 */
public final class Postgres {
  private Postgres() {}

  /**
   * A JDBC URL to a new empty database; skips the test, loudly (fails it under CI=true), when no
   * server is configured.
   */
  public static String freshDatabase() {
    String url = System.getenv("MAYFLY_TEST_PG_URL");
    Peers.require(
        url != null && !url.isBlank(),
        "MAYFLY_TEST_PG_URL is not set, so the PostgreSQL tests cannot run here."
            + " Start one with: eval \"$(.ci/pg-start)\" (.ci/run does this).");
    String name = "mayfly_" + HexFormat.of().formatHex(randomBytes());
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "MAYFLY_TEST_PG_URL is set but PostgreSQL refused: " + e.getMessage(), e);
    }
    int slash = url.lastIndexOf('/');
    int query = url.indexOf('?', slash);
    return url.substring(0, slash + 1) + name + (query < 0 ? "" : url.substring(query));
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[6];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }
}
