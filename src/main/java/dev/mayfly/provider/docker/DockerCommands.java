package dev.mayfly.provider.docker;

import dev.mayfly.MayflyException;
import dev.mayfly.provider.ProviderCommands;
import dev.mayfly.provider.ProviderCommands.Args;
import dev.mayfly.provider.ProviderCommands.Command;
import dev.mayfly.provider.ProviderCommands.Message;
import dev.mayfly.provider.ProviderCommands.Result;
import dev.mayfly.provider.ProviderContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code mayfly docker build-host-image}: the target's image, built offline when it is missing. */
final class DockerCommands {
  static final String SCRIPT = "build-host-image.sh";

  private DockerCommands() {}

  static ProviderCommands all() {
    return new ProviderCommands(
        "docker",
        "docker",
        "Containers on a Docker engine (docker targets).",
        List.of(
            new Command(
                "build-host-image",
                "Build the target's image (default mayfly/host:debian) from Debian packages with"
                    + " debootstrap, unless the engine has it already; needs root.",
                List.of(),
                List.of(),
                false,
                DockerCommands::buildHostImage)));
  }

  /**
   * Runs the bundled script (readable in the jar, as every script mayfly runs) to make the rootfs,
   * then loads it through the Engine API.
   */
  private static Result buildHostImage(ProviderContext context, Args args) {
    String target = context.target() == null ? "docker" : context.target();
    DockerSettings settings = DockerSettings.parse(target, context.settings(), context.env());
    try (DockerEngine engine = DockerEngine.connect(settings)) {
      String image = settings.image();
      if (engine.find("inspect image " + image, () -> engine.client().inspectImageCmd(image).exec())
          != null) {
        return new Message("host image " + image + " is there already; nothing to build");
      }
      long start = System.nanoTime();
      Path work = Files.createTempDirectory("mayfly-host-image");
      try {
        Path script = work.resolve(SCRIPT);
        try (InputStream in = DockerCommands.class.getResourceAsStream(SCRIPT)) {
          Files.copy(in, script);
        }
        Path tar = work.resolve("image.tar");
        runScript(script, image, tar);
        try (InputStream archive = Files.newInputStream(tar)) {
          engine.run("load " + image, () -> engine.client().loadImageCmd(archive).exec());
        }
        return new Message(
            "built host image "
                + image
                + " in "
                + (System.nanoTime() - start) / 1_000_000_000
                + "s");
      } finally {
        deleteTree(work);
      }
    } catch (IOException e) {
      throw MayflyException.failed("build-host-image: " + e.getMessage());
    }
  }

  private static void runScript(Path script, String image, Path tar) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder("sh", script.toString(), image).redirectErrorStream(true);
    pb.environment().put("MAYFLY_HOST_IMAGE_TAR", tar.toString());
    Process p = pb.start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        System.err.println(line);
      }
    }
    try {
      if (p.waitFor() != 0) {
        throw MayflyException.failed(
            "build-host-image: the build script failed (exit " + p.exitValue() + ", output above)");
      }
    } catch (InterruptedException e) {
      p.destroy();
      Thread.currentThread().interrupt();
      throw MayflyException.failed("build-host-image: interrupted");
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
