package dev.mayfly.provider.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.template.ShellQuote;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The on-host fail-safe script, run here with its config and power-off command pointed into a temp
 * folder.
 */
class FailsafeScriptTest {
  @TempDir Path dir;

  private int run(String... args) throws IOException, InterruptedException {
    Path script = dir.resolve("mayfly-failsafe");
    Files.writeString(script, UserData.script());
    return sh(concat("sh", script.toString(), args), Map.of());
  }

  /** Runs {@code command}, its output in out.log, with {@code environment} added. */
  private int sh(List<String> command, Map<String, String> environment)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("out.log").toFile());
    pb.environment().put("MAYFLY_FAILSAFE_CONF", dir.resolve("conf").toString());
    pb.environment().put("MAYFLY_FAILSAFE_POWEROFF", "touch " + dir.resolve("powered-off"));
    pb.environment().putAll(environment);
    Process p = pb.start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "script finished");
    return p.exitValue();
  }

  /** Runs the re-arm command the way a host's login shell does: as the argument of sh -c. */
  private int rearm(Instant expires, Map<String, String> environment)
      throws IOException, InterruptedException {
    return sh(List.of("sh", "-c", UserData.rearm(expires, Duration.ofHours(1))), environment);
  }

  private static void executable(Path file, String text) throws IOException {
    Files.writeString(file, text);
    assertTrue(file.toFile().setExecutable(true));
  }

  private static List<String> concat(String a, String b, String... rest) {
    List<String> all = new ArrayList<>(List.of(a, b));
    all.addAll(List.of(rest));
    return all;
  }

  @Test
  void armStoresTheExpiryAndGraceAndRefusesAnythingElse() throws Exception {
    assertEquals(0, run("arm", "1900000000", "3600"));
    assertEquals("1900000000 3600", Files.readString(dir.resolve("conf")).trim());
    assertEquals(2, run("arm", "soon; reboot", "3600"));
    assertEquals(2, run("arm", "1900000000"));
    assertEquals(
        "1900000000 3600",
        Files.readString(dir.resolve("conf")).trim(),
        "a refused arm changes nothing");
  }

  @Test
  void aFutureExpiryIsNotDueAndAPassedOnePowersOff() throws Exception {
    long future = Instant.now().plus(Duration.ofDays(1)).getEpochSecond();
    assertEquals(0, run("arm", Long.toString(future), "60"));
    assertEquals(1, run("due"));
    long past = Instant.now().minus(Duration.ofHours(2)).getEpochSecond();
    assertEquals(0, run("arm", Long.toString(past), "3600"));
    assertEquals(0, run("due"));
    assertFalse(Files.exists(dir.resolve("powered-off")));
    assertEquals(0, run("run"));
    assertTrue(Files.exists(dir.resolve("powered-off")), "the watcher powered off");
    assertEquals(0, run("disarm"));
    assertEquals(1, run("due"), "a disarmed fail-safe is never due");
  }

  @Test
  void userDataEmbedsTheScriptAndArmsItWithTheDeploymentExpiry() throws Exception {
    Instant expires = Instant.parse("2026-12-31T23:00:00Z");
    String userData = UserData.render("open-qa-1a2b3c", expires, Duration.ofHours(2));
    assertTrue(userData.startsWith("#!/bin/sh\n"));
    assertTrue(userData.contains(UserData.script() + "MAYFLY_FAILSAFE_SCRIPT\n"));
    assertTrue(
        userData.contains(
            "/usr/local/sbin/mayfly-failsafe arm " + expires.getEpochSecond() + " 7200\n"));
    assertTrue(userData.contains("mayfly deployment open-qa-1a2b3c"));
    Path file = dir.resolve("user-data.sh");
    Files.writeString(file, userData);
    Process syntax =
        new ProcessBuilder("sh", "-n", file.toString()).redirectErrorStream(true).start();
    assertTrue(syntax.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, syntax.exitValue(), () -> "sh -n: " + new String(readAll(syntax)));
  }

  @Test
  void rearmRunsTheInstalledFailsafeAsRootThroughSudoWhenTheLoginUserIsNotRoot() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    executable(bin.resolve("mayfly-failsafe"), UserData.script());
    Map<String, String> path = Map.of("PATH", bin + ":" + System.getenv("PATH"));
    Instant expires = Instant.parse("2030-01-01T00:00:00Z");
    assertEquals(0, rearm(expires, path));
    assertEquals(expires.getEpochSecond() + " 3600", Files.readString(dir.resolve("conf")).trim());

    executable(bin.resolve("id"), "#!/bin/sh\necho 1000\n");
    Path sudoLog = dir.resolve("sudo.log");
    executable(
        bin.resolve("sudo"),
        "#!/bin/sh\necho \"$*\" > "
            + ShellQuote.quote(sudoLog.toString())
            + "\nshift\nexec \"$@\"\n");
    assertEquals(0, rearm(null, path));
    assertFalse(Files.exists(dir.resolve("conf")), "disarmed");
    assertEquals(
        "-n " + bin.resolve("mayfly-failsafe") + " disarm", Files.readString(sudoLog).trim());
  }

  @Test
  void rearmWithoutAnInstalledFailsafeFailsWithExit3() throws Exception {
    assertEquals(3, rearm(Instant.parse("2030-01-01T00:00:00Z"), Map.of("PATH", "/usr/bin:/bin")));
    assertEquals(
        "mayfly-failsafe is not installed", Files.readString(dir.resolve("out.log")).trim());
  }

  private static byte[] readAll(Process p) {
    try {
      return p.getInputStream().readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }
}
