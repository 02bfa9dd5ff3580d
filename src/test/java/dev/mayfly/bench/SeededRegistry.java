package dev.mayfly.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.store.Database;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.HostState;
import dev.mayfly.store.Registry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Fills a registry with running deployments shaped like real ones: hosts, a history and a sync
 * schedule each, written through {@link Registry} as launch and the daemon write them.
 */
final class SeededRegistry {
  static final String CRON = "0 3 * * *";
  private static final ObjectMapper JSON = new ObjectMapper();

  private SeededRegistry() {}

  /**
   * {@code count} deployments {@code bench-00000}…, each with {@code hosts} healthy hosts and
   * {@code events} history entries, syncing on {@link #CRON} from {@code dataUrl}, in the embedded
   * registry of {@code stateDir}. The deployments go through {@link Registry} (their specs are
   * sealed); hosts, history and schedules are batched straight into the same tables in one
   * transaction, since 250,000 single commits take the embedded database many minutes.
   */
  static void seed(
      Path stateDir,
      int count,
      int hosts,
      int events,
      String dataUrl,
      Optional<String> dataCommit,
      Instant expires)
      throws SQLException {
    Instant now = Instant.now();
    String spec = spec(dataUrl);
    try (Registry registry = Registry.open(stateDir)) {
      for (int i = 0; i < count; i++) {
        registry.insert(
            new DeploymentRow(
                id(i),
                "qa-results",
                "local",
                DeploymentState.RUNNING,
                Map.of("title", "Nightly QA results"),
                spec,
                Optional.of("0".repeat(40)),
                dataCommit,
                Optional.of("http://127.0.0.1:8080/"),
                now.minusSeconds(i),
                Optional.of(expires),
                0));
      }
    }
    Database db = Database.embedded(stateDir);
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
        PreparedStatement host =
            c.prepareStatement(
                "INSERT INTO host (deployment_id, host_id, address, ports_json, root, state,"
                    + " data_commit, detail) VALUES (?,?,?,?,?,?,?,?)");
        PreparedStatement event =
            c.prepareStatement(
                "INSERT INTO event (deployment_id, host_id, at, kind, detail) VALUES (?,?,?,?,?)");
        PreparedStatement schedule =
            c.prepareStatement(
                "UPDATE deployment SET sync_cron = ?, rev = rev + 1, last_sync_at = ?,"
                    + " last_sync_result = ?, host_count = "
                    + hosts
                    + " WHERE id = ?")) {
      c.setAutoCommit(false);
      OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
      for (int i = 0; i < count; i++) {
        String id = id(i);
        for (int h = 1; h <= hosts; h++) {
          host.setString(1, id);
          host.setString(2, "host-" + h);
          host.setString(3, "127.0.0.1");
          host.setString(4, "{\"http\":8080}");
          host.setString(5, "/nonexistent/" + id);
          host.setString(6, HostState.HEALTHY.word());
          host.setString(7, dataCommit.orElse(null));
          host.setString(8, null);
          host.addBatch();
        }
        for (int e = 0; e < events; e++) {
          // the mix a launch and a few weeks of syncs leave: steps per host, then sync results
          boolean step = e < hosts * 5;
          event.setString(1, id);
          event.setString(2, step ? "host-" + (e % hosts + 1) : null);
          event.setObject(3, at.minusMinutes(events - e));
          event.setString(4, step ? "step" : "sync");
          event.setString(
              5, step ? "install done in 2.0s" : "published " + "1".repeat(40) + " on " + hosts);
          event.addBatch();
        }
        schedule.setString(1, CRON);
        schedule.setObject(2, events > 0 ? at.minusMinutes(10) : null);
        schedule.setString(3, events > 0 ? "unchanged" : null);
        schedule.setString(4, id);
        schedule.addBatch();
        if (i % 500 == 499 || i == count - 1) {
          host.executeBatch();
          event.executeBatch();
          schedule.executeBatch();
          c.commit();
        }
      }
    }
  }

  static String id(int i) {
    return String.format("bench-%05d", i);
  }

  /** A deployment spec as launch records it, with the data repo at {@code dataUrl}. */
  static String spec(String dataUrl) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("templateFile", "/nonexistent/qa-results.yaml");
    spec.put("service", Map.of("url", "file:///nonexistent/service", "ref", "main"));
    spec.put("install", "true");
    spec.put("start", null);
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("url", dataUrl);
    data.put("localPath", null);
    data.put("ref", "main");
    spec.put("data", data);
    spec.put("publish", "");
    spec.put("keep", 3);
    spec.put("ports", Map.of("http", 8080));
    spec.put("healthPath", "/healthz");
    spec.put("healthPort", "http");
    spec.put("healthStatus", 200);
    spec.put("healthDeadlineSeconds", 60);
    spec.put("root", null);
    try {
      return JSON.writeValueAsString(spec);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static double secondsSince(long nanoStart) {
    return (System.nanoTime() - nanoStart) / 1e9;
  }
}
