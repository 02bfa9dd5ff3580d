package dev.mayfly.host;

import java.util.Optional;

/**
 * The host keys mayfly has seen, pinned on first contact. A server that later offers another key is
 * refused until a person forgets the old pin.
 */
public interface HostKeys {

  /**
   * @param hostPort {@code addr:port}
   */
  Optional<PinnedKey> pinned(String hostPort);

  /**
   * Pins {@code offered} unless a key is pinned already.
   *
   * @return the key pinned for {@code hostPort} after the call: {@code offered}, or the earlier one
   */
  PinnedKey pinIfAbsent(String hostPort, PinnedKey offered);

  /**
   * A server's public key.
   *
   * @param algorithm the SSH name, like {@code ssh-ed25519}
   * @param fingerprint OpenSSH style, {@code SHA256:<base64>}
   * @param publicKey the key in base64 wire format, as in known_hosts
   */
  record PinnedKey(String algorithm, String fingerprint, String publicKey) {}
}
