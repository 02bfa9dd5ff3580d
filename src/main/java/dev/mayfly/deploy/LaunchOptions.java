package dev.mayfly.deploy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@code mayfly launch} was asked for, unvalidated.
 *
 * @param template a template name, looked up in the catalog, unless {@code file} is given
 * @param expires null for the template's lifetime
 * @param name null to generate one
 * @param hosts provider option: {@code user@addr[:port]} per host, for targets that take them
 * @param sync a Unix 5-field cron overriding the template's sync schedule; null for the template's
 * @param identity {@code --identity}: a private key file or {@code agent}; null for a key mayfly
 *     generates
 * @param gitMode {@code --git-mode}: pull, push or auto; null for the template's {@code git:}
 *     (default auto)
 * @param sshTimeout {@code --ssh-timeout}: how long "ssh open" may take per host (a duration); null
 *     for 3m
 * @param providerOptions other provider options by name ({@code group}, {@code profile} for
 *     metaleuca)
 * @param maxHosts {@code --max-hosts}: raises the target's cap on {@code count}; null for the cap
 * @param paramFile {@code --param-file}: {@code NAME=VALUE} lines or a YAML map; null for none
 * @param stdinParams values read from standard input ({@code --param-stdin NAME}), never seen in
 *     {@code ps}
 * @param onFailure {@code --on-failure}: end (the hosts of a launch that does not end healthy) or
 *     keep (them, for debugging); null for end
 * @param keepFor {@code --keep-for}: how long kept hosts live (a duration); null for 2h
 * @param recycleEvery {@code --recycle-every}: a duration or {@code never}; null for the template's
 *     {@code recycle:}
 * @param tz {@code --tz}: the sync schedule's time zone; null for the template's {@code
 *     sync.timezone}, else UTC
 */
public record LaunchOptions(
    String template,
    Path file,
    List<String> params,
    String expires,
    String name,
    String target,
    int count,
    int parallel,
    List<String> hosts,
    String sync,
    String identity,
    String gitMode,
    String sshTimeout,
    Map<String, List<String>> providerOptions,
    Integer maxHosts,
    Path paramFile,
    Map<String, String> stdinParams,
    String onFailure,
    String keepFor,
    String recycleEvery,
    String tz) {

  /** Without a recycle policy override, on the template's sync time zone. */
  public LaunchOptions(
      String template,
      Path file,
      List<String> params,
      String expires,
      String name,
      String target,
      int count,
      int parallel,
      List<String> hosts,
      String sync,
      String identity,
      String gitMode,
      String sshTimeout,
      Map<String, List<String>> providerOptions,
      Integer maxHosts,
      Path paramFile,
      Map<String, String> stdinParams,
      String onFailure,
      String keepFor) {
    this(
        template,
        file,
        params,
        expires,
        name,
        target,
        count,
        parallel,
        hosts,
        sync,
        identity,
        gitMode,
        sshTimeout,
        providerOptions,
        maxHosts,
        paramFile,
        stdinParams,
        onFailure,
        keepFor,
        null,
        null);
  }

  /** Without a host cap override, parameters from a file or standard input, or a failure policy. */
  public LaunchOptions(
      String template,
      Path file,
      List<String> params,
      String expires,
      String name,
      String target,
      int count,
      int parallel,
      List<String> hosts,
      String sync,
      String identity,
      String gitMode,
      String sshTimeout,
      Map<String, List<String>> providerOptions) {
    this(
        template,
        file,
        params,
        expires,
        name,
        target,
        count,
        parallel,
        hosts,
        sync,
        identity,
        gitMode,
        sshTimeout,
        providerOptions,
        null,
        null,
        Map.of(),
        null,
        null);
  }

  /**
   * Without a sync override, SSH settings or provider options: the template's schedule, a generated
   * key.
   */
  public LaunchOptions(
      String template,
      Path file,
      List<String> params,
      String expires,
      String name,
      String target,
      int count,
      int parallel,
      List<String> hosts) {
    this(
        template, file, params, expires, name, target, count, parallel, hosts, null, null, null,
        null);
  }

  /** Without provider options beyond {@code --host}. */
  public LaunchOptions(
      String template,
      Path file,
      List<String> params,
      String expires,
      String name,
      String target,
      int count,
      int parallel,
      List<String> hosts,
      String sync,
      String identity,
      String gitMode,
      String sshTimeout) {
    this(
        template,
        file,
        params,
        expires,
        name,
        target,
        count,
        parallel,
        hosts,
        sync,
        identity,
        gitMode,
        sshTimeout,
        Map.of());
  }
}
