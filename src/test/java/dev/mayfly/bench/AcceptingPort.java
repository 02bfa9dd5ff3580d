package dev.mayfly.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A loopback port that accepts and closes every connection: the stand-in for fake instances' sshd
 * port, so the "ssh port open" wait runs for real without contacting the addresses a fake cloud
 * hands out.
 */
public final class AcceptingPort implements AutoCloseable {
  private final ServerSocket socket;

  public AcceptingPort() {
    try {
      socket = new ServerSocket(0, 200, InetAddress.getByName(MotoServer.HOST));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread acceptor =
        new Thread(
            () -> {
              while (!socket.isClosed()) {
                try (Socket ignored = socket.accept()) {
                  // accepting is all the wait looks for
                } catch (IOException e) {
                  return;
                }
              }
            },
            "accepting-port");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return socket.getLocalPort();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
