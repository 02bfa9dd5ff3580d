package dev.mayfly.provider.docker;

import dev.mayfly.provider.Provider;
import dev.mayfly.provider.ProviderCommands;
import dev.mayfly.provider.ProviderContext;
import dev.mayfly.provider.ProviderFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Containers on a Docker engine (this machine's, by default): a whole deployment that leaves
 * nothing installed on the machine once it ends.
 */
public final class DockerProviderFactory implements ProviderFactory {
  @Override
  public String name() {
    return "docker";
  }

  @Override
  public Set<String> settingNames() {
    return DockerSettings.NAMES;
  }

  /** Every container runs the whole service on this machine's engine, as sandboxes do. */
  @Override
  public OptionalInt maxHosts() {
    return OptionalInt.of(16);
  }

  @Override
  public Optional<ProviderCommands> commands() {
    return Optional.of(DockerCommands.all());
  }

  /** Without a registry: it lists what mayfly holds ({@code owned}), and refuses to launch. */
  @Override
  public Provider create(Path stateDir, Map<String, String> settings) {
    return new DockerProvider(
        DockerEngine.connect(DockerSettings.parse(name(), settings, System.getenv())),
        Optional.empty());
  }

  @Override
  public Provider create(ProviderContext context) {
    String target = context.target() == null ? name() : context.target();
    return new DockerProvider(
        DockerEngine.connect(DockerSettings.parse(target, context.settings(), context.env())),
        context.registryId());
  }
}
