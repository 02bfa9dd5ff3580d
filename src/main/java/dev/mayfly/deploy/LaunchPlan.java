package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.host.Identity;
import dev.mayfly.host.SshAccess;
import dev.mayfly.store.Registry;
import dev.mayfly.template.Durations;
import dev.mayfly.template.Params;
import dev.mayfly.template.SyncCron;
import dev.mayfly.template.Template;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A launch with every input checked: {@link LaunchOptions} resolved against the template, the
 * registry and the clock. Making one records and creates nothing, so a bad input fails before any
 * host exists.
 *
 * @param id the deployment id: {@code --name}, or the template's name with a free random suffix
 * @param params every template parameter's value, in the template's order (secrets unmasked)
 * @param expiresAt null when {@code --expires never} was asked for by name
 * @param syncCron null when the deployment does not sync on a schedule; else as {@link
 *     SyncCron#text()} stores it, with its zone
 * @param providerOptions the provider options with {@code --host} as {@code host}, and the
 *     template's {@code stable-address: true} as {@code stable-address}
 * @param keepOnFailure keep the hosts of a launch that does not end healthy, for debugging, instead
 *     of ending them
 * @param keepFor how long kept hosts live
 * @param recycleEvery the daemon replaces hosts older than this; null: never
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
    Map<String, List<String>> providerOptions,
    boolean keepOnFailure,
    Duration keepFor,
    Duration recycleEvery) {
  /**
   * How long the hosts of a failed launch live when kept, unless {@code --keep-for} says otherwise.
   */
  static final Duration DEFAULT_KEEP_FOR = Duration.ofHours(2);

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");

  /**
   * How many hosts one launch may ask for on a target whose provider declares no bound of its own.
   */
  static final int DEFAULT_MAX_HOSTS = 256;

  /** The schedule with its zone: {@code --sync}/{@code --tz} over the template's; null for none. */
  private static String syncSchedule(LaunchOptions options, Template template) {
    String cron =
        options.sync() != null
            ? SyncCron.validate("--sync", options.sync())
            : template.sync().map(Template.Sync::cron).orElse(null);
    ZoneId zone =
        options.tz() != null
            ? SyncCron.zone("--tz", options.tz())
            : template.sync().map(Template.Sync::timezone).orElse(SyncCron.DEFAULT_ZONE);
    if (cron == null && options.tz() != null) {
      throw MayflyException.badInput("--tz: the deployment has no sync schedule (--sync or sync:)");
    }
    return cron == null ? null : SyncCron.text(cron, zone);
  }

  /** Checks {@code options} in the order a user would fix them; the first bad one throws. */
  static LaunchPlan of(LaunchOptions options, DeploymentContext ctx) {
    Template template = ctx.template(options.template(), options.file());
    Map<String, String> params = Params.resolve(template, givenParams(options, template));
    HostRoots.requireAllowed(template, ctx.targets().resolve(options.target()));
    Instant now = ctx.clock().instant();
    // "never" must be asked for by name: no default, no template, makes a deployment live forever
    Instant expiresAt =
        options.expires() == null
            ? now.plus(template.lifetime())
            : Deployments.NEVER.equals(options.expires().strip())
                ? null
                : Durations.parseExpiry("--expires", options.expires(), now);
    if (expiresAt != null && expiresAt.isAfter(now.plus(Durations.MAX_LIFETIME))) {
      throw MayflyException.badInput(
          "--expires: at most "
              + Durations.MAX_LIFETIME.toDays()
              + "d (10 years) from now; `--expires never` for a deployment that never expires");
    }
    String syncCron = syncSchedule(options, template);
    checkCount(options, ctx);
    if (options.parallel() < 1) {
      throw MayflyException.badInput("--parallel: must be at least 1");
    }
    boolean keepOnFailure = onFailure(options.onFailure());
    Duration keepFor =
        options.keepFor() == null
            ? DEFAULT_KEEP_FOR
            : Durations.parse("--keep-for", options.keepFor());
    String id = newId(ctx.registry(), options.name(), template.name());
    Template.GitMode gitMode = template.git();
    if (options.gitMode() != null) {
      gitMode = Template.GitMode.parse(options.gitMode());
      if (gitMode == null) {
        throw MayflyException.badInput(
            "--git-mode: '" + options.gitMode() + "' must be pull, push or auto");
      }
    }
    Duration sshDeadline =
        options.sshTimeout() == null
            ? SshAccess.DEFAULT_CONNECT_DEADLINE
            : Durations.parse("--ssh-timeout", options.sshTimeout());
    Identity identity =
        options.identity() == null
            ? Identity.generated(ctx.keyFile(id))
            : Identity.parse(
                "--identity",
                options.identity(),
                Path.of("").toAbsolutePath(),
                ctx.env().get("SSH_AUTH_SOCK"));
    Map<String, List<String>> providerOptions = new LinkedHashMap<>(options.providerOptions());
    providerOptions.put("host", options.hosts());
    if (template.stableAddress()) {
      providerOptions.put("stable-address", List.of("true"));
    }
    return new LaunchPlan(
        id,
        template,
        Collections.unmodifiableMap(params),
        options.target(),
        options.count(),
        options.parallel(),
        now,
        expiresAt,
        syncCron,
        gitMode,
        sshDeadline,
        identity,
        Collections.unmodifiableMap(providerOptions),
        keepOnFailure,
        keepFor,
        recycleEvery(options.recycleEvery(), template));
  }

  /** {@code --recycle-every DURATION|never}, else the template's {@code recycle.every}. */
  private static Duration recycleEvery(String option, Template template) {
    if (option == null) {
      return template.recycleEvery().orElse(null);
    }
    return option.strip().equals(Deployments.NEVER)
        ? null
        : Durations.parse("--recycle-every", option);
  }

  /**
   * @return true for keep
   */
  private static boolean onFailure(String option) {
    if (option == null || option.equals("end")) {
      return false;
    }
    if (option.equals("keep")) {
      return true;
    }
    throw MayflyException.badInput("--on-failure: '" + option + "' must be end or keep");
  }

  /**
   * {@code --param}, {@code --param-file} and standard input together; a name given twice is
   * refused.
   */
  private static Map<String, String> givenParams(LaunchOptions options, Template template) {
    Map<String, String> given = Params.parseAssignments(options.params());
    Map<String, String> fromFile =
        options.paramFile() == null ? Map.of() : Params.readFile(options.paramFile());
    for (Map<String, String> more : List.of(fromFile, options.stdinParams())) {
      more.forEach(
          (name, value) -> {
            if (given.put(name, value) != null) {
              throw MayflyException.badInput("param '" + name + "': given more than once");
            }
          });
    }
    given.forEach(
        (name, value) -> {
          int bytes = value.getBytes(StandardCharsets.UTF_8).length;
          if (bytes > Params.MAX_VALUE_BYTES) {
            throw MayflyException.badInput(
                "param '"
                    + name
                    + "': value is "
                    + bytes
                    + " bytes, at most "
                    + Params.MAX_VALUE_BYTES
                    + " (64 KiB)");
          }
        });
    fromFile.keySet().stream()
        .filter(name -> template.params().containsKey(name))
        .filter(name -> template.params().get(name).secret())
        .findFirst()
        .ifPresent(secret -> checkPrivate(options.paramFile(), secret));
    return given;
  }

  /** A file holding a secret must be the user's alone, like an SSH key. */
  private static void checkPrivate(Path file, String secret) {
    Set<PosixFilePermission> mode;
    try {
      mode = Files.getPosixFilePermissions(file);
    } catch (IOException | UnsupportedOperationException e) {
      return;
    }
    mode.retainAll(
        Set.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_WRITE));
    if (!mode.isEmpty()) {
      throw MayflyException.badInput(
          "--param-file "
              + file
              + ": holds secret param '"
              + secret
              + "' but other users may read or write it (chmod 600 "
              + file
              + ")");
    }
  }

  /**
   * {@code count} hosts within the target's bound: the provider's, else {@link #DEFAULT_MAX_HOSTS}.
   */
  private static void checkCount(LaunchOptions options, DeploymentContext ctx) {
    if (options.count() < 1) {
      throw MayflyException.badInput("--count: must be at least 1");
    }
    if (options.maxHosts() != null) {
      if (options.maxHosts() < 1) {
        throw MayflyException.badInput("--max-hosts: must be at least 1");
      }
      if (options.count() > options.maxHosts()) {
        throw MayflyException.badInput(
            "--count: " + options.count() + " is more than --max-hosts " + options.maxHosts());
      }
      return;
    }
    String provider = ctx.targets().resolve(options.target()).provider();
    OptionalInt declared = ctx.providers().maxHosts(provider);
    int max = declared.orElse(DEFAULT_MAX_HOSTS);
    if (options.count() > max) {
      String whose =
          declared.isPresent()
              ? "the " + provider + " provider allows at most " + max + " hosts per launch"
              : "the "
                  + provider
                  + " provider declares no limit; mayfly's default is "
                  + max
                  + " hosts per launch";
      throw MayflyException.badInput(
          "--count: "
              + options.count()
              + " on target '"
              + options.target()
              + "': "
              + whose
              + " (pass --max-hosts N to allow more)");
    }
  }

  private static String newId(Registry registry, String name, String template) {
    if (name != null) {
      if (!NAME.matcher(name).matches()) {
        throw MayflyException.badInput(
            "--name: '" + name + "' must be lower-case letters, digits and '-', at most 40");
      }
      var existing = registry.find(name);
      if (existing.isPresent()) {
        throw MayflyException.badInput(
            "--name: a deployment named '"
                + name
                + "' exists already"
                + (existing.get().state().live()
                    ? ""
                    : " (terminated: `mayfly prune --older-than 0s` forgets it)"));
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
