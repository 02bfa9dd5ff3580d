package dev.mayfly.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.MayflyException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * The registry of deployments, hosts and their history, over JDBC: an embedded H2 file by default,
 * PostgreSQL for teams (the SQL here is the subset both speak).
 * Methods are synchronized because launch fans out over threads that share one connection.
 */
public final class Registry implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};
  private static final TypeReference<Map<String, Integer>> PORT_MAP = new TypeReference<>() {};
  private final Connection connection;
  private final DeploymentLocks locks;

  private Registry(Connection connection, DeploymentLocks locks) {
    this.connection = connection;
    this.locks = locks;
  }

  /** Opens (creating and migrating as needed) {@code <stateDir>/registry.mv.db}. */
  public static Registry open(Path stateDir) {
    // AUTO_SERVER lets a second mayfly process (a `list` during a `launch`) share the file
    return open(Database.h2(stateDir), "mayfly", "");
  }

  public static Registry open(Database db) {
    return open(db.url(), db.user(), db.password());
  }

  public static Registry open(String jdbcUrl, String user, String password) {
    try {
      Flyway.configure().dataSource(jdbcUrl, user, password).load().migrate();
      return new Registry(DriverManager.getConnection(jdbcUrl, user, password),
          new DeploymentLocks(() -> DriverManager.getConnection(jdbcUrl, user, password)));
    } catch (SQLException | RuntimeException e) {
      throw new MayflyException(
          MayflyException.Exit.FAILED, "cannot open the registry " + redact(jdbcUrl) + ": " + e.getMessage(), e);
    }
  }

  /**
   * This registry's stable identity, made on first use: 16 hex digits. Every resource mayfly creates
   * carries it, so a registry only ever ends what is its own.
   */
  public synchronized String id() {
    String sql = "SELECT meta_value FROM registry_meta WHERE meta_key = 'id'";
    try {
      for (int attempt = 0; ; attempt++) {
        try (PreparedStatement st = prepare(sql); ResultSet rs = st.executeQuery()) {
          if (rs.next()) {
            return rs.getString(1);
          }
        }
        byte[] bytes = new byte[8];
        new SecureRandom().nextBytes(bytes);
        try (PreparedStatement st = prepare("INSERT INTO registry_meta (meta_key, meta_value) VALUES ('id', ?)",
            HexFormat.of().formatHex(bytes))) {
          st.executeUpdate();
        } catch (SQLException e) {
          // another process made it first: read theirs
          if (attempt > 0 || e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
            throw e;
          }
        }
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** A JDBC URL fit to print: no settings after {@code ;} or {@code ?}, which may carry a password. */
  public static String redact(String jdbcUrl) {
    return jdbcUrl.split("[;?]")[0].replaceAll("//[^/@]*@", "//");
  }

  public synchronized void insert(DeploymentRow d) {
    update(
        "INSERT INTO deployment (id, template, target, state, params_json, spec_json, service_commit,"
            + " data_commit, url, created_at, expires_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        d.id(), d.template(), d.target(), d.state().word(), json(d.params()), d.spec(),
        d.serviceCommit().orElse(null), d.dataCommit().orElse(null), d.url().orElse(null),
        time(d.createdAt()), d.expiresAt().map(Registry::time).orElse(null));
  }

  /** Also bumps the schedule revision: the daemon reschedules (or unschedules) the deployment. */
  public synchronized void setState(String id, DeploymentState state) {
    update("UPDATE deployment SET state = ?, rev = rev + 1 WHERE id = ?", state.word(), id);
  }

  /**
   * Sets the state only while the stored word is still {@code expected} (which may be one this version
   * cannot read); false when another writer changed it meanwhile. Bumps the revision like setState.
   */
  public synchronized boolean replaceState(String id, String expected, DeploymentState state) {
    return updateCount("UPDATE deployment SET state = ?, rev = rev + 1 WHERE id = ? AND state = ?", state.word(),
        id, expected) > 0;
  }

  /** Deployments whose stored state this version does not know (tampered, or another version's), by id. */
  public synchronized Map<String, String> unknownStates() {
    List<String> known = Arrays.stream(DeploymentState.values()).map(DeploymentState::word).toList();
    String sql = "SELECT id, state FROM deployment WHERE state NOT IN ("
        + String.join(",", Collections.nCopies(known.size(), "?")) + ") ORDER BY id";
    try (PreparedStatement st = prepare(sql, known.toArray()); ResultSet rs = st.executeQuery()) {
      Map<String, String> states = new LinkedHashMap<>();
      while (rs.next()) {
        states.put(rs.getString(1), rs.getString(2));
      }
      return states;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  public synchronized void setUrl(String id, String url) {
    update("UPDATE deployment SET url = ? WHERE id = ?", url, id);
  }

  public synchronized void setDataCommit(String id, String commit) {
    update("UPDATE deployment SET data_commit = ? WHERE id = ?", commit, id);
  }

  public synchronized void setExpiry(String id, Instant expiresAt) {
    update("UPDATE deployment SET expires_at = ?, rev = rev + 1 WHERE id = ?",
        expiresAt == null ? null : time(expiresAt), id);
  }

  /** {@code cron} is Unix 5-field, or null for no scheduled sync. */
  public synchronized void setSyncCron(String id, String cron) {
    update("UPDATE deployment SET sync_cron = ?, rev = rev + 1 WHERE id = ?", cron, id);
  }

  /** {@code commit} null lifts the pin. */
  public synchronized void setDataPin(String id, String commit) {
    update("UPDATE deployment SET data_pin = ? WHERE id = ?", commit, id);
  }

  /** Records a sync's outcome; a failure counts up (for the retry backoff), anything else resets the count. */
  public synchronized void recordSync(String id, Instant at, String result, boolean failed) {
    update("UPDATE deployment SET last_sync_at = ?, last_sync_result = ?,"
        + " sync_failures = " + (failed ? "sync_failures + 1" : "0") + " WHERE id = ?", time(at), result, id);
  }

  /** The same outcome for many deployments in one statement per chunk (an idle round touches them all). */
  public synchronized void recordSyncs(List<String> ids, Instant at, String result) {
    for (int from = 0; from < ids.size(); from += 500) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
      List<Object> args = new ArrayList<>(List.of(time(at), result));
      args.addAll(chunk);
      update("UPDATE deployment SET last_sync_at = ?, last_sync_result = ?, sync_failures = 0 WHERE id IN ("
          + String.join(",", java.util.Collections.nCopies(chunk.size(), "?")) + ")", args.toArray());
    }
  }

  /** When the daemon will sync next, for {@code mayfly list}; for all deployments on {@code cron} at once. */
  public synchronized void setNextSync(String cron, Instant at) {
    update("UPDATE deployment SET next_sync_at = ? WHERE sync_cron = ? AND sync_failures = 0", time(at), cron);
  }

  public synchronized void setNextSyncOf(String id, Instant at) {
    update("UPDATE deployment SET next_sync_at = ? WHERE id = ?", time(at), id);
  }

  /** Scheduling facts of every deployment, by id. */
  public synchronized Map<String, ScheduleRow> schedules() {
    return querySchedules("", new Object[0]).stream()
        .collect(java.util.stream.Collectors.toMap(ScheduleRow::id, r -> r, (a, b) -> a,
            java.util.LinkedHashMap::new));
  }

  public synchronized Optional<ScheduleRow> schedule(String id) {
    return querySchedules(" WHERE id = ?", new Object[] {id}).stream().findFirst();
  }

  /** Deployments whose schedule changed since the daemon last scheduled them. */
  public synchronized List<ScheduleRow> unscheduled() {
    return querySchedules(" WHERE scheduled_rev IS NULL OR scheduled_rev <> rev", new Object[0]);
  }

  /** Notes that the daemon scheduled {@code rev}; a concurrent change (a newer rev) stays pending. */
  public synchronized void markScheduled(String id, long rev) {
    update("UPDATE deployment SET scheduled_rev = ? WHERE id = ? AND rev = ?", rev, id, rev);
  }

  /** Ids of deployments in {@code state} that sync on {@code cron}. */
  public synchronized List<String> idsSyncingOn(String cron, DeploymentState state) {
    String sql = "SELECT id FROM deployment WHERE sync_cron = ? AND state = ? ORDER BY id";
    try (PreparedStatement st = prepare(sql, cron, state.word()); ResultSet rs = st.executeQuery()) {
      List<String> ids = new ArrayList<>();
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
      return ids;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** The distinct sync crons of deployments in {@code state}. */
  public synchronized List<String> syncCrons(DeploymentState state) {
    String sql = "SELECT DISTINCT sync_cron FROM deployment WHERE sync_cron IS NOT NULL AND state = ?";
    try (PreparedStatement st = prepare(sql, state.word()); ResultSet rs = st.executeQuery()) {
      List<String> crons = new ArrayList<>();
      while (rs.next()) {
        crons.add(rs.getString(1));
      }
      return crons;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Claims the notice {@code lead} before {@code expiresAt}: true the first time, false when it was sent
   * already (by this process, an earlier run, or another daemon of the cluster).
   */
  public synchronized boolean claimNotice(String id, Instant expiresAt, java.time.Duration lead) {
    try (PreparedStatement st = prepare(
        "INSERT INTO notice_sent (deployment_id, expires_at, lead_seconds, sent_at) VALUES (?,?,?,?)",
        id, time(expiresAt), lead.toSeconds(), time(Instant.now()))) {
      st.executeUpdate();
      return true;
    } catch (SQLException e) {
      if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
        return false; // integrity constraint: the row exists
      }
      throw failure(e);
    }
  }

  private List<ScheduleRow> querySchedules(String where, Object[] args) {
    String sql = "SELECT id, state, expires_at, sync_cron, data_pin, last_sync_at, last_sync_result,"
        + " sync_failures, next_sync_at, rev FROM deployment" + where + " ORDER BY id";
    try (PreparedStatement st = prepare(sql, args); ResultSet rs = st.executeQuery()) {
      List<ScheduleRow> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(new ScheduleRow(rs.getString(1), DeploymentState.of(rs.getString(2)), optionalInstant(rs, 3),
            Optional.ofNullable(rs.getString(4)), Optional.ofNullable(rs.getString(5)), optionalInstant(rs, 6),
            Optional.ofNullable(rs.getString(7)), rs.getInt(8), optionalInstant(rs, 9), rs.getLong(10)));
      }
      return rows;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private static Optional<Instant> optionalInstant(ResultSet rs, int column) throws SQLException {
    return Optional.ofNullable(rs.getObject(column, OffsetDateTime.class)).map(OffsetDateTime::toInstant);
  }

  public synchronized Optional<DeploymentRow> find(String id) {
    List<DeploymentRow> rows = queryDeployments(" WHERE d.id = ?", id);
    return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
  }

  /** Every deployment, newest first. */
  public synchronized List<DeploymentRow> list() {
    return queryDeployments("");
  }

  private List<DeploymentRow> queryDeployments(String where, Object... args) {
    String sql =
        "SELECT d.id, d.template, d.target, d.state, d.params_json, d.spec_json, d.service_commit,"
            + " d.data_commit, d.url, d.created_at, d.expires_at,"
            + " (SELECT COUNT(*) FROM host h WHERE h.deployment_id = d.id)"
            + " FROM deployment d" + where + " ORDER BY d.created_at DESC, d.id";
    try (PreparedStatement st = prepare(sql, args); ResultSet rs = st.executeQuery()) {
      List<DeploymentRow> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(new DeploymentRow(
            rs.getString(1), rs.getString(2), rs.getString(3), DeploymentState.of(rs.getString(4)),
            parse(rs.getString(5), STRING_MAP), rs.getString(6),
            Optional.ofNullable(rs.getString(7)), Optional.ofNullable(rs.getString(8)),
            Optional.ofNullable(rs.getString(9)), instant(rs, 10),
            Optional.ofNullable(rs.getObject(11, OffsetDateTime.class)).map(OffsetDateTime::toInstant),
            rs.getInt(12)));
      }
      return rows;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Inserts or replaces a host; update-then-insert, because H2 and PostgreSQL share no upsert syntax. */
  public synchronized void putHost(HostRow h) {
    int updated = updateCount(
        "UPDATE host SET address = ?, ports_json = ?, root = ?, state = ?, data_commit = ?, detail = ?"
            + " WHERE deployment_id = ? AND host_id = ?",
        h.address(), json(h.ports()), h.root().orElse(null), h.state().word(), h.dataCommit().orElse(null),
        h.detail().orElse(null), h.deploymentId(), h.hostId());
    if (updated == 0) {
      update(
          "INSERT INTO host (deployment_id, host_id, address, ports_json, root, state, data_commit, detail)"
              + " VALUES (?,?,?,?,?,?,?,?)",
          h.deploymentId(), h.hostId(), h.address(), json(h.ports()), h.root().orElse(null), h.state().word(),
          h.dataCommit().orElse(null), h.detail().orElse(null));
    }
  }

  public synchronized List<HostRow> hosts(String deploymentId) {
    String sql = "SELECT deployment_id, host_id, address, ports_json, root, state, data_commit, detail"
        + " FROM host WHERE deployment_id = ? ORDER BY host_id";
    try (PreparedStatement st = prepare(sql, deploymentId); ResultSet rs = st.executeQuery()) {
      List<HostRow> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(new HostRow(rs.getString(1), rs.getString(2), rs.getString(3), parse(rs.getString(4), PORT_MAP),
            Optional.ofNullable(rs.getString(5)), HostState.of(rs.getString(6)), Optional.ofNullable(rs.getString(7)),
            Optional.ofNullable(rs.getString(8))));
      }
      return rows;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Appends to the history; {@code hostId} is null for deployment-wide events. */
  public synchronized void event(String deploymentId, String hostId, String kind, String detail) {
    update("INSERT INTO event (deployment_id, host_id, at, kind, detail) VALUES (?,?,?,?,?)",
        deploymentId, hostId, time(Instant.now()), kind, detail);
  }

  public synchronized List<EventRow> events(String deploymentId) {
    String sql = "SELECT id, deployment_id, host_id, at, kind, detail FROM event WHERE deployment_id = ? ORDER BY id";
    try (PreparedStatement st = prepare(sql, deploymentId); ResultSet rs = st.executeQuery()) {
      List<EventRow> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(new EventRow(rs.getLong(1), rs.getString(2), Optional.ofNullable(rs.getString(3)),
            instant(rs, 4), rs.getString(5), rs.getString(6)));
      }
      return rows;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Takes the deployment's lock, which launch, sync, extend, terminate and expiry hold while they work,
   * across processes; waits at most {@code wait} for its holder.
   */
  public DeploymentLocks.Held lock(String deploymentId, Duration wait) {
    return locks.take(deploymentId, wait);
  }

  /** Bare-metal reservations, on this registry's connection. */
  public Reservations reservations() {
    return new Reservations(this);
  }

  /** For {@link Reservations}, which synchronizes on this registry around its use. */
  Connection connection() {
    return connection;
  }

  /** A pinned SSH host key. */
  public record HostKeyRow(String hostPort, String algorithm, String fingerprint, String publicKey, Instant firstSeen) {}

  public synchronized Optional<HostKeyRow> hostKey(String hostPort) {
    String sql = "SELECT host_port, algorithm, fingerprint, public_key, first_seen FROM host_key WHERE host_port = ?";
    try (PreparedStatement st = prepare(sql, hostPort); ResultSet rs = st.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return Optional.of(new HostKeyRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
          instant(rs, 5)));
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Pins {@code key} unless a key is pinned for its host already; returns the pinned one either way. */
  public synchronized HostKeyRow pinHostKey(HostKeyRow key) {
    Optional<HostKeyRow> existing = hostKey(key.hostPort());
    if (existing.isPresent()) {
      return existing.get();
    }
    try {
      update("INSERT INTO host_key (host_port, algorithm, fingerprint, public_key, first_seen) VALUES (?,?,?,?,?)",
          key.hostPort(), key.algorithm(), key.fingerprint(), key.publicKey(), time(key.firstSeen()));
      return key;
    } catch (MayflyException e) {
      // another mayfly process pinned it in between: its pin stands
      return hostKey(key.hostPort()).orElseThrow(() -> e);
    }
  }

  /** Forgets the pin, so the next contact pins whatever key the server shows; false if none was pinned. */
  public synchronized boolean forgetHostKey(String hostPort) {
    try (PreparedStatement st = prepare("DELETE FROM host_key WHERE host_port = ?", hostPort)) {
      return st.executeUpdate() > 0;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private void update(String sql, Object... args) {
    updateCount(sql, args);
  }

  private int updateCount(String sql, Object... args) {
    try (PreparedStatement st = prepare(sql, args)) {
      return st.executeUpdate();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private PreparedStatement prepare(String sql, Object... args) throws SQLException {
    PreparedStatement st = connection.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      st.setObject(i + 1, args[i]);
    }
    return st;
  }

  private static OffsetDateTime time(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T parse(String text, TypeReference<T> type) {
    try {
      return JSON.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("corrupt registry value: " + e.getOriginalMessage(), e);
    }
  }

  private static MayflyException failure(SQLException e) {
    return new MayflyException(MayflyException.Exit.INTERNAL, "registry: " + e.getMessage(), e);
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // closing a connection we are done with
    }
  }
}
