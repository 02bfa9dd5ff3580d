package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scheduled sync round serves every deployment on its cron, whatever one of them holds. */
class SyncRoundsTest {
  private static final String CRON = "*/5 * * * *";
  @TempDir Path dir;
  private DeployHome home;

  @AfterEach
  void close() {
    home.close();
  }

  @Test
  void aTamperedRowFailsOnItsOwnAndTheRoundGoesOn() throws SQLException {
    home = new DeployHome(dir);
    for (String name : List.of("kept", "tampered")) {
      LaunchOptions o = DeployHome.options(home.template, "2d", 1, 4);
      assertTrue(
          home.deployments
              .launch(
                  new LaunchOptions(
                      o.template(),
                      o.file(),
                      o.params(),
                      o.expires(),
                      name,
                      o.target(),
                      1,
                      4,
                      List.of()),
                  Progress.SILENT)
              .ok());
      home.registry.setSyncCron(name, CRON);
    }
    try (Connection c = DriverManager.getConnection(home.jdbcUrl, "sa", "");
        Statement st = c.createStatement()) {
      assertEquals(
          1,
          st.executeUpdate(
              "UPDATE deployment SET spec_json = REPLACE(spec_json, 'install', 'rm -rf /')"
                  + " WHERE id = 'tampered'"));
    }
    Upkeep upkeep =
        new Upkeep(
            home.deployments,
            home.registry,
            Clock.fixed(DeployHome.NOW, ZoneOffset.UTC),
            null,
            Duration.ofSeconds(5));

    Upkeep.RoundReport round = upkeep.syncRound(CRON);

    assertEquals(Map.of("tampered", 1), round.failed(), round.toString());
    assertTrue(
        home.registry.events("tampered").stream()
            .anyMatch(
                e ->
                    e.kind().equals("sync-failed")
                        && e.detail().contains("frozen template was changed outside mayfly")),
        "the refusal is on record");
    assertTrue(
        home.registry.events("kept").stream().noneMatch(e -> e.kind().equals("sync-failed")),
        "the other deployment is not held up");
  }
}
