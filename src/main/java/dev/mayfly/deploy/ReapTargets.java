package dev.mayfly.deploy;

import dev.mayfly.provider.Providers;
import dev.mayfly.store.Registry;
import dev.mayfly.target.Target;
import dev.mayfly.target.Targets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The targets the reaper looks at: those of the targets file, those deployments and bare-metal
 * reservations in the registry name, and each installed provider by its bare name.
 */
final class ReapTargets {
  private final Deployments deployments;
  private final Registry registry;
  private final Providers providers;

  ReapTargets(Deployments deployments, Registry registry, Providers providers) {
    this.deployments = deployments;
    this.registry = registry;
    this.providers = providers;
  }

  /**
   * @param required named by the user, the targets file or the registry: failing to list it is a
   *     finding
   */
  record Candidate(Target target, boolean required) {}

  List<Candidate> list(String onlyTarget) {
    Targets targets = deployments.targets();
    if (onlyTarget != null) {
      return List.of(new Candidate(targets.resolve(onlyTarget), true));
    }
    Set<String> required = new LinkedHashSet<>();
    targets.defined().forEach(t -> required.add(t.name()));
    registry.list().forEach(d -> required.add(d.target()));
    // a bare-metal reservation names its target even when its deployment's row is gone
    registry.reservations().all(null).forEach(r -> required.add(r.target()));
    List<Candidate> list = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String name : required) {
      Target t = targets.resolve(name);
      if (providers.settingNames(t.provider()) != null && seen.add(name)) {
        list.add(new Candidate(t, true));
      }
    }
    for (String name : providers.names()) {
      if (seen.add(name)) {
        list.add(new Candidate(targets.resolve(name), false));
      }
    }
    return list;
  }
}
