package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.OwnedHost;
import dev.mayfly.provider.Provider;
import dev.mayfly.provider.Providers;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.Registry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds hosts that mayfly holds and nobody should: each provider's {@link Provider#owned()} compared with
 * the registry. A host is reaped when its deployment is unknown, terminated, or expired longer than the
 * grace ago (the grace leaves a due expiry to the expiry job). Dry-run unless told to act.
 */
public final class Reaper {
  private final Deployments deployments;
  private final Registry registry;
  private final Providers providers;
  private final Path stateDir;
  private final Clock clock;

  public Reaper(Deployments deployments, Registry registry, Providers providers, Path stateDir, Clock clock) {
    this.deployments = deployments;
    this.registry = registry;
    this.providers = providers;
    this.stateDir = stateDir;
    this.clock = clock;
  }

  /**
   * One deployment's hosts on one provider that should not be there.
   *
   * @param why {@code unknown}, {@code terminated} or {@code expired}
   * @param error null when reaping worked (or was not attempted in a dry run)
   */
  public record Finding(String provider, String deploymentId, List<String> hostIds, String why, boolean reaped,
      String error) {}

  /** @param act false: report only */
  public List<Finding> reap(boolean act, Duration grace) {
    Instant now = clock.instant();
    List<Finding> findings = new ArrayList<>();
    for (String name : providers.names()) {
      Provider provider;
      List<OwnedHost> owned;
      try {
        provider = providers.create(name, stateDir, Map.of());
        owned = provider.owned();
      } catch (MayflyException | UnsupportedOperationException e) {
        findings.add(new Finding(name, null, List.of(), "unlistable", false, e.getMessage()));
        continue;
      }
      Map<String, List<Host>> byDeployment = new LinkedHashMap<>();
      owned.forEach(o -> byDeployment.computeIfAbsent(o.deploymentId(), k -> new ArrayList<>()).add(o.host()));
      for (Map.Entry<String, List<Host>> e : byDeployment.entrySet()) {
        String id = e.getKey();
        Optional<DeploymentRow> d = registry.find(id);
        String why = d.isEmpty() ? "unknown"
            : d.get().state().equals(Deployments.TERMINATED) ? "terminated"
            : d.get().expiresAt().filter(at -> at.plus(grace).isBefore(now)).isPresent() ? "expired"
            : null;
        if (why == null) {
          continue;
        }
        List<String> hostIds = e.getValue().stream().map(Host::id).toList();
        String error = null;
        if (act) {
          try {
            if (why.equals("expired")) {
              deployments.terminate(id, Progress.SILENT, "reaped");
            } else {
              provider.terminate(id, e.getValue());
            }
          } catch (MayflyException | java.io.UncheckedIOException ex) {
            error = ex.getMessage();
          }
        }
        findings.add(new Finding(name, id, hostIds, why, act && error == null, error));
      }
    }
    return findings;
  }
}
