package dev.mayfly.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** The host table: the machines of each deployment. */
final class HostStore {
  private final Jdbc jdbc;

  HostStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** Update-then-insert, because H2 and PostgreSQL share no upsert syntax. */
  void put(HostRow h) {
    int updated =
        jdbc.update(
            "UPDATE host SET address = ?, ports_json = ?, root = ?, state = ?, data_commit = ?, detail = ?"
                + " WHERE deployment_id = ? AND host_id = ?",
            h.address(),
            JsonColumn.write(h.ports()),
            h.root().orElse(null),
            h.state().word(),
            h.dataCommit().orElse(null),
            h.detail().orElse(null),
            h.deploymentId(),
            h.hostId());
    if (updated == 0) {
      jdbc.update(
          "INSERT INTO host (deployment_id, host_id, address, ports_json, root, state, data_commit, detail)"
              + " VALUES (?,?,?,?,?,?,?,?)",
          h.deploymentId(),
          h.hostId(),
          h.address(),
          JsonColumn.write(h.ports()),
          h.root().orElse(null),
          h.state().word(),
          h.dataCommit().orElse(null),
          h.detail().orElse(null));
      countHosts(h.deploymentId(), +1);
    }
  }

  void remove(String deploymentId, String hostId) {
    if (jdbc.update(
            "DELETE FROM host WHERE deployment_id = ? AND host_id = ?", deploymentId, hostId)
        > 0) {
      countHosts(deploymentId, -1);
    }
  }

  /**
   * Keeps deployment.host_count, which list shows; callers run it in the host write's transaction.
   */
  private void countHosts(String deploymentId, int change) {
    jdbc.update(
        "UPDATE deployment SET host_count = host_count + ? WHERE id = ?", change, deploymentId);
  }

  List<HostRow> of(String deploymentId) {
    return jdbc.query(
        "SELECT deployment_id, host_id, address, ports_json, root, state, data_commit, detail"
            + " FROM host WHERE deployment_id = ? ORDER BY host_id",
        HostStore::row,
        deploymentId);
  }

  private static HostRow row(ResultSet rs) throws SQLException {
    return new HostRow(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        JsonColumn.integers(rs.getString(4)),
        Optional.ofNullable(rs.getString(5)),
        HostState.of(rs.getString(6)),
        Optional.ofNullable(rs.getString(7)),
        Optional.ofNullable(rs.getString(8)));
  }
}
