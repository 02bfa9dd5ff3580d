package dev.mayfly.provider;

import dev.mayfly.store.Registry;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a provider is made with, besides its name.
 *
 * @param stateDir mayfly's state folder (sandboxes, keys, snapshots live below it)
 * @param target the target's name as the user gave it ({@code lab}), or the provider's name
 * @param settings the target's settings from the targets file; secrets appear only as references
 *     ({@code password-env}, {@code password-file}), which the provider resolves itself
 * @param env the process environment, for the secrets a target points at
 * @param registry mayfly's registry, for providers that keep state there (bare-metal reservations);
 *     empty where none is open
 */
public record ProviderContext(Path stateDir, String target, Map<String, String> settings, Map<String, String> env,
    Optional<Registry> registry) {}
