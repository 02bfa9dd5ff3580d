package dev.mayfly.provider;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/** Makes a {@link Provider}; listed in META-INF/services so targets are found by name. */
public interface ProviderFactory {

  /**
   * The provider name a target uses: {@code local}, {@code ssh}, {@code ec2}, {@code metaleuca}.
   */
  String name();

  /**
   * @param stateDir mayfly's state folder (sandboxes, keys, snapshots live below it)
   * @param settings the target's settings
   */
  Provider create(Path stateDir, Map<String, String> settings);

  /**
   * Makes the provider for one operation (on one deployment, when {@link
   * ProviderContext#deploymentId()} is set), with everything mayfly can give it: SSH access, the
   * target's name, the environment (for secrets a target points at) and the registry. The default
   * ignores all but the state folder and settings.
   */
  default Provider create(ProviderContext context) {
    return create(context.stateDir(), context.settings());
  }

  /**
   * The settings a target of this provider may have (checked with file:line:column); empty means
   * any.
   */
  default Set<String> settingNames() {
    return Set.of();
  }

  /**
   * How many hosts one launch may ask for, when the backend itself sets a sane bound; empty for
   * mayfly's.
   */
  default OptionalInt maxHosts() {
    return OptionalInt.empty();
  }

  /** The commands this provider adds to the command line ({@code mayfly metal}), if any. */
  default Optional<ProviderCommands> commands() {
    return Optional.empty();
  }
}
