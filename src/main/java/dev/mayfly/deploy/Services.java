package dev.mayfly.deploy;

import dev.mayfly.Xdg;
import dev.mayfly.provider.ProviderCommands;
import dev.mayfly.provider.ProviderCommands.Args;
import dev.mayfly.provider.ProviderCommands.Command;
import dev.mayfly.provider.ProviderCommands.Result;
import dev.mayfly.provider.Providers;
import dev.mayfly.store.Database;
import dev.mayfly.store.PrivateFiles;
import dev.mayfly.store.Registry;
import dev.mayfly.target.Targets;
import dev.mayfly.template.TemplateCatalog;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Everything one mayfly process works with, each made once: the installed providers, the template
 * catalog, and after {@link #open} the registry, the targets file and the services on them. The
 * registry opens only when asked for, so commands that need none (help, template check) stay fast.
 */
public final class Services implements AutoCloseable {
  private final Map<String, String> env;
  private final Path stateDir;
  private final TemplateCatalog catalog;
  private final Providers providers = Providers.installed();
  private final Clock clock = Clock.systemUTC();
  private Database database;
  private Registry registry;
  private Deployments deployments;
  private Reaper reaper;

  /**
   * @param cwd where {@code ./templates} is looked for
   */
  public Services(Map<String, String> env, Path cwd) {
    this.env = env;
    this.stateDir = Xdg.stateDir(env);
    this.catalog = TemplateCatalog.standard(cwd, env);
  }

  /** The state folder: registry, sandboxes, snapshots, logs. */
  public Path stateDir() {
    return stateDir;
  }

  public TemplateCatalog catalog() {
    return catalog;
  }

  /**
   * Opens the registry and reads the targets file, on the first call only.
   *
   * @param db a {@code --db} JDBC URL, or null for MAYFLY_DB / mayfly.properties / the embedded
   *     default
   * @param profile {@code --profile}, or null
   */
  public Services open(String db, String profile) {
    if (deployments == null) {
      registry = Registry.open(resolved(db));
      deployments = on(registry, profile);
    }
    return this;
  }

  /** The registry's database, resolved once (the state folder made private first). */
  private Database resolved(String db) {
    if (database == null) {
      PrivateFiles.stateFolder(stateDir);
      database = Database.resolve(db, env, stateDir);
    }
    return database;
  }

  /**
   * One read for a command that does nothing else with the registry ({@code list}): on the embedded
   * file opened for this process alone when no other process has it open ({@link
   * Registry#openAlone}, 100 ms faster), closed again before the caller renders, so a slow reader
   * of the output (a pager) keeps no other command waiting; otherwise as {@link #open} would.
   */
  public <T> T read(String db, String profile, Function<Deployments, T> read) {
    if (deployments == null) {
      Optional<Registry> alone = Registry.openAlone(resolved(db));
      if (alone.isPresent()) {
        try (Registry own = alone.get()) {
          return read.apply(on(own, profile));
        }
      }
    }
    return read.apply(open(db, profile).deployments);
  }

  private Deployments on(Registry registry, String profile) {
    Targets targets = Targets.load(env, profile, providers::settingNames);
    return new Deployments(stateDir, registry, catalog, providers, targets, clock, env);
  }

  public Deployments deployments() {
    return opened().deployments;
  }

  public Registry registry() {
    return opened().registry;
  }

  public Database database() {
    return opened().database;
  }

  /** Which registry this mayfly works for: what `mayfly info` shows. */
  public record Info(String registryId, Path stateDir, String database, List<String> providers) {}

  public Info info() {
    return new Info(
        registry().id(), stateDir, database().toString(), List.copyOf(providers.names()));
  }

  public Reaper reaper() {
    if (reaper == null) {
      reaper = new Reaper(deployments(), registry, providers, clock);
    }
    return reaper;
  }

  /**
   * @param webhook where expiry notices are POSTed; null for none
   */
  public Upkeep upkeep(URI webhook, Duration webhookTimeout) {
    return new Upkeep(deployments(), registry, clock, webhook, webhookTimeout);
  }

  /**
   * The commands providers add to the command line ({@code mayfly metal}); they need no registry to
   * list.
   */
  public List<ProviderCommands> providerCommands() {
    return providers.commands();
  }

  /**
   * Runs a provider's command on a target of that provider.
   *
   * @param target null for the only target of the group's provider in the targets file
   */
  public Result runProviderCommand(
      ProviderCommands group, Command command, String target, Args args) {
    return new ProviderTools(deployments()).run(group, command, target, args);
  }

  private Services opened() {
    if (deployments == null) {
      throw new IllegalStateException("Services.open was not called");
    }
    return this;
  }

  @Override
  public void close() {
    if (registry != null) {
      registry.close();
    }
  }

  /** The one clock every service here reads. */
  public Clock clock() {
    return clock;
  }
}
