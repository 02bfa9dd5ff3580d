package dev.mayfly.store;

import static dev.mayfly.store.Jdbc.instant;
import static dev.mayfly.store.Jdbc.time;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The event table: each deployment's history, append only. */
final class EventStore {
  private final Jdbc jdbc;

  EventStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  void append(String deploymentId, String hostId, String kind, String detail) {
    jdbc.update(
        "INSERT INTO event (deployment_id, host_id, at, kind, detail) VALUES (?,?,?,?,?)",
        deploymentId,
        hostId,
        time(Instant.now()),
        kind,
        detail);
  }

  List<EventRow> of(String deploymentId) {
    return jdbc.query(
        "SELECT id, deployment_id, host_id, at, kind, detail FROM event WHERE deployment_id = ?"
            + " ORDER BY id",
        EventStore::row,
        deploymentId);
  }

  private static EventRow row(ResultSet rs) throws SQLException {
    return new EventRow(
        rs.getLong(1),
        rs.getString(2),
        Optional.ofNullable(rs.getString(3)),
        instant(rs, 4),
        rs.getString(5),
        rs.getString(6));
  }
}
