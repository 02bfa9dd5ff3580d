package dev.mayfly.provider;

import java.util.Map;

/**
 * A named place hosts come from: a provider plus its settings, from the targets file.
 *
 * @param settings everything but {@code provider}; values are text as written
 */
public record Target(String name, String provider, Map<String, String> settings) {}
