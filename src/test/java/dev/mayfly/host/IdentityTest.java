package dev.mayfly.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityTest {
  @TempDir Path dir;

  @Test
  void specRecordsWhereTheKeyIsNeverTheKey() throws Exception {
    Path key =
        Files.writeString(dir.resolve("id"), "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n");
    Identity file = Identity.parse("--identity", "id", dir, null);
    assertEquals("file:" + key, file.spec());
    assertEquals(file, Identity.fromSpec(file.spec(), null));
    Identity generated = Identity.generated(dir.resolve("keys/d/id_ed25519"));
    assertEquals(generated, Identity.fromSpec(generated.spec(), null));
    assertEquals("agent", Identity.parse("--identity", "agent", dir, "/tmp/agent.sock").spec());
  }

  @Test
  void missingKeyFileOrAgentIsBadInputNamingTheOption() {
    MayflyException missing =
        assertThrows(MayflyException.class, () -> Identity.parse("--identity", "nope", dir, null));
    assertTrue(missing.getMessage().startsWith("--identity: 'nope'"), missing.getMessage());
    MayflyException agent =
        assertThrows(MayflyException.class, () -> Identity.parse("--identity", "agent", dir, null));
    assertTrue(agent.getMessage().contains("SSH_AUTH_SOCK"), agent.getMessage());
  }
}
