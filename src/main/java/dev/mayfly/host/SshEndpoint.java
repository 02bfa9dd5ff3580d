package dev.mayfly.host;

import dev.mayfly.MayflyException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where an SSH server answers and who logs in there: {@code user@addr[:port]}, port 22 by default.
 * An IPv6 address goes in brackets ({@code root@[fd00::5]:2222}).
 *
 * @param host a DNS name or an IP address, without brackets
 */
public record SshEndpoint(String user, String host, int port) {
  public static final int DEFAULT_PORT = 22;
  private static final Pattern SHAPE =
      Pattern.compile(
          "([A-Za-z0-9._][A-Za-z0-9._-]{0,63})@(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(?::([0-9]{1,5}))?");

  /**
   * Parses {@code user@addr[:port]}.
   *
   * @param field the option or setting it came from, for the error ({@code --host})
   */
  public static SshEndpoint parse(String field, String text) {
    Matcher m = SHAPE.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw MayflyException.badInput(
          field
              + ": '"
              + text
              + "' is not USER@ADDR[:PORT] (like root@203.0.113.7 or"
              + " deploy@qa.example.org:2222)");
    }
    String host =
        m.group(2).startsWith("[") ? m.group(2).substring(1, m.group(2).length() - 1) : m.group(2);
    int port = m.group(3) == null ? DEFAULT_PORT : Integer.parseInt(m.group(3));
    if (port < 1 || port > 65535) {
      throw MayflyException.badInput(
          field + ": '" + text + "': port " + port + " is not between 1 and 65535");
    }
    return new SshEndpoint(m.group(1), host, port);
  }

  /** {@code addr:port}, the name a host key is pinned under. */
  public String hostPort() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** {@code user@addr:port}, for messages. */
  @Override
  public String toString() {
    return user + "@" + hostPort();
  }

  /** {@code user@addr}, with {@code :port} only when it is not 22: a short stable host id. */
  public String shortName() {
    return port == DEFAULT_PORT
        ? user + "@" + (host.contains(":") ? "[" + host + "]" : host)
        : toString();
  }
}
