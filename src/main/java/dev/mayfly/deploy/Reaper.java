package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.OwnedHost;
import dev.mayfly.provider.Provider;
import dev.mayfly.provider.Providers;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.HostState;
import dev.mayfly.store.Registry;
import dev.mayfly.target.Target;
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
 * Finds hosts that mayfly holds and nobody should: each target's {@link Provider#owned()} compared
 * with the registry. It acts only on what carries this registry's id: another registry's hosts are
 * listed as {@code foreign} and never touched, and hosts with mayfly's deployment tag but no
 * registry id (made before registries had one) only when the user adopts their deployment ({@code
 * mayfly reap --adopt ID}).
 *
 * <p>A deployment's own hosts are reaped when it is unknown to the registry, terminated there,
 * expired longer than the grace ago (the grace leaves a due expiry to the expiry job), {@code
 * failed} (a failed launch whose hosts were ended, or kept past their short expiry), or {@code
 * abandoned}: still launching long after it began, because the launching process died. While the
 * registry knows a deployment its expiry is the later of the registry's and the hosts' own tag, so
 * a half-done extend never shortens a life; where the registry lost it, the tag alone holds. It
 * ends hosts only when told to act: {@code mayfly reap} does unless given {@code --dry-run}; the
 * daemon only with {@code --reap act}.
 *
 * <p>Targets looked at: those of the targets file, those deployments and bare-metal reservations in
 * the registry name, and each installed provider by its bare name when it works without settings.
 * Providers are made as for a deployment (the target's name, this mayfly's environment and
 * registry), so backends that keep their state in the registry (metaleuca's reservations) list it.
 */
public final class Reaper {
  /** How long a launch may stay {@code launching} before its hosts count as abandoned. */
  public static final Duration DEFAULT_STALE_LAUNCH = Duration.ofHours(1);

  private final Deployments deployments;
  private final Registry registry;
  private final Providers providers;
  private final Clock clock;
  private final ReapTargets targets;
  private final ReapActions actions;

  public Reaper(Deployments deployments, Registry registry, Providers providers, Clock clock) {
    this.deployments = deployments;
    this.registry = registry;
    this.providers = providers;
    this.clock = clock;
    this.targets = new ReapTargets(deployments, registry, providers);
    this.actions = new ReapActions(deployments.lifecycle(), registry);
  }

  /**
   * One deployment's hosts on one target that should not be there, or that are there but not this
   * registry's to end.
   *
   * @param provider the target they were found on (for targets without a file entry, the provider's
   *     name)
   * @param why {@code unknown}, {@code terminated}, {@code expired}, {@code failed} or {@code
   *     abandoned}; for hosts left alone {@code foreign (registry ID)} or {@code untagged}
   * @param expiresAt the expiry the hosts' tags or the registry name, if any
   * @param error null when reaping worked (or was not attempted in a dry run)
   * @param leftAlone another registry's hosts, or hosts without a registry id that were not
   *     adopted: never ended
   */
  public record Finding(
      String provider,
      String deploymentId,
      List<String> hostIds,
      String why,
      boolean reaped,
      String error,
      Optional<Instant> expiresAt,
      boolean leftAlone) {
    public Finding(
        String provider,
        String deploymentId,
        List<String> hostIds,
        String why,
        boolean reaped,
        String error) {
      this(provider, deploymentId, hostIds, why, reaped, error, Optional.empty(), false);
    }
  }

  /**
   * @param act false: report only
   */
  public List<Finding> reap(boolean act, Duration grace) {
    return reap(null, act, grace, DEFAULT_STALE_LAUNCH, Set.of());
  }

  /**
   * @param onlyTarget one target name, or null for all
   * @param staleLaunch how long a deployment may stay launching before its hosts are abandoned
   * @param adopt deployment ids whose hosts without a registry id the user claims as this
   *     registry's
   */
  public List<Finding> reap(
      String onlyTarget, boolean act, Duration grace, Duration staleLaunch, Set<String> adopt) {
    Instant now = clock.instant();
    String self = registry.id();
    List<Finding> findings = new ArrayList<>();
    // a deployment lives on one target, but two targets can list it (two targets on one Cobbler
    // server,
    // or a provider's bare name listing everything): it is judged once, by the first target listing
    // it
    Set<String> judged = new LinkedHashSet<>();
    for (ReapTargets.Candidate candidate : targets.list(onlyTarget)) {
      Target target = candidate.target();
      Provider provider;
      List<OwnedHost> owned;
      try {
        provider = providers.create(target.provider(), deployments.context(target, null, null));
      } catch (MayflyException e) {
        if (!candidate.required()
            && (e.exit() == MayflyException.Exit.BAD_INPUT
                || e.exit() == MayflyException.Exit.FAILED)) {
          // a provider nobody configured, or whose backend is not there (no Docker engine runs):
          // nothing of ours can be there
          continue;
        }
        findings.add(
            new Finding(target.name(), null, List.of(), "unlistable", false, e.getMessage()));
        continue;
      }
      try (provider) {
        try {
          owned = provider.owned();
        } catch (MayflyException | UnsupportedOperationException e) {
          findings.add(
              new Finding(target.name(), null, List.of(), "unlistable", false, e.getMessage()));
          continue;
        }
        // by whose they are: this registry's (or adopted), another registry's, or nobody's record
        Map<List<String>, List<OwnedHost>> groups = new LinkedHashMap<>();
        for (OwnedHost o : owned) {
          String owner = ReapDecision.owner(o, self, adopt);
          groups.computeIfAbsent(List.of(owner, o.deploymentId()), k -> new ArrayList<>()).add(o);
        }
        for (Map.Entry<List<String>, List<OwnedHost>> e : groups.entrySet()) {
          String owner = e.getKey().get(0);
          String id = e.getKey().get(1);
          if (!judged.add(owner + "/" + id)) {
            continue;
          }
          List<Host> hosts = e.getValue().stream().map(OwnedHost::host).toList();
          List<String> hostIds = hosts.stream().map(Host::id).toList();
          Optional<Instant> tagged =
              e.getValue().stream()
                  .map(OwnedHost::expiresAt)
                  .flatMap(Optional::stream)
                  .min(Instant::compareTo);
          if (!owner.equals(self)) {
            findings.add(
                new Finding(
                    target.name(),
                    id,
                    hostIds,
                    ReapDecision.leftAlone(owner, id),
                    false,
                    null,
                    tagged,
                    true));
            continue;
          }
          findings.addAll(judge(target, provider, id, hosts, tagged, act, now, grace, staleLaunch));
        }
      }
    }
    findings.addAll(abandonedUnlisted(onlyTarget, findings, act, now, staleLaunch));
    return findings;
  }

  /**
   * Abandoned launches no provider listed hosts for: on servers mayfly does not own ({@code ssh})
   * nothing is listed, so the registry's rows are all there is to end the service and roots from,
   * as terminate does.
   */
  private List<Finding> abandonedUnlisted(
      String onlyTarget, List<Finding> found, boolean act, Instant now, Duration staleLaunch) {
    Set<String> seen = new LinkedHashSet<>();
    found.stream().filter(f -> !f.leftAlone()).forEach(f -> seen.add(f.deploymentId()));
    List<Finding> findings = new ArrayList<>();
    for (DeploymentRow d : registry.list()) {
      if (d.state() != DeploymentState.LAUNCHING
          || d.createdAt().plus(staleLaunch).isAfter(now)
          || seen.contains(d.id())
          || (onlyTarget != null && !onlyTarget.equals(d.target()))) {
        continue;
      }
      String error = act ? actions.terminate(d.id()) : null;
      findings.add(
          new Finding(
              d.target(),
              d.id(),
              registry.hosts(d.id()).stream().map(HostRow::hostId).toList(),
              "abandoned",
              act && error == null,
              error,
              d.expiresAt(),
              false));
    }
    return findings;
  }

  /** This registry's hosts of one deployment: ended when they should not be there. */
  private List<Finding> judge(
      Target target,
      Provider provider,
      String id,
      List<Host> hosts,
      Optional<Instant> tagged,
      boolean act,
      Instant now,
      Duration grace,
      Duration staleLaunch) {
    Optional<DeploymentRow> d = registry.find(id);
    boolean hostsLive =
        registry.hosts(id).stream().anyMatch(h -> h.state() != HostState.TERMINATED);
    String why = ReapDecision.why(d, hostsLive, tagged, now, grace, staleLaunch);
    if (why == null) {
      return List.of();
    }
    String error = act ? actions.end(id, d, provider, hosts) : null;
    return List.of(
        new Finding(
            target.name(),
            id,
            hosts.stream().map(Host::id).toList(),
            why,
            act && error == null,
            error,
            tagged.or(() -> d.flatMap(DeploymentRow::expiresAt)),
            false));
  }
}
