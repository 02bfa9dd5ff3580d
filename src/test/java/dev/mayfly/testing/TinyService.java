package dev.mayfly.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A template whose service starts in a blink (python's http.server on its port, loopback only), for
 * tests that launch many deployments at once on the local target and care about mayfly, not the
 * service.
 */
public final class TinyService {
  private TinyService() {}

  /**
   * Writes {@code templates/tiny.yaml} and its two repos under {@code root}; returns {@code root}.
   */
  public static Path write(Path root) {
    try {
      Files.createDirectories(root.resolve("templates"));
      Files.createDirectories(root.resolve("apps/tiny/service"));
      Files.createDirectories(root.resolve("apps/tiny/data"));
      Files.writeString(root.resolve("apps/tiny/service/healthz"), "ok\n");
      Files.writeString(root.resolve("apps/tiny/data/greeting.txt"), "hello\n");
      Files.writeString(
          root.resolve("templates/tiny.yaml"),
          """
          name: tiny
          description: a static file server that starts at once
          service:
            repo: ../apps/tiny/service
            install: "true"
            start: python3 -m http.server {{ports.http}} --bind 127.0.0.1
          data:
            repo: ../apps/tiny/data
            publish: ls greeting.txt
          ports:
            http: 8080
          health:
            path: /healthz
            deadline: 60s
          lifetime: 1d
          """);
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
