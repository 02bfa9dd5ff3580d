package db.migration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Creates Quartz's JDBC job store tables from the DDL that ships inside the Quartz jar, picking the
 * script for the database at hand: the daemon keeps its schedule in the registry's own database.
 */
public class V4__quartz_tables extends BaseJavaMigration {
  private static final String DDL = "/org/quartz/impl/jdbcjobstore/";

  @Override
  public void migrate(Context context) throws Exception {
    Connection connection = context.getConnection();
    String product =
        connection.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT);
    boolean postgres = product.contains("postgres");
    String script = read(DDL + (postgres ? "tables_postgres.sql" : "tables_h2.sql"));
    try (Statement st = connection.createStatement()) {
      for (String sql : statements(script)) {
        // H2 2.x has no IMAGE type (the script predates it); BLOB is what Quartz's delegate reads
        st.execute(postgres ? sql : sql.replaceAll("\\bIMAGE\\b", "BLOB"));
      }
    }
  }

  /**
   * The script's statements without comments, DROPs (the tables are new) and COMMIT (Flyway
   * commits).
   */
  static List<String> statements(String script) {
    StringBuilder text = new StringBuilder();
    for (String line : script.split("\n")) {
      if (!line.strip().startsWith("--")) {
        text.append(line).append('\n');
      }
    }
    List<String> out = new ArrayList<>();
    for (String sql : text.toString().split(";")) {
      String s = sql.strip();
      String upper = s.toUpperCase(java.util.Locale.ROOT);
      if (!s.isEmpty() && !upper.startsWith("DROP ") && !upper.equals("COMMIT")) {
        out.add(s);
      }
    }
    return out;
  }

  private static String read(String resource) throws IOException {
    try (InputStream in = V4__quartz_tables.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("Quartz DDL " + resource + " missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
