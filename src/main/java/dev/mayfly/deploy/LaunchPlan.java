package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.host.Identity;
import dev.mayfly.host.SshAccess;
import dev.mayfly.store.Registry;
import dev.mayfly.template.Durations;
import dev.mayfly.template.Params;
import dev.mayfly.template.SyncCron;
import dev.mayfly.template.Template;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A launch with every input checked: {@link LaunchOptions} resolved against the template, the registry and
 * the clock. Making one records and creates nothing, so a bad input fails before any host exists.
 *
 * @param id the deployment id: {@code --name}, or the template's name with a free random suffix
 * @param params every template parameter's value, in the template's order (secrets unmasked)
 * @param expiresAt null when {@code --expires never} was asked for by name
 * @param syncCron null when the deployment does not sync on a schedule
 * @param providerOptions the provider options with {@code --host} as {@code host}
 */
record LaunchPlan(
    String id,
    Template template,
    Map<String, String> params,
    String target,
    int count,
    int parallel,
    Instant createdAt,
    Instant expiresAt,
    String syncCron,
    Template.GitMode gitMode,
    Duration sshDeadline,
    Identity identity,
    Map<String, List<String>> providerOptions) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

  /** Checks {@code options} in the order a user would fix them; the first bad one throws. */
  static LaunchPlan of(LaunchOptions options, DeploymentContext ctx) {
    Template template = ctx.template(options.template(), options.file());
    Map<String, String> params = Params.resolve(template, Params.parseAssignments(options.params()));
    HostRoots.requireAllowed(template, ctx.targets().resolve(options.target()));
    Instant now = ctx.clock().instant();
    // "never" must be asked for by name: no default, no template, makes a deployment live forever
    Instant expiresAt = options.expires() == null
        ? now.plus(template.lifetime())
        : Deployments.NEVER.equals(options.expires().strip())
            ? null
            : Durations.parseExpiry("--expires", options.expires(), now);
    String syncCron = options.sync() != null
        ? SyncCron.validate("--sync", options.sync())
        : template.sync().map(Template.Sync::cron).orElse(null);
    if (options.count() < 1) {
      throw MayflyException.badInput("--count: must be at least 1");
    }
    if (options.parallel() < 1) {
      throw MayflyException.badInput("--parallel: must be at least 1");
    }
    String id = newId(ctx.registry(), options.name(), template.name());
    Template.GitMode gitMode = template.git();
    if (options.gitMode() != null) {
      gitMode = Template.GitMode.parse(options.gitMode());
      if (gitMode == null) {
        throw MayflyException.badInput("--git-mode: '" + options.gitMode() + "' must be pull, push or auto");
      }
    }
    Duration sshDeadline = options.sshTimeout() == null
        ? SshAccess.DEFAULT_CONNECT_DEADLINE
        : Durations.parse("--ssh-timeout", options.sshTimeout());
    Identity identity = options.identity() == null
        ? Identity.generated(ctx.keyFile(id))
        : Identity.parse("--identity", options.identity(), Path.of("").toAbsolutePath(),
            ctx.env().get("SSH_AUTH_SOCK"));
    Map<String, List<String>> providerOptions = new LinkedHashMap<>(options.providerOptions());
    providerOptions.put("host", options.hosts());
    return new LaunchPlan(id, template, Collections.unmodifiableMap(params), options.target(), options.count(),
        options.parallel(), now, expiresAt, syncCron, gitMode, sshDeadline, identity,
        Collections.unmodifiableMap(providerOptions));
  }

  private static String newId(Registry registry, String name, String template) {
    if (name != null) {
      if (!NAME.matcher(name).matches()) {
        throw MayflyException.badInput("--name: '" + name + "' must be lower-case letters, digits and '-', at most 40");
      }
      if (registry.find(name).isPresent()) {
        throw MayflyException.badInput("--name: a deployment named '" + name + "' exists already");
      }
      return name;
    }
    SecureRandom random = new SecureRandom();
    while (true) {
      byte[] bytes = new byte[3];
      random.nextBytes(bytes);
      String id = template + "-" + HexFormat.of().formatHex(bytes);
      if (registry.find(id).isEmpty()) {
        return id;
      }
    }
  }
}
