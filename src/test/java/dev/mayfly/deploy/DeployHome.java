package dev.mayfly.deploy;

import com.sun.net.httpserver.HttpServer;
import dev.mayfly.provider.Providers;
import dev.mayfly.store.Database;
import dev.mayfly.store.Registry;
import dev.mayfly.target.Targets;
import dev.mayfly.template.TemplateCatalog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One test's mayfly: its own registry and state folder, a template whose repos are folders there, a
 * {@link FakeProvider} as target {@code fake}, and a loopback server answering every health check.
 */
final class DeployHome implements AutoCloseable {
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  final Path root;
  final Path template;
  final Registry registry;
  final FakeProvider provider;
  final Deployments deployments;
  final Providers providers;

  /**
   * The in-memory registry's JDBC URL, for tests that play someone editing it behind mayfly's back.
   */
  final String jdbcUrl = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";

  private final HttpServer health;

  DeployHome(Path root) {
    this.root = root;
    try {
      write("service/install.sh", "#!/bin/sh\n");
      write("data/runs.json", "[]\n");
      template =
          write(
              "demo.yaml",
              """
          name: demo
          description: a demo on fake hosts
          service:
            repo: service
            install: ./install.sh
          data:
            repo: data
            keep: 3
          ports:
            http: 8080
          health:
            path: /healthz
            deadline: 5s
          lifetime: 7d
          """);
      health = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    health.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    health.start();
    provider = new FakeProvider(health.getAddress().getPort());
    // in memory: half the cost of a registry file, and nothing here needs a second process to share
    // it
    registry = Registry.open(new Database(jdbcUrl, "sa", "", root));
    providers = Providers.installed().with(provider.factory());
    deployments =
        new Deployments(
            root.resolve("state"),
            registry,
            new TemplateCatalog(List.of()),
            providers,
            Targets.none(),
            Clock.fixed(NOW, ZoneOffset.UTC),
            Map.of());
  }

  /** Launch options on the fake target, from the template file. */
  static LaunchOptions options(Path template, String expires, int count, int parallel) {
    return new LaunchOptions(
        null,
        template,
        List.of(),
        expires,
        "demo-1",
        FakeProvider.NAME,
        count,
        parallel,
        List.of());
  }

  LaunchResult launch(int count) {
    return deployments.launch(options(template, "2d", count, 4), Progress.SILENT);
  }

  /** A reaper on this home's registry and fake target whose clock reads {@code now}. */
  Reaper reaper(Instant now) {
    return new Reaper(deployments, registry, providers, Clock.fixed(now, ZoneOffset.UTC));
  }

  /** The history as {@code host kind detail} lines, {@code -} for deployment-wide events. */
  List<String> events(String id) {
    return registry.events(id).stream()
        .map(e -> e.hostId().orElse("-") + " " + e.kind() + " " + e.detail())
        .toList();
  }

  /** Changes the data folder, so its next snapshot is a new commit. */
  void editData(String content) {
    write("data/runs.json", content);
  }

  private Path write(String relative, String content) {
    Path file = root.resolve(relative);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  @Override
  public void close() {
    health.stop(0);
    registry.close();
  }
}
