package dev.mayfly.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {

  @Test
  void aFileRemovedByAnotherProcessAfterTheListingIsSkippedAndTheRestStillRestricted(
      @TempDir Path dir) throws Exception {
    Path gone = dir.resolve("secret.1234.new");
    Path kept = Files.createFile(dir.resolve("registry.mv.db"));
    Files.setPosixFilePermissions(kept, PosixFilePermissions.fromString("rw-r--r--"));

    PrivateFiles.restrictPresent(List.of(gone, kept));

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(kept)));
  }
}
