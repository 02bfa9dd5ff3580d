package dev.mayfly.store;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/** The registry's own facts; today its identity. */
final class RegistryMetaStore {
  private final Jdbc jdbc;

  RegistryMetaStore(Jdbc jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * The id, made on first use; of two processes making it at once, the first insert wins for both.
   */
  String id() {
    Optional<String> id = read();
    if (id.isPresent()) {
      return id.get();
    }
    byte[] bytes = new byte[8];
    new SecureRandom().nextBytes(bytes);
    jdbc.insertOrIgnoreDuplicate(
        "INSERT INTO registry_meta (meta_key, meta_value) VALUES ('id', ?)",
        HexFormat.of().formatHex(bytes));
    return read().orElseThrow();
  }

  private Optional<String> read() {
    return jdbc.one(
        "SELECT meta_value FROM registry_meta WHERE meta_key = 'id'", rs -> rs.getString(1));
  }
}
