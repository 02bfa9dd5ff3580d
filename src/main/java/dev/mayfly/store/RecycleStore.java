package dev.mayfly.store;

import static dev.mayfly.store.Jdbc.instant;
import static dev.mayfly.store.Jdbc.optionalInstant;
import static dev.mayfly.store.Jdbc.time;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The recycling table: host age and recycle policy per deployment. */
final class RecycleStore {
  /** The columns a {@link RecycleRow} is made of, in {@link #row}'s order. */
  static final List<String> COLUMNS =
      List.of(
          "deployment_id", "every_seconds", "hosts_since", "failures", "retry_at", "last_result");

  private static final String SELECT = "SELECT " + String.join(", ", COLUMNS) + " FROM recycling";
  private final Jdbc jdbc;

  RecycleStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /** Records the policy and the hosts' birth at launch. */
  void start(String id, Duration every, Instant hostsSince) {
    jdbc.update(
        "INSERT INTO recycling (deployment_id, every_seconds, hosts_since) VALUES (?,?,?)",
        id,
        every == null ? null : every.toSeconds(),
        time(hostsSince));
  }

  /** New hosts serve since {@code at}: the age restarts and any backoff ends. */
  void recycled(String id, Instant at, Instant createdAt, String result) {
    int n =
        jdbc.update(
            "UPDATE recycling SET hosts_since = ?, failures = 0, retry_at = NULL, last_result = ?"
                + " WHERE deployment_id = ?",
            time(at),
            result,
            id);
    if (n == 0) {
      start(id, null, createdAt);
      recycled(id, at, createdAt, result);
    }
  }

  void failed(String id, Instant retryAt, String result) {
    jdbc.update(
        "UPDATE recycling SET failures = failures + 1, retry_at = ?, last_result = ?"
            + " WHERE deployment_id = ?",
        retryAt == null ? null : time(retryAt),
        result,
        id);
  }

  void setServiceCommit(String id, String commit) {
    jdbc.update("UPDATE deployment SET service_commit = ? WHERE id = ?", commit, id);
  }

  Optional<RecycleRow> find(String id) {
    return jdbc.one(SELECT + " WHERE deployment_id = ?", RecycleStore::row, id);
  }

  List<RecycleRow> all() {
    return jdbc.query(SELECT + " ORDER BY deployment_id", RecycleStore::row);
  }

  private static RecycleRow row(ResultSet rs) throws SQLException {
    return row(rs, 1);
  }

  /** The {@link #COLUMNS} from column {@code first} on. */
  static RecycleRow row(ResultSet rs, int first) throws SQLException {
    int at = first - 1;
    long every = rs.getLong(at + 2);
    Optional<Duration> policy =
        rs.wasNull() ? Optional.empty() : Optional.of(Duration.ofSeconds(every));
    return new RecycleRow(
        rs.getString(at + 1),
        policy,
        instant(rs, at + 3),
        rs.getInt(at + 4),
        optionalInstant(rs, at + 5),
        Optional.ofNullable(rs.getString(at + 6)));
  }
}
