package dev.mayfly.web;

import dev.mayfly.MayflyException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where the console listens: {@code --http HOST:PORT} (or {@code daemon.http}), with {@code
 * --tls-cert}/{@code --tls-key} (or {@code daemon.tls-cert}/{@code daemon.tls-key}) as PEM files.
 * Plain HTTP only on a loopback address: anything else would carry the token in the clear.
 */
public record WebSettings(String host, int port, Path tlsCert, Path tlsKey) {
  public boolean tls() {
    return tlsCert != null;
  }

  /** {@code http://127.0.0.1:7070/}. */
  public String url(int boundPort) {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return (tls() ? "https://" : "http://") + h + ":" + boundPort + "/";
  }

  /**
   * @return null when no {@code --http} nor {@code daemon.http} is given: the daemon serves no
   *     console
   */
  public static WebSettings resolve(String http, Path cert, Path key, Properties config) {
    String where = http != null ? "--http" : "daemon.http";
    String address = http != null ? http : config.getProperty("daemon.http");
    Path certFile = cert != null ? cert : path(config, "daemon.tls-cert");
    Path keyFile = key != null ? key : path(config, "daemon.tls-key");
    if (address == null || address.isBlank()) {
      if (certFile != null || keyFile != null) {
        throw MayflyException.badInput("--tls-cert/--tls-key: given without --http HOST:PORT");
      }
      return null;
    }
    address = address.strip();
    int colon = address.lastIndexOf(':');
    if (colon <= 0) {
      throw MayflyException.badInput(
          where + ": '" + address + "' must be HOST:PORT, e.g. 127.0.0.1:7070");
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      throw MayflyException.badInput(
          where + ": '" + address + "' must end in a port from 0 to 65535");
    }
    if ((certFile == null) != (keyFile == null)) {
      throw MayflyException.badInput("--tls-cert and --tls-key: give both or neither");
    }
    for (Path file : new Path[] {certFile, keyFile}) {
      if (file != null && !Files.isReadable(file)) {
        throw MayflyException.badInput("TLS: cannot read " + file);
      }
    }
    if (certFile == null && !loopback(where, host)) {
      throw MayflyException.badInput(
          where
              + ": "
              + host
              + " is not a loopback address, and plain HTTP there would carry the token in the"
              + " clear: give --tls-cert and --tls-key, or listen on 127.0.0.1 behind a reverse"
              + " proxy that serves TLS");
    }
    return new WebSettings(host, port, certFile, keyFile);
  }

  private static boolean loopback(String where, String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw MayflyException.badInput(where + ": unknown host '" + host + "'");
    }
  }

  private static Path path(Properties config, String name) {
    String value = config.getProperty(name);
    return value == null || value.isBlank() ? null : Path.of(value.strip());
  }
}
