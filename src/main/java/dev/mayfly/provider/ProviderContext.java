package dev.mayfly.provider;

import dev.mayfly.host.SshAccess;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a provider is made with for one operation on one deployment.
 *
 * @param stateDir mayfly's state folder (sandboxes, keys, snapshots live below it)
 * @param settings the target's settings
 * @param deploymentId the deployment this provider works for
 * @param ssh how to log in to the deployment's hosts and check their keys; providers whose hosts are
 *     reached over SSH pass it to {@code dev.mayfly.host.ssh.SshShells.open}
 */
public record ProviderContext(Path stateDir, Map<String, String> settings, String deploymentId, SshAccess ssh) {}
