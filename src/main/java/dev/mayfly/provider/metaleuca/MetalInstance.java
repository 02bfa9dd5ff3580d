package dev.mayfly.provider.metaleuca;

import java.time.Instant;

/**
 * A reserved machine, as Metaleuca's describe-instances showed it.
 *
 * @param state {@code pending} while it installs (netboot enabled), then {@code running}; {@code
 *     unknown} when Cobbler no longer lists the system
 * @param user who launched it
 */
public record MetalInstance(
    String system,
    String address,
    String deploymentId,
    String user,
    String state,
    String profile,
    Instant reservedAt) {}
