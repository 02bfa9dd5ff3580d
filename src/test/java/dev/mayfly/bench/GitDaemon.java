package dev.mayfly.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Git's own {@code git daemon --verbose} serving the folders below {@code base} on one address: the
 * peer that counts what mayfly asks of a git server. Every ref advertisement (an ls-remote, a
 * fetch, a clone) is one {@code upload-pack} request in its log, counted there, not in mayfly.
 */
final class GitDaemon implements AutoCloseable {
  private final Process process;
  private final PeerLog log;
  private final String address;
  private final int port;

  private GitDaemon(Process process, PeerLog log, String address, int port) {
    this.process = process;
    this.log = log;
    this.address = address;
    this.port = port;
  }

  /** Serves every repo below {@code base} on {@code address}, logging to {@code logFile}. */
  static GitDaemon start(Path base, String address, Path logFile) throws IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(address))) {
      port = probe.getLocalPort();
    }
    Process p =
        new ProcessBuilder(
                List.of(
                    "git",
                    "daemon",
                    "--verbose",
                    "--export-all",
                    "--reuseaddr",
                    // the default 32 reset Ansible's fetches at N=32 (each host fetches two repos)
                    "--max-connections=0",
                    "--base-path=" + base,
                    "--listen=" + address,
                    "--port=" + port,
                    base.toString()))
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile())
            .start();
    GitDaemon daemon = new GitDaemon(p, new PeerLog(logFile), address, port);
    daemon.awaitListening();
    return daemon;
  }

  /** {@code git://address:port/name}. */
  String url(String name) {
    return "git://" + address + ":" + port + "/" + name;
  }

  /** Ref advertisements served so far: {@code git daemon}'s "Request upload-pack" lines. */
  long uploadPacks() {
    return log.count("Request upload-pack");
  }

  private void awaitListening() throws IOException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < end) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(address, port), 500);
        return;
      } catch (IOException e) {
        if (!process.isAlive()) {
          throw new IOException("git daemon exited: " + log.text());
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted");
        }
      }
    }
    throw new IOException("git daemon did not listen on " + address + ":" + port);
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
