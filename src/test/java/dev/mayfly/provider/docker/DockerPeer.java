package dev.mayfly.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.Peers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * This machine's Docker engine as the tests see it, through a client of their own (not the
 * provider's): the host image ensured by the project's build script, listings by label, and
 * clean-up of what a test made.
 */
final class DockerPeer implements AutoCloseable {
  static final String IMAGE = DockerSettings.DEFAULT_IMAGE;
  static final String SOCKET = "unix:///var/run/docker.sock";
  final DockerClient client;

  private DockerPeer(DockerClient client) {
    this.client = client;
  }

  /**
   * The engine, with the host image built if missing (about 3 minutes, once per machine); skips
   * (fails under CI=true) where no engine answers.
   */
  static DockerPeer require() throws IOException, InterruptedException {
    DockerClient client =
        DockerClientImpl.getInstance(
            DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(SOCKET).build(),
            new ApacheDockerHttpClient.Builder()
                .dockerHost(URI.create(SOCKET))
                .connectionTimeout(Duration.ofSeconds(10))
                .build());
    boolean up;
    try {
      client.pingCmd().exec();
      up = true;
    } catch (RuntimeException e) {
      up = false;
    }
    Peers.require(up, "no Docker engine answers at " + SOCKET + " (start dockerd)");
    DockerPeer peer = new DockerPeer(client);
    if (!peer.imageExists(IMAGE)) {
      Process build =
          new ProcessBuilder(
                  "sh", DemoCopy.PROJECT.resolve("scripts/build-host-image.sh").toString(), IMAGE)
              .inheritIO()
              .start();
      if (!build.waitFor(15, TimeUnit.MINUTES) || build.exitValue() != 0) {
        throw new AssertionError("the host image " + IMAGE + " could not be built (output above)");
      }
    }
    return peer;
  }

  boolean imageExists(String image) {
    try {
      client.inspectImageCmd(image).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  List<Container> containers(String... labels) {
    return client.listContainersCmd().withShowAll(true).withLabelFilter(List.of(labels)).exec();
  }

  List<com.github.dockerjava.api.command.InspectVolumeResponse> volumes(String... labels) {
    return client.listVolumesCmd().withFilter("label", List.of(labels)).exec().getVolumes();
  }

  List<Network> networks(String... labels) {
    return client.listNetworksCmd().withFilter("label", List.of(labels)).exec();
  }

  /** Runs {@code sh -c command} in the container; its output (stdout and stderr). */
  String exec(String container, String command) throws InterruptedException {
    String id =
        client
            .execCreateCmd(container)
            .withCmd("sh", "-c", command)
            .withAttachStdout(true)
            .withAttachStderr(true)
            .exec()
            .getId();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    client
        .execStartCmd(id)
        .exec(
            new ResultCallback.Adapter<Frame>() {
              @Override
              public void onNext(Frame frame) {
                out.writeBytes(frame.getPayload());
              }
            })
        .awaitCompletion(60, TimeUnit.SECONDS);
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Removes every container, volume and network carrying all these labels. */
  void removeAll(String... labels) {
    for (Container c : containers(labels)) {
      client.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
    }
    volumes(labels).forEach(v -> client.removeVolumeCmd(v.getName()).exec());
    networks(labels).forEach(n -> client.removeNetworkCmd(n.getId()).exec());
  }

  @Override
  public void close() throws IOException {
    client.close();
  }
}
