package dev.mayfly.store;

import static dev.mayfly.store.Jdbc.instant;
import static dev.mayfly.store.Jdbc.time;

import dev.mayfly.MayflyException;
import dev.mayfly.store.Registry.HostKeyRow;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The host_key table: SSH host keys pinned on first contact. Each pin is sealed: a pin written by
 * anyone else would make mayfly trust that key, so one whose seal fails is refused.
 */
final class HostKeyStore {
  private final Jdbc jdbc;
  private final Seal seal;

  HostKeyStore(Jdbc jdbc, Seal seal) {
    this.jdbc = jdbc;
    this.seal = seal;
  }

  Optional<HostKeyRow> find(String hostPort) {
    return jdbc.one(
        "SELECT host_port, algorithm, fingerprint, public_key, first_seen, key_seal FROM host_key"
            + " WHERE host_port = ?",
        this::row,
        hostPort);
  }

  static String seal(
      Seal seal, String hostPort, String algorithm, String fingerprint, String publicKey) {
    return seal.sign("host_key", hostPort, algorithm, fingerprint, publicKey);
  }

  /**
   * Pins {@code key} unless a key is pinned for its host already; returns the pinned one either
   * way.
   */
  HostKeyRow pin(HostKeyRow key) {
    Optional<HostKeyRow> existing = find(key.hostPort());
    if (existing.isPresent()) {
      return existing.get();
    }
    try {
      jdbc.update(
          "INSERT INTO host_key (host_port, algorithm, fingerprint, public_key, first_seen, key_seal)"
              + " VALUES (?,?,?,?,?,?)",
          key.hostPort(),
          key.algorithm(),
          key.fingerprint(),
          key.publicKey(),
          time(key.firstSeen()),
          seal(seal, key.hostPort(), key.algorithm(), key.fingerprint(), key.publicKey()));
      return key;
    } catch (MayflyException e) {
      // another mayfly process pinned it in between: its pin stands
      return find(key.hostPort()).orElseThrow(() -> e);
    }
  }

  /** False if no key was pinned. */
  boolean forget(String hostPort) {
    return jdbc.update("DELETE FROM host_key WHERE host_port = ?", hostPort) > 0;
  }

  private HostKeyRow row(ResultSet rs) throws SQLException {
    if (!seal.verifies(
        rs.getString(6),
        "host_key",
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4))) {
      throw MayflyException.failed(
          "the host key pinned for "
              + rs.getString(1)
              + " was changed outside mayfly;"
              + " refusing to trust it (check the server's key, then `mayfly forget-host "
              + rs.getString(1)
              + "`)");
    }
    return new HostKeyRow(
        rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), instant(rs, 5));
  }
}
