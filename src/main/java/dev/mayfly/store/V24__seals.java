package dev.mayfly.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Version 24: seal columns, and seals on the rows written before them. It runs once, in Flyway's
 * transaction, with this registry's key (so it lives here, handed to Flyway, not scanned from
 * db/migration; Flyway reads the version from the class name); from then on a row without a valid
 * seal is refused.
 */
final class V24__seals extends BaseJavaMigration {
  private final Seal seal;

  V24__seals(Seal seal) {
    this.seal = seal;
  }

  @Override
  public void migrate(Context context) throws Exception {
    Connection c = context.getConnection();
    try (Statement st = c.createStatement()) {
      st.execute("ALTER TABLE deployment ADD COLUMN spec_seal VARCHAR(64)");
      st.execute("ALTER TABLE host_key ADD COLUMN key_seal VARCHAR(64)");
    }
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT id, template, target, params_json, spec_json FROM deployment");
        PreparedStatement update =
            c.prepareStatement("UPDATE deployment SET spec_seal = ? WHERE id = ?")) {
      while (rs.next()) {
        update.setString(
            1,
            DeploymentStore.seal(
                seal,
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5)));
        update.setString(2, rs.getString(1));
        update.executeUpdate();
      }
    }
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT host_port, algorithm, fingerprint, public_key FROM host_key");
        PreparedStatement update =
            c.prepareStatement("UPDATE host_key SET key_seal = ? WHERE host_port = ?")) {
      while (rs.next()) {
        update.setString(
            1,
            HostKeyStore.seal(
                seal, rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
        update.setString(2, rs.getString(1));
        update.executeUpdate();
      }
    }
  }
}
