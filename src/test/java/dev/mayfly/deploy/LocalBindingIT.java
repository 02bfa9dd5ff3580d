package dev.mayfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.MayflyCli;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local demo listens where its URL says: loopback, unless the template's bind: asks for more.
 */
class LocalBindingIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;

  @Test
  void localDemoListensOnLoopbackOnlyUnlessTheTemplateBindsWider() throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    demo.templateVariant(
        "wide-open",
        Files.readString(demo.template()).replace("name: qa-results", "name: wide-open")
            + "bind: 0.0.0.0\n");
    MayflyCli mayfly = new MayflyCli(home, demo.root());
    try {
      MayflyCli.Result launch =
          mayfly.run("launch", "qa-results", "--name", "near", "--output", "json");
      assertEquals(0, launch.exit(), launch::toString);
      URI url = URI.create(JSON.readTree(launch.out()).get("url").asText());
      assertEquals("127.0.0.1", url.getHost());
      assertEquals(List.of("127.0.0.1"), listeners(url.getPort()), "the URL tells the truth");

      MayflyCli.Result wide =
          mayfly.run("launch", "wide-open", "--name", "far", "--output", "json");
      assertEquals(0, wide.exit(), wide::toString);
      JsonNode launched = JSON.readTree(wide.out());
      assertEquals(
          List.of("0.0.0.0"), listeners(URI.create(launched.get("url").asText()).getPort()));
    } finally {
      mayfly.run("terminate", "near");
      mayfly.run("terminate", "far");
    }
  }

  /**
   * The addresses listening on {@code port}, from /proc/net/tcp and tcp6 (what {@code ss -ltn}
   * reads).
   */
  private static List<String> listeners(int port) throws IOException {
    String hexPort = String.format(Locale.ROOT, "%04X", port);
    List<String> found = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines = Files.readAllLines(Path.of(table));
      for (String line : lines.subList(1, lines.size())) {
        String[] cols = line.trim().split("\\s+");
        String[] local = cols[1].split(":");
        if (local[1].equals(hexPort) && cols[3].equals("0A")) {
          found.add(address(local[0]));
        }
      }
    }
    return found;
  }

  /**
   * /proc/net/tcp writes IPv4 addresses as little-endian hex words; Java listens on IPv6 sockets,
   * where 127.0.0.1 is IPv4-mapped and every interface is {@code ::}, shown here as 0.0.0.0.
   */
  private static String address(String hex) {
    if (hex.equals("0".repeat(32))) {
      return "0.0.0.0";
    }
    if (hex.startsWith("0000000000000000FFFF0000")) {
      return address(hex.substring(24));
    }
    if (hex.length() == 8) {
      StringBuilder ip = new StringBuilder();
      for (int i = 6; i >= 0; i -= 2) {
        ip.append(Integer.parseInt(hex.substring(i, i + 2), 16)).append(i > 0 ? "." : "");
      }
      return ip.toString();
    }
    return "ipv6:" + hex;
  }
}
