package dev.mayfly.deploy;

import dev.mayfly.provider.Host;
import dev.mayfly.provider.OwnedHost;
import dev.mayfly.provider.Provider;
import dev.mayfly.provider.Providers;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.Registry;
import dev.mayfly.target.Target;
import dev.mayfly.target.Targets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds hosts that carry a mayfly deployment tag and should not exist any more, and ends them: the
 * deployment has expired (by its tag or the registry), is unknown to the registry, is already terminated
 * there, or its launch was abandoned (still {@code launching} long after it began: the launching process
 * died). Only what a provider reports through {@link Provider#inventory()} is considered, so anything
 * without mayfly's tags is never touched.
 */
public final class Reaper {
  /** How long a launch may stay {@code launching} before its hosts count as abandoned. */
  public static final Duration DEFAULT_STALE_LAUNCH = Duration.ofHours(1);

  private final Path stateDir;
  private final Registry registry;
  private final Providers providers;
  private final Targets targets;
  private final Clock clock;

  public Reaper(Path stateDir, Registry registry, Providers providers, Targets targets, Clock clock) {
    this.stateDir = stateDir;
    this.registry = registry;
    this.providers = providers;
    this.targets = targets;
    this.clock = clock;
  }

  /**
   * One host the reaper ended (or would end, on a dry run).
   *
   * @param reason {@code expired}, {@code unknown deployment}, {@code deployment terminated} or {@code launch abandoned}
   */
  public record Reaped(String target, String deploymentId, String hostId, String address, String reason,
      Optional<Instant> expiresAt, boolean terminated) {}

  /**
   * @param onlyTarget a target name, or null for every target of the targets file and of the registry
   * @param dryRun report without ending anything
   */
  public List<Reaped> reap(String onlyTarget, boolean dryRun, Duration staleLaunch) {
    Instant now = clock.instant();
    List<Reaped> result = new ArrayList<>();
    for (Target target : targets(onlyTarget)) {
      try (Provider provider = providers.create(target.provider(), stateDir, target.settings())) {
        Map<String, List<OwnedHost>> byDeployment = new LinkedHashMap<>();
        for (OwnedHost owned : provider.inventory()) {
          byDeployment.computeIfAbsent(owned.deploymentId(), k -> new ArrayList<>()).add(owned);
        }
        for (Map.Entry<String, List<OwnedHost>> e : byDeployment.entrySet()) {
          String deploymentId = e.getKey();
          Optional<DeploymentRow> row = registry.find(deploymentId);
          Optional<String> reason = reason(row, e.getValue(), now, staleLaunch);
          if (reason.isEmpty()) {
            continue;
          }
          List<Host> hosts = e.getValue().stream().map(OwnedHost::host).toList();
          if (!dryRun) {
            provider.terminate(deploymentId, hosts);
            row.ifPresent(d -> recordReaped(d, hosts.size(), reason.get()));
          }
          for (OwnedHost owned : e.getValue()) {
            result.add(new Reaped(target.name(), deploymentId, owned.host().id(), owned.host().address(),
                reason.get(), owned.expiresAt().or(() -> row.flatMap(DeploymentRow::expiresAt)), !dryRun));
          }
        }
      }
    }
    return result;
  }

  private static Optional<String> reason(Optional<DeploymentRow> row, List<OwnedHost> hosts, Instant now,
      Duration staleLaunch) {
    // the hosts' own expiry tag first: it holds even where the registry lost the deployment
    if (hosts.stream().anyMatch(h -> h.expiresAt().filter(now::isAfter).isPresent())) {
      return Optional.of("expired");
    }
    if (row.isEmpty()) {
      return Optional.of("unknown deployment");
    }
    DeploymentRow d = row.get();
    if (d.state().equals(Deployments.TERMINATED)) {
      return Optional.of("deployment terminated");
    }
    if (d.expiresAt().filter(now::isAfter).isPresent()) {
      return Optional.of("expired");
    }
    if (d.state().equals(Deployments.LAUNCHING) && !d.createdAt().plus(staleLaunch).isAfter(now)) {
      return Optional.of("launch abandoned");
    }
    return Optional.empty();
  }

  private void recordReaped(DeploymentRow d, int count, String reason) {
    if (d.state().equals(Deployments.TERMINATED)) {
      registry.event(d.id(), null, "reaped", count + " leftover host(s) ended (" + reason + ")");
      return;
    }
    for (HostRow h : registry.hosts(d.id())) {
      registry.putHost(new HostRow(d.id(), h.hostId(), h.address(), h.ports(), h.root(), Deployments.TERMINATED,
          h.dataCommit(), h.detail()));
    }
    registry.setState(d.id(), Deployments.TERMINATED);
    registry.event(d.id(), null, "reaped", count + " host(s) ended (" + reason + ")");
  }

  private List<Target> targets(String onlyTarget) {
    if (onlyTarget != null) {
      return List.of(targets.resolve(onlyTarget));
    }
    Set<String> names = new LinkedHashSet<>();
    targets.defined().forEach(t -> names.add(t.name()));
    for (DeploymentRow d : registry.list()) {
      names.add(d.target());
    }
    List<Target> list = new ArrayList<>();
    for (String name : names) {
      Target t = targets.resolve(name);
      if (onlyTarget == null && providers.settingNames(t.provider()) == null) {
        continue; // recorded with a provider this build lacks: it has nothing to list
      }
      list.add(t);
    }
    return list;
  }
}
