package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.provider.ProviderCommands;
import dev.mayfly.provider.ProviderCommands.Args;
import dev.mayfly.provider.ProviderCommands.Command;
import dev.mayfly.provider.ProviderCommands.Result;
import dev.mayfly.target.Target;
import dev.mayfly.target.Targets;
import java.util.List;

/** Runs a provider's own commands ({@code mayfly metal systems}) on one target of that provider. */
final class ProviderTools {
  private final Deployments deployments;

  ProviderTools(Deployments deployments) {
    this.deployments = deployments;
  }

  /**
   * @param target null for the only target of the group's provider in the targets file, or the
   *     provider by its bare name when the file has none
   */
  Result run(ProviderCommands group, Command command, String target, Args args) {
    Target chosen = choose(group.provider(), target);
    return command.action().run(deployments.context(chosen, null, null), args);
  }

  private Target choose(String provider, String target) {
    Targets targets = deployments.targets();
    List<Target> fitting =
        targets.defined().stream().filter(t -> t.provider().equals(provider)).toList();
    String fittingNames =
        fitting.isEmpty()
            ? "none in " + targets.file()
            : String.join(", ", fitting.stream().map(Target::name).toList());
    if (target == null) {
      if (fitting.isEmpty()) {
        // the provider by its bare name, with no settings: enough for one that needs none (docker)
        return targets.resolve(provider);
      }
      if (fitting.size() != 1) {
        throw MayflyException.badInput(
            "--target: give the "
                + provider
                + " target to use ("
                + provider
                + " targets: "
                + fittingNames
                + ")");
      }
      return fitting.get(0);
    }
    Target chosen = targets.resolve(target);
    if (!chosen.provider().equals(provider)) {
      throw MayflyException.badInput(
          "--target: '"
              + target
              + "' is a "
              + chosen.provider()
              + " target, not "
              + provider
              + " ("
              + provider
              + " targets: "
              + fittingNames
              + ")");
    }
    return chosen;
  }
}
