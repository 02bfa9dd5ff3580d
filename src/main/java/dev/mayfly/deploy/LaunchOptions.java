package dev.mayfly.deploy;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code mayfly launch} was asked for, unvalidated.
 *
 * @param template a template name, looked up in the catalog, unless {@code file} is given
 * @param expires null for the template's lifetime
 * @param name null to generate one
 * @param hosts provider option: {@code user@addr[:port]} per host, for targets that take them
 * @param sync a Unix 5-field cron overriding the template's sync schedule; null for the template's
 * @param identity {@code --identity}: a private key file or {@code agent}; null for a key mayfly generates
 * @param gitMode {@code --git-mode}: pull, push or auto; null for the template's {@code git:} (default auto)
 * @param sshTimeout {@code --ssh-timeout}: how long "ssh open" may take per host (a duration); null for 3m
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
    String sshTimeout) {

  /** Without a sync override: the template's schedule applies. */
  public LaunchOptions(String template, Path file, List<String> params, String expires, String name, String target,
      int count, int parallel, List<String> hosts) {
    this(template, file, params, expires, name, target, count, parallel, hosts, null);
  }

  /** Without SSH settings: a generated key, the template's git mode, the default "ssh open" deadline. */
  public LaunchOptions(String template, Path file, List<String> params, String expires, String name, String target,
      int count, int parallel, List<String> hosts, String sync) {
    this(template, file, params, expires, name, target, count, parallel, hosts, sync, null, null, null);
  }
}
