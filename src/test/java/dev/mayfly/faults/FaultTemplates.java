package dev.mayfly.faults;

import dev.mayfly.testing.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo template in the variants that hold a launch in one step: {@code fm-plain} as it is,
 * {@code fm-install} whose installer sleeps 30 s first, {@code fm-publish} whose publish command
 * does, and {@code fm-health} whose service never answers its health check. Every command inherits
 * {@code MAYFLY_DEPLOYMENT} from {@code mayfly.env}, which {@link Leftovers} finds them by.
 */
public final class FaultTemplates {
  private static final Path PROJECT = Path.of("").toAbsolutePath();

  private FaultTemplates() {}

  /** Copies the demo's apps into {@code dir} and writes the variants; returns their folder. */
  public static Path write(Path dir) throws IOException {
    Path apps = dir.resolve("apps/qa-results");
    Trees.copy(PROJECT.resolve("apps/qa-results"), apps);
    Files.deleteIfExists(apps.resolve("service/site.properties"));
    String demo =
        Files.readString(PROJECT.resolve("templates/qa-results.yaml"))
            .replace("../apps/qa-results", apps.toString());
    Path templates = dir.resolve("templates");
    Files.createDirectories(templates);
    write(templates, "plain", demo);
    write(
        templates,
        "install",
        demo.replaceFirst(
            "(?m)^  install: .*$", "  install: sleep 30 && ./install.sh --title {{title}}"));
    write(
        templates,
        "publish",
        demo.replaceFirst("(?m)^  publish: .*$", "  publish: sleep 30; ls runs/*.json >/dev/null"));
    write(templates, "health", demo.replaceFirst("(?m)^  start: .*$", "  start: sleep 600"));
    return templates;
  }

  private static void write(Path templates, String name, String yaml) throws IOException {
    Files.writeString(
        templates.resolve("fm-" + name + ".yaml"),
        yaml.replace("name: qa-results", "name: fm-" + name));
  }
}
