package dev.mayfly.web;

import dev.mayfly.MayflyException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The console's one credential: a random token kept 0600 in {@code <state>/web-token}, made on the
 * first start and replaced by {@code mayfly daemon rotate-token}. A running daemon sees a rotation
 * at its next request (the file's time changed), which also ends every browser session.
 */
public final class AccessToken {
  static final String FILE = "web-token";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path file;
  private FileTime readAt;
  private byte[] token;

  private AccessToken(Path file) {
    this.file = file;
  }

  /** The token of {@code stateDir}; made now (and {@code created} says so) when there is none. */
  public record Opened(AccessToken token, boolean created, String value) {}

  public static Opened open(Path stateDir) {
    Path file = stateDir.resolve(FILE);
    boolean created = false;
    if (!Files.exists(file)) {
      write(file);
      created = true;
    }
    AccessToken t = new AccessToken(file);
    return new Opened(t, created, new String(t.current(), StandardCharsets.US_ASCII));
  }

  /** Writes a new token (replacing the old one at once, atomically) and returns it. */
  public static String rotate(Path stateDir) {
    Path file = stateDir.resolve(FILE);
    write(file);
    return new AccessToken(file).value();
  }

  public Path file() {
    return file;
  }

  /** True when {@code given} is the current token; compared in constant time. */
  public boolean matches(String given) {
    return given != null
        && MessageDigest.isEqual(current(), given.strip().getBytes(StandardCharsets.US_ASCII));
  }

  /** A digest of the current token: sessions made under another one are void. */
  String fingerprint() {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(current()))
          .substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private String value() {
    return new String(current(), StandardCharsets.US_ASCII);
  }

  private synchronized byte[] current() {
    try {
      FileTime modified = Files.getLastModifiedTime(file);
      if (token == null || !modified.equals(readAt)) {
        token =
            Files.readString(file, StandardCharsets.US_ASCII)
                .strip()
                .getBytes(StandardCharsets.US_ASCII);
        readAt = modified;
      }
      return token;
    } catch (IOException e) {
      throw MayflyException.failed("cannot read the web token " + file + ": " + e.getMessage());
    }
  }

  private static void write(Path file) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    try {
      Path fresh =
          Files.createTempFile(
              file.getParent(),
              FILE + ".",
              ".new",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(fresh, value + "\n", StandardCharsets.US_ASCII);
      Files.move(fresh, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw MayflyException.failed("cannot write the web token " + file + ": " + e.getMessage());
    }
  }
}
