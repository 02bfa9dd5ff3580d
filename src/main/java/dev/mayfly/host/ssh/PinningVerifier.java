package dev.mayfly.host.ssh;

import dev.mayfly.host.HostKeys;
import dev.mayfly.host.SshEndpoint;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;

/**
 * Trust on first use, remembered in the registry: the first key a server shows is pinned; a
 * different key later is refused, and both fingerprints are kept for the error.
 */
final class PinningVerifier implements HostKeyVerifier {
  private final SshEndpoint endpoint;
  private final HostKeys hostKeys;
  private volatile HostKeys.PinnedKey refusedPinned;
  private volatile HostKeys.PinnedKey refusedOffered;
  private volatile PublicKey accepted;

  PinningVerifier(SshEndpoint endpoint, HostKeys hostKeys) {
    this.endpoint = endpoint;
    this.hostKeys = hostKeys;
  }

  @Override
  public boolean verify(String hostname, int port, PublicKey key) {
    HostKeys.PinnedKey offered = describe(key);
    HostKeys.PinnedKey pinned = hostKeys.pinIfAbsent(endpoint.hostPort(), offered);
    if (pinned.fingerprint().equals(offered.fingerprint())) {
      accepted = key;
      return true;
    }
    refusedPinned = pinned;
    refusedOffered = offered;
    return false;
  }

  /**
   * Asks the server for the pinned key's type, so a server with several host keys shows the pinned
   * one.
   */
  @Override
  public List<String> findExistingAlgorithms(String hostname, int port) {
    return hostKeys.pinned(endpoint.hostPort()).map(k -> List.of(k.algorithm())).orElse(List.of());
  }

  /** The key this verifier accepted (the pinned one), or null before that. */
  PublicKey accepted() {
    return accepted;
  }

  /** The message for a refused key, or null when no key was refused. */
  String refusal() {
    if (refusedOffered == null) {
      return null;
    }
    return "host key of "
        + endpoint.hostPort()
        + " has CHANGED: pinned "
        + refusedPinned.fingerprint()
        + " ("
        + refusedPinned.algorithm()
        + "), now offered "
        + refusedOffered.fingerprint()
        + " ("
        + refusedOffered.algorithm()
        + "). Stopped: someone may be intercepting the connection. If the server was"
        + " rebuilt, check the new fingerprint with its owner, then run `mayfly forget-host "
        + endpoint.hostPort()
        + "`";
  }

  static HostKeys.PinnedKey describe(PublicKey key) {
    byte[] blob = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
      return new HostKeys.PinnedKey(
          KeyType.fromKey(key).toString(),
          "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest),
          Base64.getEncoder().encodeToString(blob));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
