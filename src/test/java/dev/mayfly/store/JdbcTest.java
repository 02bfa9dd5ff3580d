package dev.mayfly.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
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
