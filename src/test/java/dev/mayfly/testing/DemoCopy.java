package dev.mayfly.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A private copy of the bundled demo (apps/qa-results + its template) in a temp folder, so a test
 * can edit the data and sync without touching the checkout.
 */
public final class DemoCopy {
  public static final Path PROJECT = Path.of("").toAbsolutePath();
  private final Path root;

  public DemoCopy(Path root) {
    this.root = root;
    Trees.copy(PROJECT.resolve("apps/qa-results"), root.resolve("apps/qa-results"));
    Trees.copy(PROJECT.resolve("templates"), root.resolve("templates"));
    // a copied site.properties from a manual run must not leak into tests
    try {
      Files.deleteIfExists(root.resolve("apps/qa-results/service/site.properties"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path root() {
    return root;
  }

  public Path template() {
    return root.resolve("templates/qa-results.yaml");
  }

  public Path dataDir() {
    return root.resolve("apps/qa-results/data");
  }

  public Path serviceDir() {
    return root.resolve("apps/qa-results/service");
  }

  /** Writes a variant of the demo template into templates/NAME.yaml and returns its path. */
  public Path templateVariant(String name, String yaml) {
    Path file = root.resolve("templates").resolve(name + ".yaml");
    try {
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
