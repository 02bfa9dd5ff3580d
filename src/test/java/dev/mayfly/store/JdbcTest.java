package dev.mayfly.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.api.Trigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's JDBC helper on a private in-memory H2 database. */
class JdbcTest {
  private Jdbc jdbc;

  @BeforeEach
  void openDatabase() throws SQLException {
    jdbc = new Jdbc(DriverManager.getConnection("jdbc:h2:mem:"));
    jdbc.update("CREATE TABLE pet (name VARCHAR(20) PRIMARY KEY, legs INT NOT NULL)");
  }

  @AfterEach
  void closeDatabase() {
    jdbc.close();
  }

  @Test
  void queryMapsEveryRowWithItsArguments() {
    assertEquals(1, jdbc.update("INSERT INTO pet (name, legs) VALUES (?, ?)", "cat", 4));
    jdbc.update("INSERT INTO pet (name, legs) VALUES (?, ?)", "hen", 2);
    jdbc.update("INSERT INTO pet (name, legs) VALUES (?, ?)", "dog", 4);

    assertEquals(
        List.of("cat=4", "dog=4"),
        jdbc.query(
            "SELECT name, legs FROM pet WHERE legs = ? ORDER BY name",
            rs -> rs.getString(1) + "=" + rs.getInt(2),
            4));
    assertEquals(
        Optional.of(2), jdbc.one("SELECT legs FROM pet WHERE name = ?", rs -> rs.getInt(1), "hen"));
  }

  @Test
  void noRowsAreAnEmptyResult() {
    assertEquals(List.of(), jdbc.query("SELECT name FROM pet", rs -> rs.getString(1)));
    assertEquals(
        Optional.empty(),
        jdbc.one("SELECT name FROM pet WHERE name = ?", rs -> rs.getString(1), "cat"));
    assertEquals(0, jdbc.update("DELETE FROM pet WHERE name = ?", "cat"));
  }

  @Test
  void insertingADuplicateKeyReturnsFalseAndKeepsTheFirstRow() {
    String insert = "INSERT INTO pet (name, legs) VALUES (?, ?)";
    assertTrue(jdbc.insertOrIgnoreDuplicate(insert, "cat", 4));
    assertFalse(jdbc.insertOrIgnoreDuplicate(insert, "cat", 3));
    assertEquals(List.of(4), jdbc.query("SELECT legs FROM pet", rs -> rs.getInt(1)));
  }

  /** Fails its first inserts the way a client's statement fails when the serving process closes. */
  public static final class ServerClosedUnderTheStatement implements Trigger {
    static final AtomicInteger FAILURES_LEFT = new AtomicInteger();

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
      if (FAILURES_LEFT.getAndDecrement() > 0) {
        throw new SQLException(
            "General error: \"Transaction 1 has status ROLLED_BACK, not OPEN [2.3.232/103]\"",
            "HY000",
            50000);
      }
    }
  }

  @Test
  void aStatementRolledBackByTheServingProcessClosingRunsAgainOnANewConnection() throws Exception {
    // CI: 2 of 8 concurrent launches failed with this when the process serving the file exited
    String url = "jdbc:h2:mem:served;DB_CLOSE_DELAY=-1";
    AtomicInteger opens = new AtomicInteger();
    Jdbc.Reconnect open =
        () -> {
          opens.incrementAndGet();
          return DriverManager.getConnection(url);
        };
    try (Connection keepAlive = DriverManager.getConnection(url)) {
      Jdbc served = new Jdbc(open.open(), "registry.mv.db", open);
      served.update("CREATE TABLE pet (name VARCHAR(20) PRIMARY KEY, legs INT NOT NULL)");
      served.update(
          "CREATE TRIGGER closing BEFORE INSERT ON pet FOR EACH ROW CALL \""
              + ServerClosedUnderTheStatement.class.getName()
              + "\"");
      ServerClosedUnderTheStatement.FAILURES_LEFT.set(2);

      assertEquals(1, served.update("INSERT INTO pet (name, legs) VALUES (?, ?)", "cat", 4));
      assertEquals(List.of("cat"), served.query("SELECT name FROM pet", rs -> rs.getString(1)));
      assertEquals(3, opens.get(), "the first connection, then one per rolled-back try");
      served.close();
    }
  }

  @Test
  void anSqlErrorBecomesTheRegistryError() {
    MayflyException e =
        assertThrows(
            MayflyException.class,
            () -> jdbc.query("SELECT nothing FROM nowhere", rs -> rs.getString(1)));
    assertEquals(MayflyException.Exit.INTERNAL, e.exit());
    assertTrue(e.getMessage().startsWith("registry: "), e.getMessage());
    assertInstanceOf(SQLException.class, e.getCause());
    // not a duplicate: still an error
    assertThrows(
        MayflyException.class,
        () ->
            jdbc.insertOrIgnoreDuplicate(
                "INSERT INTO pet (name, legs) VALUES (?, ?)", "cat", "many"));
  }

  @Test
  void aFailedTransactionKeepsNoneOfItsRows() {
    MayflyException e =
        assertThrows(
            MayflyException.class,
            () ->
                jdbc.transaction(
                    () -> {
                      jdbc.update("INSERT INTO pet (name, legs) VALUES (?, ?)", "cat", 4);
                      return jdbc.update("INSERT INTO pet (name, legs) VALUES (?, ?)", "cat", 3);
                    }));
    assertEquals(
        "23505", ((SQLException) e.getCause()).getSQLState(), "the cause tells a lost race");
    assertEquals(List.of(), jdbc.query("SELECT name FROM pet", rs -> rs.getString(1)));

    assertEquals(
        1,
        jdbc.transaction(
            () -> jdbc.update("INSERT INTO pet (name, legs) VALUES (?, ?)", "dog", 4)));
    assertEquals(List.of("dog"), jdbc.query("SELECT name FROM pet", rs -> rs.getString(1)));
  }

  @Test
  void aRegistryThatCannotBeOpenedIsNamedWithoutItsPassword(@TempDir Path keys) {
    MayflyException e =
        assertThrows(
            MayflyException.class,
            () ->
                Registry.open(
                    new Database(
                        "jdbc:h2:mem:;NO_SUCH_SETTING=1;PASSWORD=hunter2", "mayfly", "", keys)));
    assertEquals(MayflyException.Exit.FAILED, e.exit());
    assertTrue(
        e.getMessage().startsWith("cannot open the registry jdbc:h2:mem:: "), e.getMessage());
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }
}
