package dev.mayfly.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mayfly.MayflyException;
import org.junit.jupiter.api.Test;

class SyncCronTest {
  @Test
  void aCronIsAcceptedStripped() {
    assertEquals("*/15 * * * *", SyncCron.validate("--sync", " */15 * * * * "));
    assertEquals("0 0 29 2 *", SyncCron.validate("--sync", "0 0 29 2 *"), "fires in leap years");
  }

  @Test
  void aCronThatNeverFiresIsBadInput() {
    MayflyException e =
        assertThrows(MayflyException.class, () -> SyncCron.validate("--sync", "0 0 31 2 *"));
    assertEquals(MayflyException.Exit.BAD_INPUT, e.exit());
    assertEquals("--sync: '0 0 31 2 *' never fires", e.getMessage());
    assertEquals(
        "--sync: '0 0 31 4,6 *' never fires",
        assertThrows(MayflyException.class, () -> SyncCron.validate("--sync", "0 0 31 4,6 *"))
            .getMessage());
  }

  @Test
  void textThatIsNoCronSaysHowOneLooks() {
    assertEquals(
        "--sync: '61 * * * *' is not a Unix 5-field cron: minute 61 is out of 0-59 (like '*/15 * * * *' or"
            + " '@daily')",
        assertThrows(MayflyException.class, () -> SyncCron.validate("--sync", "61 * * * *"))
            .getMessage());
  }
}
