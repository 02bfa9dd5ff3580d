package dev.mayfly.provider.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.MayflyCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The docker target's settings and what it says when no engine answers; no engine needed. */
class DockerTargetTest {
  @TempDir Path home;

  @Test
  void settingsDefaultToTheHostImageAndTheLocalSocketOrDockerHost() {
    DockerSettings defaults = DockerSettings.parse("docker", Map.of(), Map.of());
    assertEquals("mayfly/host:debian", defaults.image());
    assertEquals("unix:///var/run/docker.sock", defaults.dockerHost());
    assertEquals(
        "tcp://127.0.0.1:2375",
        DockerSettings.parse("docker", Map.of(), Map.of("DOCKER_HOST", "tcp://127.0.0.1:2375"))
            .dockerHost());
    MayflyException bad =
        assertThrows(
            MayflyException.class,
            () -> DockerSettings.parse("box", Map.of("docker-host", "/var/run/x.sock"), Map.of()));
    assertEquals(MayflyException.Exit.BAD_INPUT, bad.exit());
    assertTrue(bad.getMessage().startsWith("targets.box.docker-host: "), bad.getMessage());
  }

  @Test
  void launchWithoutARunningEngineSaysWhatToRunAndRecordsNothing() throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    Path targets = home.resolve("targets.yaml");
    Path socket = home.resolve("no-dockerd.sock");
    Files.writeString(
        targets,
        "targets:\n  box:\n    provider: docker\n    docker-host: unix://" + socket + "\n");
    MayflyCli mayfly = new MayflyCli(home, demo.root()).env("MAYFLY_TARGETS", targets.toString());

    MayflyCli.Result launch = mayfly.run("launch", "qa-results", "--target", "box");
    assertEquals(1, launch.exit(), launch::toString);
    assertEquals(
        "mayfly: target 'box': cannot reach the Docker engine at unix://" + socket + " (",
        launch.err().substring(0, launch.err().indexOf('(') + 1),
        launch::toString);
    assertTrue(
        launch.err().strip().endsWith("is dockerd running? " + DockerEngine.START_DOCKERD),
        launch::toString);
    assertEquals(1, launch.err().strip().lines().count(), launch::toString);
    assertEquals("[ ]\n", mayfly.run("list", "--output", "json").out(), "nothing was recorded");
  }
}
