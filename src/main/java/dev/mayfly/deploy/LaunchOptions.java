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
 * @param providerOptions other provider options by name ({@code group}, {@code profile} for metaleuca)
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
    Map<String, List<String>> providerOptions) {

  /** Without provider options beyond {@code --host}. */
  public LaunchOptions(String template, Path file, List<String> params, String expires, String name, String target,
      int count, int parallel, List<String> hosts) {
    this(template, file, params, expires, name, target, count, parallel, hosts, Map.of());
  }
}
