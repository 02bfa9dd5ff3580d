package dev.mayfly.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * Whether the registry's schema is already the one this mayfly migrates to, checked without Flyway:
 * loading and configuring Flyway costs every command about a second of start-up, while reading its
 * history table and listing {@code db/migration} costs milliseconds. Anything this check is unsure
 * of (no history table, a failed or unknown migration, a repeatable migration, a class path it
 * cannot list) answers "not current", and Flyway's migrate runs as before.
 */
final class SchemaCheck {
  static final String LOCATION = "db/migration";

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
    try {
      Enumeration<URL> roots = SchemaCheck.class.getClassLoader().getResources(LOCATION);
      while (roots.hasMoreElements()) {
        for (String name : names(roots.nextElement())) {
          if (name.startsWith("R__")) {
            return Optional.empty();
          }
          if (name.endsWith(".sql") || (name.endsWith(".class") && !name.contains("$"))) {
            version(name.substring(0, name.lastIndexOf('.'))).ifPresent(versions::add);
          }
        }
      }
    } catch (IOException | UncheckedIOException | URISyntaxException e) {
      return Optional.empty();
    }
    return Optional.of(versions);
  }

  /** The file names directly in the {@code db/migration} folder at {@code root}. */
  private static List<String> names(URL root) throws IOException, URISyntaxException {
    switch (root.getProtocol()) {
      case "file" -> {
        try (Stream<Path> files = Files.list(Path.of(root.toURI()))) {
          return files.map(p -> p.getFileName().toString()).toList();
        }
      }
      case "jar" -> {
        JarURLConnection connection = (JarURLConnection) root.openConnection();
        connection.setUseCaches(false);
        String prefix = LOCATION + "/";
        // the JDK shares the parsed central directory with the class loader's open jar
        try (JarFile jar = connection.getJarFile()) {
          return jar.stream()
              .map(JarEntry::getName)
              .filter(n -> n.startsWith(prefix) && n.indexOf('/', prefix.length()) < 0)
              .map(n -> n.substring(prefix.length()))
              .filter(n -> !n.isEmpty())
              .toList();
        }
      }
      default -> throw new IOException("cannot list " + root);
    }
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
