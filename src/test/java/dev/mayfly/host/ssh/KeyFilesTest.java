package dev.mayfly.host.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {
  @TempDir Path dir;

  @Test
  void generatedKeyIsOwnerOnlyAndReadableAsAnOpenSshEd25519Key() throws Exception {
    Path key = dir.resolve("keys/dep-1/id_ed25519");
    KeyFiles.generateEd25519(key, "mayfly-dep-1");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    assertEquals(
        "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key.getParent())));
    String pub = Files.readString(Path.of(key + ".pub"));
    assertTrue(pub.startsWith("ssh-ed25519 AAAA") && pub.strip().endsWith(" mayfly-dep-1"), pub);
    try (SSHClient client = new SSHClient()) {
      KeyProvider loaded = client.loadKeys(key.toString());
      assertEquals("EdDSA", loaded.getPrivate().getAlgorithm().replace("Ed25519", "EdDSA"));
    }
    if (Files.isExecutable(Path.of("/usr/bin/ssh-keygen"))) {
      Process p =
          new ProcessBuilder("ssh-keygen", "-y", "-f", key.toString())
              .redirectErrorStream(true)
              .start();
      String derived = new String(p.getInputStream().readAllBytes()).strip();
      assertEquals(0, p.waitFor(), derived);
      assertTrue(pub.startsWith(derived), "OpenSSH derives the same public key: " + derived);
    }
  }

  @Test
  void aRetriedLaunchKeepsItsKey() throws Exception {
    Path key = dir.resolve("id_ed25519");
    KeyFiles.generateEd25519(key, "a");
    String first = Files.readString(key);
    KeyFiles.generateEd25519(key, "a");
    assertEquals(first, Files.readString(key));
  }
}
