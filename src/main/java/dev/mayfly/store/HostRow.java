package dev.mayfly.store;

import java.util.Map;
import java.util.Optional;

public record HostRow(
    String deploymentId,
    String hostId,
    String address,
    Map<String, Integer> ports,
    Optional<String> root,
    HostState state,
    Optional<String> dataCommit,
    Optional<String> detail) {}
