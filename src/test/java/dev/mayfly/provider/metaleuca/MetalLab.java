package dev.mayfly.provider.metaleuca;

import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.Provider;
import dev.mayfly.provider.ProviderContext;
import dev.mayfly.provider.Providers;
import dev.mayfly.store.Registry;
import dev.mayfly.target.Target;
import dev.mayfly.target.Targets;
import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.MayflyCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lab the metaleuca ITs share: one real cobblerd with the profiles they install, a {@code lab}
 * target on it for one owner's pool, and the provider or CLI of a registry that uses it.
 */
final class MetalLab {
  private MetalLab() {}

  /** A cobblerd that installs at once, with profiles {@code centos8} and {@code wipe}. */
  static RealCobbler startCobbler(Path root) throws Exception {
    RealCobbler cobbler = RealCobbler.start(root);
    cobbler.distro("el8");
    cobbler.profile("centos8", "el8");
    cobbler.profile("wipe", "el8");
    cobbler.autoInstall();
    return cobbler;
  }

  /**
   * The CLI of a registry in {@code dir}, with a {@code lab} target on {@code cobbler} whose pool
   * is the systems {@code owner} owns; {@code extraSettings} are more lines of the target.
   */
  static MayflyCli cli(RealCobbler cobbler, Path dir, String owner, String extraSettings)
      throws Exception {
    Path targets = dir.resolve("targets.yaml");
    Files.writeString(
        targets,
        "targets:\n  lab:\n    provider: metaleuca\n    url: "
            + cobbler.url()
            + "\n    user: "
            + RealCobbler.USER
            + "\n    owner: "
            + owner
            + "\n    install-timeout: 60s\n    poll: 200ms\n"
            + extraSettings);
    return new MayflyCli(dir, new DemoCopy(dir.resolve("checkout")).root())
        .env("MAYFLY_TARGETS", targets.toString())
        .env("COBBLER_PASSWORD", RealCobbler.PASSWORD)
        .env("USER", "alice");
  }

  /** The environment {@link #cli} gives the CLI whose state folder is {@code stateDir}. */
  static Map<String, String> env(Path stateDir) {
    return Map.of(
        "MAYFLY_TARGETS",
        stateDir.getParent().resolve("targets.yaml").toString(),
        "COBBLER_PASSWORD",
        RealCobbler.PASSWORD,
        "USER",
        "alice");
  }

  /** The metaleuca provider of the {@code lab} target, as that CLI's launches create it. */
  static Provider provider(Path stateDir, Optional<Registry> registry) {
    return provider(stateDir, registry, env(stateDir));
  }

  /** The same, launching from a process with this environment. */
  static Provider provider(Path stateDir, Optional<Registry> registry, Map<String, String> env) {
    Providers providers = Providers.installed();
    Target lab = Targets.load(env, null, providers::settingNames).resolve("lab");
    return providers.create(
        lab.provider(),
        new ProviderContext(stateDir, lab.settings(), null, null, lab.name(), env, registry));
  }

  static LaunchRequest request(String id, int count, String group, String profile) {
    return new LaunchRequest(
        id,
        "qa-results",
        count,
        Map.of("http", 8080),
        Instant.now().plusSeconds(3600),
        Map.of("group", List.of(group), "profile", List.of(profile)));
  }
}
