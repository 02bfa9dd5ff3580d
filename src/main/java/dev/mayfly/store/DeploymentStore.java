package dev.mayfly.store;

import static dev.mayfly.store.Jdbc.instant;
import static dev.mayfly.store.Jdbc.optionalInstant;
import static dev.mayfly.store.Jdbc.time;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** The deployment table: what was launched, where, and its state. */
final class DeploymentStore {
  private static final String SELECT =
      "SELECT d.id, d.template, d.target, d.state, d.params_json, d.spec_json, d.service_commit,"
          + " d.data_commit, d.url, d.created_at, d.expires_at,"
          + " d.host_count, d.spec_seal"
          + " FROM deployment d";
  private static final String ORDER = " ORDER BY d.created_at DESC, d.id";

  /** How many columns {@link #SELECT} reads, which {@link #row} maps. */
  private static final int DEPLOYMENT_COLUMNS = 13;

  /** {@link #SELECT}'s columns, then a {@link ScheduleRow}'s, then a recycling row's. */
  private static final String OVERVIEWS =
      SELECT.replace(" FROM deployment d", "")
          + ", "
          + qualified("d.", ScheduleStore.COLUMNS)
          + ", "
          + qualified("r.", RecycleStore.COLUMNS)
          + " FROM deployment d LEFT JOIN recycling r ON r.deployment_id = d.id"
          + ORDER;

  private final Jdbc jdbc;
  private final Seal seal;

  DeploymentStore(Jdbc jdbc, Seal seal) {
    this.jdbc = jdbc;
    this.seal = seal;
  }

  void insert(DeploymentRow d) {
    String params = JsonColumn.write(d.params());
    jdbc.update(
        "INSERT INTO deployment (id, template, target, state, params_json, spec_json, service_commit,"
            + " data_commit, url, created_at, expires_at, spec_seal) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        d.id(),
        d.template(),
        d.target(),
        d.state().word(),
        params,
        d.spec(),
        d.serviceCommit().orElse(null),
        d.dataCommit().orElse(null),
        d.url().orElse(null),
        time(d.createdAt()),
        d.expiresAt().map(Jdbc::time).orElse(null),
        seal(seal, d.id(), d.template(), d.target(), params, d.spec()));
  }

  /**
   * What a deployment's later steps act on: where (template, target), with what (params) and which
   * commands.
   */
  static String seal(
      Seal seal, String id, String template, String target, String paramsJson, String specJson) {
    return seal.sign("deployment", id, template, target, paramsJson, specJson);
  }

  /** Also bumps the schedule revision. */
  void setState(String id, DeploymentState state) {
    jdbc.update("UPDATE deployment SET state = ?, rev = rev + 1 WHERE id = ?", state.word(), id);
  }

  /**
   * Sets the state only while the stored word is still {@code expected}; false when another writer
   * won.
   */
  boolean replaceState(String id, String expected, DeploymentState state) {
    return jdbc.update(
            "UPDATE deployment SET state = ?, rev = rev + 1 WHERE id = ? AND state = ?",
            state.word(),
            id,
            expected)
        > 0;
  }

  /**
   * Deployments whose stored state this version does not know (tampered, or another version's), by
   * id.
   */
  Map<String, String> unknownStates() {
    List<String> known =
        Arrays.stream(DeploymentState.values())
            .filter(s -> s != DeploymentState.UNKNOWN)
            .map(DeploymentState::word)
            .toList();
    String sql =
        "SELECT id, state FROM deployment WHERE state NOT IN ("
            + String.join(",", Collections.nCopies(known.size(), "?"))
            + ") ORDER BY id";
    Map<String, String> states = new LinkedHashMap<>();
    jdbc.query(sql, rs -> states.put(rs.getString(1), rs.getString(2)), known.toArray());
    return states;
  }

  void setUrl(String id, String url) {
    jdbc.update("UPDATE deployment SET url = ? WHERE id = ?", url, id);
  }

  void setServiceCommit(String id, String commit) {
    jdbc.update("UPDATE deployment SET service_commit = ? WHERE id = ?", commit, id);
  }

  /** Replaces the frozen template (an upgrade of its commands), sealed like the one at launch. */
  void setSpec(String id, String specJson) {
    DeploymentRow d = find(id).orElseThrow();
    d.spec(); // refuses a row changed outside mayfly: a new seal must never bless it
    String params =
        jdbc.one("SELECT params_json FROM deployment WHERE id = ?", rs -> rs.getString(1), id)
            .orElseThrow();
    jdbc.update(
        "UPDATE deployment SET spec_json = ?, spec_seal = ? WHERE id = ?",
        specJson,
        seal(seal, id, d.template(), d.target(), params, specJson),
        id);
  }

  void setDataCommit(String id, String commit) {
    jdbc.update("UPDATE deployment SET data_commit = ? WHERE id = ?", commit, id);
  }

  /** Also bumps the schedule revision. */
  void setExpiry(String id, Instant expiresAt) {
    jdbc.update(
        "UPDATE deployment SET expires_at = ?, rev = rev + 1 WHERE id = ?",
        expiresAt == null ? null : time(expiresAt),
        id);
  }

  Optional<DeploymentRow> find(String id) {
    return jdbc.one(SELECT + " WHERE d.id = ?" + ORDER, this::row, id);
  }

  /**
   * Removes terminated deployments whose last event (their termination) is before {@code before},
   * with their hosts, history and notices, so their ids can be used again; all or none.
   *
   * @return the ids removed
   */
  List<String> prune(Instant before, boolean dryRun) {
    return jdbc.transaction(
        () -> {
          List<String> ids =
              jdbc.query(
                  "SELECT d.id FROM deployment d WHERE d.state = ? AND COALESCE((SELECT MAX(e.at)"
                      + " FROM event e WHERE e.deployment_id = d.id), d.created_at) < ?"
                      + " ORDER BY d.id",
                  rs -> rs.getString(1),
                  DeploymentState.TERMINATED.word(),
                  time(before));
          if (!dryRun) {
            for (String id : ids) {
              for (String table :
                  List.of(
                      "notice_sent",
                      "event",
                      "host",
                      "deployment_lock",
                      "recycling",
                      "stable_address")) {
                jdbc.update("DELETE FROM " + table + " WHERE deployment_id = ?", id);
              }
              jdbc.update("DELETE FROM deployment WHERE id = ? AND state = ?", id, "terminated");
            }
          }
          return ids;
        });
  }

  /** Every deployment, newest first. */
  List<DeploymentRow> list() {
    return jdbc.query(SELECT + ORDER, this::row);
  }

  /**
   * Every deployment with its schedule and recycling row, newest first, in one scan of the table
   * ({@code list} of 10,000 deployments read it twice, a third of its time).
   */
  List<OverviewRow> overviews() {
    int schedule = DEPLOYMENT_COLUMNS + 1;
    int recycling = schedule + ScheduleStore.COLUMNS.size();
    return jdbc.query(
        OVERVIEWS,
        rs ->
            new OverviewRow(
                row(rs),
                ScheduleStore.row(rs, schedule),
                rs.getString(recycling) == null
                    ? Optional.empty()
                    : Optional.of(RecycleStore.row(rs, recycling))));
  }

  private static String qualified(String alias, List<String> columns) {
    return String.join(", ", columns.stream().map(c -> alias + c).toList());
  }

  private DeploymentRow row(ResultSet rs) throws SQLException {
    String id = rs.getString(1);
    String stored = rs.getString(13);
    String template = rs.getString(2);
    String target = rs.getString(3);
    String params = rs.getString(5);
    String spec = rs.getString(6);
    BooleanSupplier sealed =
        () -> seal.verifies(stored, "deployment", id, template, target, params, spec);
    return new DeploymentRow(
        id,
        template,
        target,
        DeploymentState.read(rs.getString(4)),
        JsonColumn.lazyStrings(params),
        spec,
        Optional.ofNullable(rs.getString(7)),
        Optional.ofNullable(rs.getString(8)),
        Optional.ofNullable(rs.getString(9)),
        instant(rs, 10),
        optionalInstant(rs, 11),
        rs.getInt(12),
        sealed);
  }
}
