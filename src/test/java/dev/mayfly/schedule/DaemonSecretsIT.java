package dev.mayfly.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.testing.MayflyCli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A secret parameter in the daemon's world: its syncs (one failing), notices and expiry leave the
 * value nowhere but the host's own {@code mayfly.env}, which the expiry removes. The launch side is
 * {@code ParamSafetyIT}'s.
 */
class DaemonSecretsIT extends DaemonTestBase {
  @Override
  String dbEnv() {
    return null; // the embedded H2 file, which lives in the state folder and so is scanned too
  }

  @Test
  void aSecretNeverReachesTheDaemonsLogWebhookBodiesOrStateFolder() throws Exception {
    String secret = "s3cr3t-" + UUID.randomUUID();
    // a plain value stored where the secret would be: the scans must find it, so they can see a
    // leak
    String title = "visible-" + UUID.randomUUID();
    // the secret reaches the installer and every publish, where a sync or its failure could echo it
    demo.templateVariant(
        "with-secret",
        Files.readString(demo.template())
            .replace("name: qa-results", "name: with-secret")
            .replace("install: ./install.sh", "install: test -n {{admin_token}} && ./install.sh")
            .replace(
                "publish: ls",
                "publish: test -n \"$MAYFLY_PARAM_ADMIN_TOKEN\" && test ! -e FAIL && ls")
            .replace(
                "params:\n", "params:\n  admin_token:\n    secret: true\n    required: true\n"));
    Webhook hook = Webhook.start("/hook");
    List<String> posted = hook.posted();
    try {
      MayflyCli.Result launch =
          mayfly.run(
              "launch",
              "with-secret",
              "--name",
              "guarded",
              "--param",
              "admin_token=" + secret,
              "--param",
              "title=" + title,
              "--sync",
              "*/5 * * * *",
              "--expires",
              "1h");
      assertEquals(0, launch.exit(), launch::toString);
      DaemonProcess daemon = daemon("daemon", "--notices", "6s", "--webhook", hook.url());

      addRun("with-secret");
      daemon.awaitLog("host-sessions=1", Duration.ofSeconds(30));
      Files.writeString(demo.dataDir().resolve("FAIL"), "the publish step refuses this release");
      daemon.awaitLog("sync of guarded failed 1 time(s)", Duration.ofSeconds(30));
      addRun("recovered");
      Files.delete(
          demo.dataDir().resolve("FAIL")); // after the new run: only the retry can publish it
      daemon.awaitLog("sync-retry guarded host-sessions=1 ok", Duration.ofSeconds(30));
      List<String> kinds = events("guarded");
      assertEquals(2, count(kinds, "synced"), kinds::toString);
      assertTrue(count(kinds, "sync-failed") >= 1, kinds::toString);

      // while it runs, the host's mayfly.env (0600, under its root) is the one place that holds the
      // value
      Path env = mayfly.stateDir().resolve("sandboxes/guarded/host-1/root/mayfly.env");
      assertTrue(holds(env, secret), "the scan finds the secret where it belongs");
      assertEquals(List.of(env), filesHolding(secret));
      assertFalse(daemon.log().contains(secret), "the daemon logged the secret");

      assertEquals(0, mayfly.run("extend", "guarded", "--until", "10s").exit());
      daemon.awaitLog("expired guarded", Duration.ofSeconds(40));
      daemon.close(); // its last registry writes reach the H2 file
      assertEquals("terminated", state("guarded"));
      kinds = events("guarded");
      assertEquals(1, count(kinds, "webhook"), kinds::toString);

      synchronized (posted) {
        assertEquals(1, posted.size(), posted::toString);
        assertTrue(posted.get(0).contains("\"deployment\":\"guarded\""), posted.get(0));
        assertFalse(posted.get(0).contains(secret), "the webhook body holds the secret");
      }
      String log = daemon.log();
      assertTrue(log.contains("expired guarded") && log.contains("sync of guarded failed"), log);
      assertFalse(log.contains(secret), "the daemon logged the secret");
      assertEquals(
          List.of(), filesHolding(secret), "files under the state folder that hold the secret");
      assertTrue(
          filesHolding(title).stream().anyMatch(f -> f.toString().endsWith(".mv.db")),
          "the scan reads the registry's H2 file, where the plain parameter is stored");
    } finally {
      hook.close();
    }
  }

  /**
   * Every file under the test's home whose bytes contain {@code text}: the state folder, the
   * daemon's log.
   */
  private List<Path> filesHolding(String text) throws IOException {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(home)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (!file.startsWith(demo.root()) && holds(file, text)) {
          found.add(file);
        }
      }
    }
    return found;
  }

  private static boolean holds(Path file, String text) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return false; // removed meanwhile (an H2 temp file, a git lock)
    }
    return new String(bytes, StandardCharsets.ISO_8859_1).contains(text);
  }
}
