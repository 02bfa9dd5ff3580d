package dev.mayfly.store;

import static dev.mayfly.store.Jdbc.instant;
import static dev.mayfly.store.Jdbc.time;

import dev.mayfly.MayflyException;
import dev.mayfly.store.Registry.HostKeyRow;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** The host_key table: SSH host keys pinned on first contact. */
final class HostKeyStore {
  private final Jdbc jdbc;

  HostKeyStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  Optional<HostKeyRow> find(String hostPort) {
    return jdbc.one("SELECT host_port, algorithm, fingerprint, public_key, first_seen FROM host_key"
        + " WHERE host_port = ?", HostKeyStore::row, hostPort);
  }

  /** Pins {@code key} unless a key is pinned for its host already; returns the pinned one either way. */
  HostKeyRow pin(HostKeyRow key) {
    Optional<HostKeyRow> existing = find(key.hostPort());
    if (existing.isPresent()) {
      return existing.get();
    }
    try {
      jdbc.update("INSERT INTO host_key (host_port, algorithm, fingerprint, public_key, first_seen)"
              + " VALUES (?,?,?,?,?)",
          key.hostPort(), key.algorithm(), key.fingerprint(), key.publicKey(), time(key.firstSeen()));
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

  private static HostKeyRow row(ResultSet rs) throws SQLException {
    return new HostKeyRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), instant(rs, 5));
  }
}
