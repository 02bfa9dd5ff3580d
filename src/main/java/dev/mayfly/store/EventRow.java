package dev.mayfly.store;

import java.time.Instant;
import java.util.Optional;

public record EventRow(
    long id,
    String deploymentId,
    Optional<String> hostId,
    Instant at,
    String kind,
    String detail) {}
