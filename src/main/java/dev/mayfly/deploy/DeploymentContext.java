package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.git.GitRepos;
import dev.mayfly.host.Identity;
import dev.mayfly.host.SshAccess;
import dev.mayfly.provider.Provider;
import dev.mayfly.provider.ProviderContext;
import dev.mayfly.provider.Providers;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.Registry;
import dev.mayfly.target.Target;
import dev.mayfly.target.Targets;
import dev.mayfly.template.Durations;
import dev.mayfly.template.Template;
import dev.mayfly.template.TemplateCatalog;
import dev.mayfly.template.TemplateLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What every part of the deployment lifecycle works with, and what each derives from it the same
 * way: a deployment's provider, key file, log folder, pinned repos and registry row.
 *
 * @param env the caller's environment: {@code SSH_AUTH_SOCK} for {@code --identity agent}, secrets
 *     targets point at
 */
record DeploymentContext(
    Path stateDir,
    Registry registry,
    TemplateCatalog catalog,
    Providers providers,
    Targets targets,
    GitRepos git,
    Clock clock,
    Map<String, String> env) {
  /** "ssh open" for sync and terminate: the hosts are up already, so fail sooner than at launch. */
  private static final Duration OPERATION_SSH_DEADLINE = Duration.ofSeconds(60);

  DeploymentContext {
    env = Map.copyOf(env);
  }

  /**
   * What a provider of {@code target} is made with here: the target's settings and name, this
   * mayfly's environment (for secrets a target points at) and registry (bare-metal reservations).
   *
   * @param deploymentId null for work on the target itself (listing, reaping)
   * @param access null where no host is opened
   */
  ProviderContext providerContext(Target target, String deploymentId, SshAccess access) {
    return new ProviderContext(
        stateDir,
        target.settings(),
        deploymentId,
        access,
        target.name(),
        env,
        Optional.of(registry));
  }

  /** A template by name from the catalog, or from a file when {@code file} is given. */
  Template template(String name, Path file) {
    return TemplateLoader.load(file != null ? file : catalog.find(name));
  }

  /**
   * The provider behind a target name, with the target's settings, for one deployment; the caller
   * closes it.
   */
  Provider provider(String targetName, String id, SshAccess access) {
    Target target = targets.resolve(targetName);
    return providers.create(target.provider(), providerContext(target, id, access));
  }

  /**
   * The provider for a recorded deployment, logging in as it did at launch; the caller closes it.
   */
  Provider providerFor(DeploymentRow d, Spec spec) {
    return providerLoggingInAs(d, spec.identity());
  }

  /**
   * A provider for what runs only mayfly's own steps (extend, terminate), so a deployment whose
   * frozen template was changed outside mayfly can still be ended; its login is then the key mayfly
   * generated for it, never one the changed row names.
   */
  Provider providerToEnd(DeploymentRow d) {
    return providerLoggingInAs(d, d.specIntact() ? Spec.fromJson(d.spec()).identity() : null);
  }

  private Provider providerLoggingInAs(DeploymentRow d, String identitySpec) {
    Identity identity =
        identitySpec == null
            ? Identity.generated(keyFile(d.id()))
            : Identity.fromSpec(identitySpec, env.get("SSH_AUTH_SOCK"));
    return provider(
        d.target(), d.id(), access(identity).withConnectDeadline(OPERATION_SSH_DEADLINE));
  }

  SshAccess access(Identity identity) {
    return new SshAccess(
        identity, new RegistryHostKeys(registry), SshAccess.DEFAULT_CONNECT_DEADLINE, keepAlive());
  }

  /**
   * How often an open SSH connection is probed; a peer that misses a few probes in a row is gone.
   * {@code MAYFLY_SSH_KEEPALIVE} (a duration) sets it, so a lost host is noticed sooner.
   */
  private Duration keepAlive() {
    String given = env.get("MAYFLY_SSH_KEEPALIVE");
    return given == null || given.isBlank()
        ? SshAccess.DEFAULT_KEEPALIVE
        : Durations.parse("MAYFLY_SSH_KEEPALIVE", given);
  }

  /** Where the key mayfly generates for a deployment lives. */
  Path keyFile(String id) {
    return stateDir.resolve("keys").resolve(id).resolve("id_ed25519");
  }

  /** Deletes a folder of mayfly's state and everything in it; nothing when it is not there. */
  static void deleteTree(Path dir) throws java.io.IOException {
    if (java.nio.file.Files.isDirectory(dir)) {
      try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          java.nio.file.Files.delete(p);
        }
      }
    }
  }

  /** Where the hosts' logs of a deployment are appended, one file per host. */
  Path logDir(String id) {
    return stateDir.resolve("logs").resolve(id);
  }

  Path hostLog(String id, String hostId) {
    return logDir(id).resolve(hostId + ".log");
  }

  GitRepos.Pinned pin(String field, Spec.Repo repo) {
    return git.pin(field, repo.url(), repo.path(), repo.ref());
  }

  DeploymentRow require(String id) {
    return registry
        .find(id)
        .orElseThrow(
            () -> MayflyException.notFound("unknown deployment '" + id + "' (see `mayfly list`)"));
  }

  /** A recorded deployment that may still hold hosts. */
  DeploymentRow requireLive(String id) {
    DeploymentRow d = require(id);
    if (d.state() == DeploymentState.TERMINATED) {
      throw MayflyException.wrongState("deployment '" + id + "' is terminated");
    }
    return d;
  }
}
