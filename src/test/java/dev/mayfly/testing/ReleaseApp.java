package dev.mayfly.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small web service whose every version is a folder edit, for tests of service releases: a python
 * server serving {@code $MAYFLY_SERVE} (its release) plus {@code /env}, which answers the {@code
 * GREETING} it was started with. Its installer refuses while a {@code FAIL} file is in the release;
 * its health page is {@code health.txt}, which must say {@code all good}.
 */
public final class ReleaseApp {
  private final Path root;

  private ReleaseApp(Path root) {
    this.root = root;
  }

  /**
   * Writes the app's repos and {@code templates/web.yaml} (plus {@code extra} lines) under root.
   */
  public static ReleaseApp write(Path root, String extra) {
    ReleaseApp app = new ReleaseApp(root);
    app.version("version 1");
    app.write(
        "service/serve.py",
        """
        import http.server, os, sys
        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=os.environ["MAYFLY_SERVE"], **kwargs)
            def do_GET(self):
                if self.path == "/env":
                    body = os.environ.get("GREETING", "").encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                super().do_GET()
        http.server.ThreadingHTTPServer((os.environ["MAYFLY_BIND"], int(sys.argv[1])), Handler).serve_forever()
        """);
    app.write(
        "service/install.sh",
        """
        set -eu
        if [ -e FAIL ]; then echo "installer: this version refuses to install" >&2; exit 1; fi
        if [ -e "$HOME/refuse-install" ]; then echo "installer: this host refuses" >&2; exit 1; fi
        echo "installed by $(basename "$PWD")" > installed.txt
        """);
    app.write("data/greeting.txt", "hello\n");
    app.write(
        "templates/web.yaml",
        """
        name: web
        description: a service whose versions are folder edits
        service:
          repo: ../service
          install: sh install.sh
          start: python3 serve.py {{ports.http}}
        data:
          repo: ../data
        params:
          title:
            default: plain
        ports:
          http: 8080
        url:
          path: /index.html
        health:
          path: /health.txt
          expect: all good
          deadline: 20s
        env:
          GREETING: "{{title}} and $(echo not run) `id`"
        files:
          config.txt: "title={{title}}"
        lifetime: 1d
        """
            + extra);
    return app;
  }

  public Path template() {
    return root.resolve("templates/web.yaml");
  }

  /** The service as {@code text} (its index page), healthy and installable. */
  public void version(String text) {
    write("service/index.html", text + "\n");
    write("service/health.txt", "all good\n");
    delete("service/FAIL");
  }

  /** A version whose installer fails. */
  public void failingInstaller(String text) {
    version(text);
    write("service/FAIL", "");
  }

  /** A version that answers 200 with an error page where its health page was. */
  public void errorPage(String text) {
    version(text);
    write("service/health.txt", "Fatal error: Uncaught Error\n");
  }

  /** Replaces {@code from} by {@code to} in the template file. */
  public void editTemplate(String from, String to) {
    try {
      Files.writeString(template(), Files.readString(template()).replace(from, to));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(String path, String text) {
    try {
      Path file = root.resolve(path);
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void delete(String path) {
    try {
      Files.deleteIfExists(root.resolve(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
