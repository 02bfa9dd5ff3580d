package dev.mayfly.host.ssh;

import dev.mayfly.MayflyException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.util.OpenSSHPrivateKeyUtil;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;

/** Key pairs mayfly makes for its own deployments. */
public final class KeyFiles {
  private KeyFiles() {}

  /**
   * Writes a new ed25519 key pair: {@code privateKey} in OpenSSH format with mode 0600 (created
   * with that mode, never readable by others even for a moment) and {@code privateKey + ".pub"} in
   * authorized_keys format. Does nothing when the private key exists already (a retried launch
   * keeps its key).
   */
  public static void generateEd25519(Path privateKey, String comment) {
    if (Files.exists(privateKey)) {
      return;
    }
    Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
    generator.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
    AsymmetricCipherKeyPair pair = generator.generateKeyPair();
    try {
      String body =
          Base64.getMimeEncoder(70, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(OpenSSHPrivateKeyUtil.encodePrivateKey(pair.getPrivate()));
      String pem =
          "-----BEGIN OPENSSH PRIVATE KEY-----\n" + body + "\n-----END OPENSSH PRIVATE KEY-----\n";
      String pub =
          "ssh-ed25519 "
              + Base64.getEncoder()
                  .encodeToString(OpenSSHPublicKeyUtil.encodePublicKey(pair.getPublic()))
              + " "
              + comment
              + "\n";
      Path dir = privateKey.toAbsolutePath().getParent();
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Path temp = dir.resolve(privateKey.getFileName() + ".tmp");
      Files.deleteIfExists(temp);
      Files.createFile(
          temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.TRUNCATE_EXISTING)) {
        out.write(pem.getBytes(StandardCharsets.US_ASCII));
      }
      Files.writeString(Path.of(privateKey + ".pub"), pub, StandardCharsets.US_ASCII);
      Files.move(temp, privateKey, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw MayflyException.failed("cannot write key " + privateKey + ": " + e.getMessage());
    }
  }
}
