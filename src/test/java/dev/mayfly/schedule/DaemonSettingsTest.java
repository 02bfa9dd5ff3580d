package dev.mayfly.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mayfly.MayflyException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DaemonSettingsTest {
  @Test
  void theHorizonIsAnHourUnlessSetInOptionOrProperties() {
    assertEquals(Duration.ofHours(1), DaemonSettings.resolve(Map.of(), new Properties()).horizon());
    Properties config = new Properties();
    config.setProperty("daemon.horizon", "6h");
    assertEquals(Duration.ofHours(6), DaemonSettings.resolve(Map.of(), config).horizon());
    assertEquals(
        Duration.ofMinutes(5),
        DaemonSettings.resolve(Map.of("horizon", "5m"), config).horizon(),
        "the option wins");
  }

  @Test
  void aHorizonShorterThanTwoReconcilesIsRefusedNamingWhereItCameFrom() {
    MayflyException option =
        assertThrows(
            MayflyException.class,
            () ->
                DaemonSettings.resolve(
                    Map.of("horizon", "15s", "reconcile", "10s"), new Properties()));
    assertEquals(
        "--horizon: 15s must be at least twice the reconcile interval (10s)", option.getMessage());
    assertEquals(MayflyException.Exit.BAD_INPUT, option.exit());

    Properties config = new Properties();
    config.setProperty("daemon.horizon", "1m");
    MayflyException property =
        assertThrows(
            MayflyException.class, () -> DaemonSettings.resolve(Map.of("reconcile", "1m"), config));
    assertEquals(
        "daemon.horizon: 1m must be at least twice the reconcile interval (1m)",
        property.getMessage());
  }
}
