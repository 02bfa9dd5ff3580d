package dev.mayfly.provider;

import java.time.Instant;
import java.util.Map;

/**
 * @param ports the template's ports (name to number)
 * @param options provider-specific settings from the command line or the target (e.g. {@code host})
 */
public record LaunchRequest(
    String deploymentId,
    String template,
    int count,
    Map<String, Integer> ports,
    Instant expiresAt,
    Map<String, java.util.List<String>> options) {}
