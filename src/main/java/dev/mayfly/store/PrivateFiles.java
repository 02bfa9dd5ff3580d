package dev.mayfly.store;

import com.sun.security.auth.module.UnixSystem;
import dev.mayfly.MayflyException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The state folder as only its owner may use it: 0700, its files 0600. Java has no umask, so modes
 * are given at creation and enforced again on files a library made (H2's). A folder owned by
 * another user is refused: whoever owns it could swap the registry or read its secrets.
 */
public final class PrivateFiles {
  static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final SecureRandom RANDOM = new SecureRandom();

  private PrivateFiles() {}

  /**
   * Creates the state folder 0700, or makes an existing one of ours private; refuses one owned by
   * another user.
   */
  public static Path stateFolder(Path dir) {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir.toAbsolutePath().getParent());
        try {
          Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(FOLDER));
        } catch (FileAlreadyExistsException raced) {
          // another mayfly process made it a moment ago: checked below like any existing folder
        }
      }
      int owner = (Integer) Files.getAttribute(dir, "unix:uid");
      if (owner != uid()) {
        throw MayflyException.failed(
            "the state folder "
                + dir
                + " belongs to another user (uid "
                + owner
                + "); refusing to use it: set MAYFLY_HOME to a folder of your own");
      }
      restrict(dir);
      try (Stream<Path> children = Files.list(dir)) {
        restrictPresent(children.toList());
      }
      return dir;
    } catch (IOException e) {
      throw MayflyException.failed(
          "cannot make the state folder " + dir + " private: " + RegistryErrors.cause(e));
    }
  }

  /**
   * Restricts each path still there: another mayfly process may remove its temporary files (a
   * secret's {@code .new}, H2's lock and trace files) between our listing and our chmod.
   */
  static void restrictPresent(List<Path> paths) throws IOException {
    for (Path path : paths) {
      try {
        restrict(path);
      } catch (NoSuchFileException gone) {
        // removed since the listing: nothing left to restrict
      }
    }
  }

  /**
   * Takes group and other bits off a file or folder (not following links); contents of subfolders
   * stay.
   */
  static void restrict(Path path) throws IOException {
    if (Files.isSymbolicLink(path)) {
      return;
    }
    Set<PosixFilePermission> modes = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
    Set<PosixFilePermission> own =
        Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? FOLDER : FILE;
    if (!own.containsAll(modes)) {
      modes.retainAll(own);
      Files.setPosixFilePermissions(path, modes);
    }
  }

  /**
   * A random secret kept 0600 in {@code file}, made on first use. Written to a temporary file and
   * linked into place, so two processes starting at once agree on one secret and none reads a
   * half-written file.
   */
  static String secret(Path file) {
    try {
      if (!Files.exists(file)) {
        Path fresh =
            Files.createTempFile(
                file.getParent(),
                file.getFileName() + ".",
                ".new",
                PosixFilePermissions.asFileAttribute(FILE));
        try {
          byte[] bytes = new byte[32];
          RANDOM.nextBytes(bytes);
          Files.writeString(fresh, HexFormat.of().formatHex(bytes) + "\n");
          Files.createLink(file, fresh);
        } catch (FileAlreadyExistsException raced) {
          // another process linked its secret first: that one stands
        } finally {
          Files.deleteIfExists(fresh);
        }
      }
      restrict(file);
      String secret = Files.readString(file, StandardCharsets.US_ASCII).strip();
      if (!secret.matches("[0-9a-f]{32,}")) {
        throw MayflyException.failed(
            file + ": not a secret mayfly wrote; remove it only if the registry is new");
      }
      return secret;
    } catch (IOException e) {
      throw MayflyException.failed(
          "cannot read or create " + file + ": " + RegistryErrors.cause(e));
    }
  }

  private static long uid() {
    return new UnixSystem().getUid();
  }
}
