package dev.mayfly.store;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One deployment as the registry keeps it.
 *
 * @param params parameter values with secrets already masked by the caller
 * @param spec opaque to the store: what the pipeline needs for later sync and terminate
 * @param hostCount filled when read, ignored on insert
 */
public record DeploymentRow(
    String id,
    String template,
    String target,
    DeploymentState state,
    Map<String, String> params,
    String spec,
    Optional<String> serviceCommit,
    Optional<String> dataCommit,
    Optional<String> url,
    Instant createdAt,
    Optional<Instant> expiresAt,
    int hostCount) {}
