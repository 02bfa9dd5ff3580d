package dev.mayfly.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code moto_server} (pip {@code moto[server]}) on a free port of 127.0.0.1, for tests and
 * benchmarks of the EC2 provider. AMI validation is on, so an unknown image fails as on AWS. Its
 * instances' addresses are made up: nothing may ever connect to them.
 */
public final class MotoServer implements AutoCloseable {
  public static final String HOST = "127.0.0.1";

  /** An image in moto's default catalogue for us-east-1. */
  public static final String IMAGE = "ami-03cf127a";

  public static final String REGION = "us-east-1";
  private static final Duration START_DEADLINE = Duration.ofSeconds(60);

  private final Process process;
  private final int port;
  private final Path log;

  private MotoServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts it and waits (bounded) until it accepts connections. */
  public static MotoServer start() {
    int port = freePort();
    try {
      Path log = Files.createTempFile("moto-", ".log");
      ProcessBuilder pb =
          new ProcessBuilder("moto_server", "-H", HOST, "-p", Integer.toString(port))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      pb.environment().put("MOTO_ENABLE_AMI_VALIDATION", "true");
      Process process;
      try {
        process = pb.start();
      } catch (IOException e) {
        throw new IllegalStateException(
            "moto_server is not installed (pip install 'moto[server]'): " + e.getMessage());
      }
      MotoServer moto = new MotoServer(process, port, log);
      long deadline = System.nanoTime() + START_DEADLINE.toNanos();
      while (!moto.accepts()) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          String tail = Files.readString(log);
          moto.close();
          throw new IllegalStateException(
              "moto_server did not start on port "
                  + port
                  + ": "
                  + tail.substring(Math.max(0, tail.length() - 2000)));
        }
        Thread.sleep(100);
      }
      return moto;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting moto_server");
    }
  }

  private boolean accepts() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(HOST, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:PORT/}. */
  public String endpoint() {
    return "http://" + HOST + ":" + port + "/";
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
      Files.deleteIfExists(log);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // a temp log we could not remove
    }
  }
}
