package dev.mayfly.host;

import dev.mayfly.MayflyException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who mayfly is when it logs in to hosts. Holds where the key is, never the key itself, so it can
 * be recorded with a deployment and used again for sync and terminate.
 *
 * @param keyFile the private key (OpenSSH or PEM format, unencrypted); null for the agent
 * @param generated true for the per-deployment key mayfly made itself
 * @param agentSocket the ssh-agent's socket ({@code $SSH_AUTH_SOCK}) when {@code keyFile} is null;
 *     null if unset
 */
public record Identity(Path keyFile, boolean generated, Path agentSocket) {
  private static final String AGENT = "agent";
  private static final String GENERATED_PREFIX = "generated:";
  private static final String FILE_PREFIX = "file:";

  /** The ssh-agent listening on {@code socket} (null when {@code $SSH_AUTH_SOCK} is unset). */
  public static Identity agent(Path socket) {
    return new Identity(null, false, socket);
  }

  public static Identity generated(Path keyFile) {
    return new Identity(keyFile.toAbsolutePath(), true, null);
  }

  public boolean isAgent() {
    return keyFile == null;
  }

  /**
   * From {@code --identity}: {@code agent} or a private key file, which must exist.
   *
   * @param authSock {@code $SSH_AUTH_SOCK} of the caller, or null
   */
  public static Identity parse(String field, String value, Path cwd, String authSock) {
    if (AGENT.equals(value)) {
      if (authSock == null || authSock.isBlank()) {
        throw MayflyException.badInput(
            field + ": 'agent' needs a running ssh-agent, but SSH_AUTH_SOCK is not set");
      }
      return agent(Path.of(authSock));
    }
    Path file = cwd.resolve(value).toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      throw MayflyException.badInput(
          field + ": '" + value + "' is not a private key file (or 'agent' for ssh-agent)");
    }
    if (!Files.isReadable(file)) {
      throw MayflyException.badInput(field + ": cannot read '" + file + "'");
    }
    return new Identity(file, false, null);
  }

  /** How it is recorded with a deployment. */
  public String spec() {
    if (isAgent()) {
      return AGENT;
    }
    return (generated ? GENERATED_PREFIX : FILE_PREFIX) + keyFile;
  }

  /**
   * @param authSock {@code $SSH_AUTH_SOCK} now, used when the deployment logs in through the agent
   */
  public static Identity fromSpec(String spec, String authSock) {
    if (spec == null || spec.equals(AGENT)) {
      return agent(authSock == null || authSock.isBlank() ? null : Path.of(authSock));
    }
    if (spec.startsWith(GENERATED_PREFIX)) {
      return new Identity(Path.of(spec.substring(GENERATED_PREFIX.length())), true, null);
    }
    return new Identity(Path.of(spec.substring(FILE_PREFIX.length())), false, null);
  }

  /** For messages: which key was offered. */
  public String describe() {
    if (isAgent()) {
      return "the keys in ssh-agent";
    }
    return generated ? "mayfly's key for this deployment (" + keyFile + ".pub)" : "key " + keyFile;
  }
}
