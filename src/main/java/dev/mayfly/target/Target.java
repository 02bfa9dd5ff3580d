package dev.mayfly.target;

import java.util.List;
import java.util.Map;

/**
 * Where hosts come from: a provider plus its settings.
 *
 * @param name what {@code --target} says and the registry records
 * @param provider the provider's name ({@code local}, {@code ssh}, {@code ec2}, …)
 * @param settings the provider's settings from the targets file, plus what the environment adds
 * @param origin {@code file:line:column} of its definition, or {@code built in}
 * @param rootPrefixes the folders a deployment root may be below on its hosts, the defaults
 *     included
 */
public record Target(
    String name,
    String provider,
    Map<String, String> settings,
    String origin,
    List<String> rootPrefixes) {}
