package dev.mayfly.provider.ec2;

import dev.mayfly.MayflyException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.Base64;

/**
 * The deployment's own ed25519 key under {@code <state>/keys/<deployment>/id_ed25519}: its public half is
 * imported as the instances' key pair, the private half (mode 0600, never printed) logs in. A retried
 * launch keeps the key it made first.
 */
final class DeploymentKeys {
  private final Path keysDir;

  DeploymentKeys(Path stateDir) {
    this.keysDir = stateDir.resolve("keys");
  }

  Path privateKey(String deploymentId) {
    return keysDir.resolve(deploymentId).resolve("id_ed25519");
  }

  /** The public key in authorized_keys format, made on first use. */
  String publicKey(String deploymentId) {
    Path key = privateKey(deploymentId);
    Path pub = Path.of(key + ".pub");
    try {
      if (!Files.isRegularFile(pub)) {
        generate(key, pub, "mayfly-" + deploymentId);
      }
      return Files.readString(pub).trim();
    } catch (IOException | GeneralSecurityException e) {
      throw MayflyException.failed("cannot make the deployment key " + key + ": " + e.getMessage());
    }
  }

  private static void generate(Path key, Path pub, String comment) throws IOException, GeneralSecurityException {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] x509 = pair.getPublic().getEncoded();
    byte[] raw = Arrays.copyOfRange(x509, x509.length - 32, x509.length);
    byte[] type = "ssh-ed25519".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer wire = ByteBuffer.allocate(4 + type.length + 4 + raw.length);
    wire.putInt(type.length).put(type).putInt(raw.length).put(raw);
    Path dir = key.getParent();
    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path temp = dir.resolve(key.getFileName() + ".tmp");
    Files.deleteIfExists(temp);
    Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    try (OutputStream out = Files.newOutputStream(temp)) {
      out.write(pem.getBytes(StandardCharsets.US_ASCII));
    }
    Files.move(temp, key, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(pub, "ssh-ed25519 " + Base64.getEncoder().encodeToString(wire.array()) + " " + comment + "\n");
  }
}
