package dev.mayfly.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.MayflyException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * The registry of deployments, hosts and their history, over JDBC: an embedded H2 file by default.
 * Methods are synchronized because launch fans out over threads that share one connection.
 */
public final class Registry implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};
  private static final TypeReference<Map<String, Integer>> PORT_MAP = new TypeReference<>() {};
  private final Connection connection;

  private Registry(Connection connection) {
    this.connection = connection;
  }

  /** Opens (creating and migrating as needed) {@code <stateDir>/registry.mv.db}. */
  public static Registry open(Path stateDir) {
    // AUTO_SERVER lets a second mayfly process (a `list` during a `launch`) share the file
    String url = "jdbc:h2:file:" + stateDir.resolve("registry").toAbsolutePath() + ";AUTO_SERVER=TRUE";
    return open(url, "mayfly", "");
  }

  public static Registry open(String jdbcUrl, String user, String password) {
    try {
      Flyway.configure().dataSource(jdbcUrl, user, password).load().migrate();
      return new Registry(DriverManager.getConnection(jdbcUrl, user, password));
    } catch (SQLException | RuntimeException e) {
      throw new MayflyException(
          MayflyException.Exit.FAILED, "cannot open the registry " + jdbcUrl.split(";")[0] + ": " + e.getMessage(), e);
    }
  }

  public synchronized void insert(DeploymentRow d) {
    update(
        "INSERT INTO deployment (id, template, target, state, params_json, spec_json, service_commit,"
            + " data_commit, url, created_at, expires_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        d.id(), d.template(), d.target(), d.state(), json(d.params()), d.spec(),
        d.serviceCommit().orElse(null), d.dataCommit().orElse(null), d.url().orElse(null),
        time(d.createdAt()), d.expiresAt().map(Registry::time).orElse(null));
  }

  public synchronized void setState(String id, String state) {
    update("UPDATE deployment SET state = ? WHERE id = ?", state, id);
  }

  public synchronized void setUrl(String id, String url) {
    update("UPDATE deployment SET url = ? WHERE id = ?", url, id);
  }

  public synchronized void setDataCommit(String id, String commit) {
    update("UPDATE deployment SET data_commit = ? WHERE id = ?", commit, id);
  }

  public synchronized void setExpiry(String id, Instant expiresAt) {
    update("UPDATE deployment SET expires_at = ? WHERE id = ?", expiresAt == null ? null : time(expiresAt), id);
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
            rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
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

  public synchronized void putHost(HostRow h) {
    update(
        "MERGE INTO host (deployment_id, host_id, address, ports_json, root, state, data_commit, detail)"
            + " KEY (deployment_id, host_id) VALUES (?,?,?,?,?,?,?,?)",
        h.deploymentId(), h.hostId(), h.address(), json(h.ports()), h.root().orElse(null), h.state(),
        h.dataCommit().orElse(null), h.detail().orElse(null));
  }

  public synchronized List<HostRow> hosts(String deploymentId) {
    String sql = "SELECT deployment_id, host_id, address, ports_json, root, state, data_commit, detail"
        + " FROM host WHERE deployment_id = ? ORDER BY host_id";
    try (PreparedStatement st = prepare(sql, deploymentId); ResultSet rs = st.executeQuery()) {
      List<HostRow> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(new HostRow(rs.getString(1), rs.getString(2), rs.getString(3), parse(rs.getString(4), PORT_MAP),
            Optional.ofNullable(rs.getString(5)), rs.getString(6), Optional.ofNullable(rs.getString(7)),
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
    try (PreparedStatement st = prepare(sql, args)) {
      st.executeUpdate();
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
