package dev.mayfly.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * Whether the registry's schema is already the one this mayfly migrates to, checked without Flyway:
 * loading and configuring Flyway costs every command about a second of start-up, while reading its
 * history table and listing {@code db/migration} costs milliseconds. Anything this check is unsure
 * of (no history table, a failed or unknown migration, a repeatable migration, a class path it
 * cannot list) answers "not current", and Flyway's migrate runs as before.
 */
final class SchemaCheck {
  /**
   * The file names in {@code db/migration}, kept beside it by hand: listing the jar (44,000
   * entries) cost each command ~50 ms. SchemaCheckIT compares what it yields with Flyway's own
   * scan, so a migration missing here fails the build instead of being skipped.
   */
  static final String INDEX = "/dev/mayfly/store/migrations.index";

  /** Flyway's default naming: V&lt;version&gt;__&lt;description&gt;, versions as 1, 1.2 or 1_2. */
  private static final Pattern VERSIONED = Pattern.compile("V([0-9]+(?:[._][0-9]+)*)__[^$]*");

  private SchemaCheck() {}

  /**
   * True when the history table records exactly the versions of {@code javaMigrations} and of the
   * migrations in {@code db/migration}, each applied successfully.
   */
  static boolean current(Connection connection, List<? extends JavaMigration> javaMigrations) {
    Optional<Set<String>> known = known(javaMigrations);
    if (known.isEmpty()) {
      return false;
    }
    Set<String> applied = new HashSet<>();
    try (Statement st = connection.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT \"version\", \"success\" FROM \"flyway_schema_history\""
                    + " WHERE \"version\" IS NOT NULL")) {
      while (rs.next()) {
        if (!rs.getBoolean(2)) {
          return false;
        }
        applied.add(normalize(rs.getString(1)));
      }
    } catch (SQLException e) {
      return false; // no history yet (a new registry): migrate makes it
    }
    return applied.equals(known.get());
  }

  /**
   * The versions this mayfly migrates to, or empty when it cannot tell (a repeatable migration, an
   * unreadable class path entry).
   */
  static Optional<Set<String>> known(List<? extends JavaMigration> javaMigrations) {
    Set<String> versions = new HashSet<>();
    for (JavaMigration m : javaMigrations) {
      Optional<String> v = version(m.getClass().getSimpleName());
      if (v.isEmpty()) {
        return Optional.empty();
      }
      versions.add(v.get());
    }
    List<String> names;
    try (InputStream in = SchemaCheck.class.getResourceAsStream(INDEX)) {
      if (in == null) {
        return Optional.empty();
      }
      names =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .map(String::strip)
              .filter(n -> !n.isEmpty() && !n.startsWith("#"))
              .toList();
    } catch (IOException e) {
      return Optional.empty();
    }
    for (String name : names) {
      if (name.startsWith("R__")) {
        return Optional.empty();
      }
      if (name.endsWith(".sql") || (name.endsWith(".class") && !name.contains("$"))) {
        version(name.substring(0, name.lastIndexOf('.'))).ifPresent(versions::add);
      }
    }
    return Optional.of(versions);
  }

  private static Optional<String> version(String baseName) {
    Matcher m = VERSIONED.matcher(baseName);
    return m.matches() ? Optional.of(normalize(m.group(1))) : Optional.empty();
  }

  /** 1_2 and 1.2 are the same version to Flyway, which records it as 1.2. */
  private static String normalize(String version) {
    return version.replace('_', '.');
  }
}
