package dev.mayfly.provider.metaleuca;

import dev.mayfly.provider.Provider;
import dev.mayfly.provider.ProviderCommands;
import dev.mayfly.provider.ProviderContext;
import dev.mayfly.provider.ProviderFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Bare metal through Cobbler, the Metaleuca way. Needs the registry (reservations live there). */
public final class MetaleucaProviderFactory implements ProviderFactory {
  /** What a metaleuca target may set; see {@link MetalSettings}. */
  private static final Set<String> SETTINGS =
      Set.of(
          "url",
          "user",
          "password-env",
          "password-file",
          "owner",
          "groups",
          "group",
          "profile",
          "clean-profile",
          "ssh-user",
          "ssh-port",
          "install-timeout",
          "poll",
          "call-timeout",
          "claim-settle");

  @Override
  public String name() {
    return "metaleuca";
  }

  @Override
  public Set<String> settingNames() {
    return SETTINGS;
  }

  @Override
  public Optional<ProviderCommands> commands() {
    return Optional.of(MetalCommands.all());
  }

  @Override
  public Provider create(Path stateDir, Map<String, String> settings) {
    return new MetaleucaProvider(
        new ProviderContext(stateDir, settings, null, null, name(), Map.of(), Optional.empty()));
  }

  @Override
  public Provider create(ProviderContext context) {
    return new MetaleucaProvider(context);
  }
}
