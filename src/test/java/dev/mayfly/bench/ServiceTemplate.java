package dev.mayfly.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The template the ssh benchmarks launch: a service folder whose server is a few lines of perl (the
 * benchmarks measure mayfly, not a runtime's start-up), an installer and a data repo.
 */
final class ServiceTemplate {
  private ServiceTemplate() {}

  /**
   * Writes {@code <work>/templates/<name>.yaml} with its service folder below {@code work}.
   *
   * @param install the installer command
   * @param dataRepo a git URL or folder for the data repo
   * @return the template file
   */
  static Path write(Path work, String name, String install, String dataRepo) throws IOException {
    return write(work, name, install, dataRepo, null);
  }

  /**
   * Like {@link #write(Path, String, String, String)}, with the service repo at {@code serviceRepo}
   * (a URL serving a repo made from {@link #service}'s files), or the folder when null.
   */
  static Path write(Path work, String name, String install, String dataRepo, String serviceRepo)
      throws IOException {
    Path service = Files.createDirectories(service(work, name));
    Files.writeString(service.resolve("README"), name + " benchmark service\n");
    Files.writeString(service.resolve("serve.pl"), SERVER);
    Path file = work.resolve("templates/" + name + ".yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        String.join(
            "\n",
            "name: " + name,
            "description: " + name + " benchmark",
            "service:",
            "  repo: " + (serviceRepo == null ? service : serviceRepo),
            "  install: " + install,
            "  start: exec perl serve.pl {{ports.http}}",
            "data:",
            "  repo: " + dataRepo,
            "ports:",
            "  http: 8080",
            "health:",
            "  path: /",
            "  deadline: 60s",
            ""));
    return file;
  }

  /** The service folder {@link #write} made for {@code name}. */
  static Path service(Path work, String name) {
    return work.resolve("apps/" + name + "/service");
  }

  /** An HTTP server answering "ok" to every request. */
  static final String SERVER =
      String.join(
          "\n",
          "use IO::Socket::INET;",
          "my $s = IO::Socket::INET->new(LocalPort => $ARGV[0], Listen => 64, ReuseAddr => 1) or die \"listen: $!\";",
          "while (my $c = $s->accept) {",
          "  <$c>;",
          "  print $c \"HTTP/1.0 200 OK\\r\\nContent-Length: 3\\r\\n\\r\\nok\\n\";",
          "  close $c;",
          "}",
          "");
}
