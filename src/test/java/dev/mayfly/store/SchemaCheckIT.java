package dev.mayfly.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commands skip Flyway's migrate on a current registry and still migrate an old one. */
class SchemaCheckIT {
  @TempDir Path home;

  @Test
  void theVersionsFoundAreTheOnesFlywayMigrates() {
    List<V24__seals> java = List.of(new V24__seals(seal()));
    Set<String> flyway =
        Stream.of(
                Flyway.configure()
                    .dataSource("jdbc:h2:mem:schema-check", "", "")
                    .javaMigrations(java.toArray(V24__seals[]::new))
                    .load()
                    .info()
                    .all())
            .map(MigrationInfo::getVersion)
            .map(Object::toString)
            .collect(Collectors.toSet());
    assertEquals(
        Optional.of(flyway),
        SchemaCheck.known(java),
        "a migration Flyway finds is missing from dev/mayfly/store/migrations.index (or the reverse)");
    assertTrue(flyway.size() > 5, "the migrations were found at all: " + flyway);
  }

  @Test
  void aCurrentRegistryIsNotMigratedAgain() throws Exception {
    Registry.open(home).close();
    // a wrong checksum fails Flyway's validation, which every migrate runs first
    sql("UPDATE \"flyway_schema_history\" SET \"checksum\" = 12345 WHERE \"version\" = '1'");
    assertFalse(flyway().validateWithResult().validationSuccessful, "the tamper is visible");

    try (Registry registry = Registry.open(home)) {
      assertTrue(registry.list().isEmpty(), "opened without running Flyway's migrate");
    }
  }

  @Test
  void anOldRegistryIsMigrated() throws Exception {
    // the registry as a mayfly from before version 24 left it
    PrivateFiles.stateFolder(home);
    flyway(Flyway.configure().target("23")).migrate();
    try (Connection c = connection()) {
      assertFalse(SchemaCheck.current(c, List.of(new V24__seals(seal()))));
    }

    try (Registry registry = Registry.open(home)) {
      assertTrue(registry.list().isEmpty());
    }
    assertEquals(0, flyway(Flyway.configure()).info().pending().length, "nothing left to migrate");
    sql("SELECT spec_seal FROM deployment"); // throws if version 24 did not run
  }

  private Flyway flyway() {
    return flyway(Flyway.configure());
  }

  private Flyway flyway(org.flywaydb.core.api.configuration.FluentConfiguration config) {
    Database db = Database.embedded(home);
    return config
        .dataSource(db.url(), db.user(), db.password())
        .javaMigrations(new V24__seals(seal()))
        .load();
  }

  private Seal seal() {
    return Seal.of(PrivateFiles.stateFolder(home), Database.config(home));
  }

  private Connection connection() throws SQLException {
    Database db = Database.embedded(home);
    return DriverManager.getConnection(db.url(), db.user(), db.password());
  }

  private void sql(String statement) throws SQLException {
    try (Connection c = connection();
        Statement st = c.createStatement()) {
      st.execute(statement);
    }
  }
}
