package dev.mayfly.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.HostState;
import dev.mayfly.store.Registry;
import java.time.Duration;
import java.time.Instant;
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
   * {@code events} history entries, syncing on {@link #CRON} from {@code dataUrl}.
   */
  static void seed(
      Registry registry,
      int count,
      int hosts,
      int events,
      String dataUrl,
      Optional<String> dataCommit,
      Instant expires) {
    Instant now = Instant.now();
    String spec = spec(dataUrl);
    for (int i = 0; i < count; i++) {
      String id = id(i);
      registry.insert(
          new DeploymentRow(
              id,
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
      registry.setSyncCron(id, CRON);
      for (int h = 1; h <= hosts; h++) {
        registry.putHost(
            new HostRow(
                id,
                "host-" + h,
                "127.0.0.1",
                Map.of("http", 8080),
                Optional.of("/nonexistent/" + id),
                HostState.HEALTHY,
                dataCommit,
                Optional.empty()));
      }
      for (int e = 0; e < events; e++) {
        // the mix a launch and a few weeks of syncs leave: steps per host, then sync results
        if (e < hosts * 5) {
          registry.event(id, "host-" + (e % hosts + 1), "step", "install done in 2.0s");
        } else {
          registry.event(id, null, "sync", "published " + "1".repeat(40) + " on " + hosts);
        }
      }
      if (events > 0) {
        registry.recordSync(id, now.minusSeconds(600), "unchanged", false);
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

  static Duration since(long nanoStart) {
    return Duration.ofNanos(System.nanoTime() - nanoStart);
  }
}
