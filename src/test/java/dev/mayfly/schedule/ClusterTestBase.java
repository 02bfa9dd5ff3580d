package dev.mayfly.schedule;

import org.junit.jupiter.api.BeforeEach;

/**
 * Daemons of a team's cluster: the CLI and every daemon share a fresh PostgreSQL database of their
 * own. Skipped, loudly, where MAYFLY_TEST_PG_URL is not set.
 */
abstract class ClusterTestBase extends DaemonTestBase {
  private String db;

  @Override
  String dbEnv() {
    if (db == null) {
      db = Postgres.freshDatabase();
    }
    return db;
  }

  @BeforeEach
  void shareTheClusterDatabase() {
    mayfly.env("MAYFLY_DB", dbEnv());
  }
}
