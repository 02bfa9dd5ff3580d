package dev.mayfly.store;

import static dev.mayfly.store.Jdbc.optionalInstant;
import static dev.mayfly.store.Jdbc.time;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The daemon's bookkeeping: sync settings and outcomes on the deployment table, and the notices
 * sent.
 */
final class ScheduleStore {
  private static final int IDS_PER_STATEMENT = 500;

  /** The deployment columns a {@link ScheduleRow} is made of, in {@link #row}'s order. */
  static final List<String> COLUMNS =
      List.of(
          "id",
          "state",
          "expires_at",
          "sync_cron",
          "data_pin",
          "last_sync_at",
          "last_sync_result",
          "sync_failures",
          "next_sync_at",
          "rev");

  private static final String SELECT = "SELECT " + String.join(", ", COLUMNS) + " FROM deployment";
  private final Jdbc jdbc;

  ScheduleStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  void setSyncCron(String id, String cron) {
    jdbc.update("UPDATE deployment SET sync_cron = ?, rev = rev + 1 WHERE id = ?", cron, id);
  }

  void setDataPin(String id, String commit) {
    jdbc.update("UPDATE deployment SET data_pin = ? WHERE id = ?", commit, id);
  }

  /**
   * Whether a {@code mayfly daemon} serves this registry now: some scheduler of the cluster checked
   * in within its interval plus the 7.5 s Quartz allows before taking a member for dead.
   */
  boolean daemonServing(Instant now) {
    return jdbc.one(
            "SELECT COUNT(*) FROM QRTZ_SCHEDULER_STATE"
                + " WHERE LAST_CHECKIN_TIME + CHECKIN_INTERVAL + 7500 >= ?",
            rs -> rs.getLong(1) > 0,
            now.toEpochMilli())
        .orElse(false);
  }

  void recordSync(String id, Instant at, String result, boolean failed) {
    jdbc.update(
        "UPDATE deployment SET last_sync_at = ?, last_sync_result = ?,"
            + " sync_failures = "
            + (failed ? "sync_failures + 1" : "0")
            + " WHERE id = ?",
        time(at),
        result,
        id);
  }

  void recordSyncs(List<String> ids, Instant at, String result) {
    for (int from = 0; from < ids.size(); from += IDS_PER_STATEMENT) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IDS_PER_STATEMENT));
      List<Object> args = new ArrayList<>(List.of(time(at), result));
      args.addAll(chunk);
      jdbc.update(
          "UPDATE deployment SET last_sync_at = ?, last_sync_result = ?, sync_failures = 0 WHERE id IN ("
              + String.join(",", Collections.nCopies(chunk.size(), "?"))
              + ")",
          args.toArray());
    }
  }

  void setNextSync(String cron, Instant at) {
    jdbc.update(
        "UPDATE deployment SET next_sync_at = ? WHERE sync_cron = ? AND sync_failures = 0",
        time(at),
        cron);
  }

  void setNextSyncOf(String id, Instant at) {
    jdbc.update("UPDATE deployment SET next_sync_at = ? WHERE id = ?", time(at), id);
  }

  List<ScheduleRow> all() {
    return jdbc.query(SELECT + " ORDER BY id", ScheduleStore::row);
  }

  Optional<ScheduleRow> find(String id) {
    return jdbc.one(SELECT + " WHERE id = ?", ScheduleStore::row, id);
  }

  List<ScheduleRow> unscheduled() {
    return jdbc.query(
        SELECT + " WHERE scheduled_rev IS NULL OR scheduled_rev <> rev ORDER BY id",
        ScheduleStore::row);
  }

  List<ScheduleRow> expiringBefore(Instant cutoff) {
    return jdbc.query(
        SELECT + " WHERE expires_at < ? ORDER BY id", ScheduleStore::row, time(cutoff));
  }

  void markScheduled(String id, long rev) {
    jdbc.update("UPDATE deployment SET scheduled_rev = ? WHERE id = ? AND rev = ?", rev, id, rev);
  }

  List<String> idsSyncingOn(String cron, DeploymentState state) {
    return jdbc.query(
        "SELECT id FROM deployment WHERE sync_cron = ? AND state = ? ORDER BY id",
        rs -> rs.getString(1),
        cron,
        state.word());
  }

  List<String> syncCrons(DeploymentState state) {
    return jdbc.query(
        "SELECT DISTINCT sync_cron FROM deployment WHERE sync_cron IS NOT NULL AND state = ?",
        rs -> rs.getString(1),
        state.word());
  }

  /** True the first time; false when the notice was claimed already (the row exists). */
  boolean claimNotice(String id, Instant expiresAt, Duration lead) {
    return jdbc.insertOrIgnoreDuplicate(
        "INSERT INTO notice_sent (deployment_id, expires_at, lead_seconds, sent_at) VALUES (?,?,?,?)",
        id,
        time(expiresAt),
        lead.toSeconds(),
        time(Instant.now()));
  }

  private static ScheduleRow row(ResultSet rs) throws SQLException {
    return row(rs, 1);
  }

  /** The {@link #COLUMNS} from column {@code first} on. */
  static ScheduleRow row(ResultSet rs, int first) throws SQLException {
    int at = first - 1;
    return new ScheduleRow(
        rs.getString(at + 1),
        DeploymentState.read(rs.getString(at + 2)),
        optionalInstant(rs, at + 3),
        Optional.ofNullable(rs.getString(at + 4)),
        Optional.ofNullable(rs.getString(at + 5)),
        optionalInstant(rs, at + 6),
        Optional.ofNullable(rs.getString(at + 7)),
        rs.getInt(at + 8),
        optionalInstant(rs, at + 9),
        rs.getLong(at + 10));
  }
}
