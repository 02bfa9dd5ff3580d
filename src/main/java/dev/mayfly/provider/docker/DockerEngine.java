package dev.mayfly.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.mayfly.MayflyException;
import java.io.IOException;
import java.net.URI;
import java.util.function.Supplier;

/**
 * One docker-java client of the Engine API, and the one place its errors become one-line {@link
 * MayflyException}s that say what to run: an engine that does not answer, an image that is not
 * there. docker-java types stay in this package.
 */
final class DockerEngine implements AutoCloseable {
  /** What a user without a running engine should do, as CI starts it. */
  static final String START_DOCKERD =
      "start it (systemctl start docker, or as CI does: dockerd --iptables=false --ip-forward=false"
          + " --ip-masq=false &)";

  final DockerSettings settings;
  private final DockerClient client;

  private DockerEngine(DockerSettings settings, DockerClient client) {
    this.settings = settings;
    this.client = client;
  }

  /** A client of the target's engine, checked with a ping: a missing engine is named here. */
  static DockerEngine connect(DockerSettings settings) {
    DefaultDockerClientConfig config =
        DefaultDockerClientConfig.createDefaultConfigBuilder()
            .withDockerHost(settings.dockerHost())
            .withDockerTlsVerify(false)
            .build();
    // no response timeout: a command inside a container may run silent for long; exec bounds it
    ApacheDockerHttpClient http =
        new ApacheDockerHttpClient.Builder()
            .dockerHost(URI.create(settings.dockerHost()))
            .connectionTimeout(settings.apiTimeout())
            .maxConnections(64)
            .build();
    DockerEngine engine = new DockerEngine(settings, DockerClientImpl.getInstance(config, http));
    try {
      engine.call("ping", () -> engine.client.pingCmd().exec());
    } catch (MayflyException e) {
      engine.close();
      throw e;
    }
    return engine;
  }

  DockerClient client() {
    return client;
  }

  /**
   * Runs one API call; an engine that does not answer, or refuses, becomes one line naming the
   * target and what was being done.
   */
  <T> T call(String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (DockerException e) {
      throw new MayflyException(
          MayflyException.Exit.FAILED,
          "target '" + settings.target() + "': docker " + what + ": " + message(e),
          e);
    } catch (RuntimeException e) {
      if (e instanceof MayflyException) {
        throw e;
      }
      throw unreachable(e);
    }
  }

  /** Like {@link #call} for calls without a result. */
  void run(String what, Runnable call) {
    call(
        what,
        () -> {
          call.run();
          return null;
        });
  }

  /** Like {@link #call}, but an object the engine does not have is {@code null}. */
  <T> T find(String what, Supplier<T> call) {
    try {
      return call(what, call);
    } catch (MayflyException e) {
      if (e.getCause() instanceof NotFoundException) {
        return null;
      }
      throw e;
    }
  }

  /** The image must be on the engine: none can be pulled here, so say how to build it. */
  void requireImage() {
    String image = settings.image();
    boolean present;
    try {
      client.inspectImageCmd(image).exec();
      present = true;
    } catch (NotFoundException e) {
      present = false;
    } catch (DockerException e) {
      throw MayflyException.failed(
          "target '" + settings.target() + "': docker image " + image + ": " + message(e));
    } catch (RuntimeException e) {
      throw unreachable(e);
    }
    if (!present) {
      throw MayflyException.failed(
          "target '"
              + settings.target()
              + "': host image "
              + image
              + " is not on the Docker engine (mayfly never pulls one); build it with:"
              + " mayfly docker build-host-image"
              + (settings.target().equals("docker") ? "" : " --target " + settings.target()));
    }
  }

  private MayflyException unreachable(RuntimeException e) {
    return new MayflyException(
        MayflyException.Exit.FAILED,
        "target '"
            + settings.target()
            + "': cannot reach the Docker engine at "
            + settings.dockerHost()
            + " ("
            + cause(e)
            + "): is dockerd running? "
            + START_DOCKERD,
        e);
  }

  /** The engine's own words, without docker-java's "Status 404: {...}" wrapping. */
  static String message(DockerException e) {
    String text = e.getMessage() == null ? "" : e.getMessage().strip();
    int at = text.indexOf("\"message\":\"");
    if (at >= 0) {
      int end = text.indexOf('"', at + 11);
      text = text.substring(at + 11, end < 0 ? text.length() : end);
    }
    return text.isEmpty() ? "HTTP " + e.getHttpStatus() : text;
  }

  private static String cause(Throwable e) {
    Throwable c = e;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    String text = c.getMessage();
    return text == null || text.isBlank() ? c.getClass().getSimpleName() : text.strip();
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (IOException ignored) {
      // the connections are no longer needed
    }
  }
}
