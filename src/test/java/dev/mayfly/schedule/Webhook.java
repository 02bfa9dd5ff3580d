package dev.mayfly.schedule;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A webhook receiver on the loopback that keeps every body posted to its path. */
final class Webhook implements AutoCloseable {
  private final HttpServer server;
  private final String path;
  private final List<String> posted = new ArrayList<>();

  private Webhook(HttpServer server, String path) {
    this.server = server;
    this.path = path;
  }

  static Webhook start(String path) throws IOException {
    Webhook hook = new Webhook(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), path);
    hook.server.createContext(
        path,
        exchange -> {
          synchronized (hook.posted) {
            hook.posted.add(
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          }
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    hook.server.start();
    return hook;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** The bodies so far; read them while synchronized on the list, which the server adds to. */
  List<String> posted() {
    return posted;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
