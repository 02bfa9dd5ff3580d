package dev.mayfly.host.ssh;

import dev.mayfly.MayflyException;
import dev.mayfly.host.HostShell;
import dev.mayfly.host.Identity;
import dev.mayfly.host.SshAccess;
import dev.mayfly.host.SshEndpoint;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import javax.net.SocketFactory;
import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.method.AuthMethod;

/**
 * Opens {@link HostShell}s over SSH. While a host is still booting its sshd refuses or drops
 * connections: "ssh open" retries with backoff until the access's connect deadline, then fails with
 * one line naming {@code user@host:port} and the last cause. A changed host key or a refused login
 * fail at once: waiting cannot fix either.
 */
public final class SshShells {
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  private static final Duration MAX_ATTEMPT = Duration.ofSeconds(20);

  /**
   * Sockets with TCP_NODELAY, as OpenSSH's own client uses for its sessions. Without it Nagle's
   * algorithm holds a small SSH packet sent right after another (a window adjust then a request, an
   * SFTP write then its close) until the server's delayed ACK, up to 40 ms on Linux, on every such
   * round trip.
   */
  private static final SocketFactory NO_DELAY =
      new SocketFactory() {
        @Override
        public Socket createSocket() throws IOException {
          Socket socket = new Socket();
          socket.setTcpNoDelay(true);
          return socket;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
          return connected(new InetSocketAddress(host, port), null);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
            throws IOException {
          return connected(
              new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
          return connected(new InetSocketAddress(host, port), null);
        }

        @Override
        public Socket createSocket(
            InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
          return connected(
              new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
        }

        private Socket connected(InetSocketAddress remote, InetSocketAddress local)
            throws IOException {
          Socket socket = createSocket();
          if (local != null) {
            socket.bind(local);
          }
          socket.connect(remote);
          return socket;
        }
      };

  private SshShells() {}

  public static HostShell open(SshEndpoint endpoint, SshAccess access) {
    return open(endpoint, access, why -> {});
  }

  /**
   * @param retrying hears why each failed attempt failed, just before the backoff (a provider turns
   *     it into a watched wait with a heartbeat)
   */
  public static HostShell open(SshEndpoint endpoint, SshAccess access, Consumer<String> retrying) {
    long deadline = System.nanoTime() + access.connectDeadline().toNanos();
    Duration backoff = FIRST_BACKOFF;
    int attempts = 0;
    while (true) {
      attempts++;
      PinningVerifier verifier = new PinningVerifier(endpoint, access.hostKeys());
      SSHClient client = new SSHClient(config());
      client.setSocketFactory(NO_DELAY);
      try {
        client.addHostKeyVerifier(verifier);
        long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        client.setConnectTimeout((int) Math.min(left, MAX_ATTEMPT.toMillis()));
        client.setTimeout((int) MAX_ATTEMPT.toMillis());
        // before connect: sshj starts the keepalive thread on connect only if an interval is set by
        // then
        client
            .getConnection()
            .getKeepAlive()
            .setKeepAliveInterval((int) Math.max(1, access.keepAlive().toSeconds()));
        client.connect(endpoint.host(), endpoint.port());
        client.setTimeout(0); // long silent steps are fine: keepalive notices a dead peer
        client.auth(endpoint.user(), authMethods(client, access.identity()));
        return new SshjShell(client, endpoint, access.identity(), verifier.accepted());
      } catch (UserAuthException e) {
        closeQuietly(client);
        throw MayflyException.failed(
            "ssh "
                + endpoint
                + ": authentication failed: the server did not accept "
                + access.identity().describe()
                + " for user '"
                + endpoint.user()
                + "'"
                + hint(access.identity()));
      } catch (IOException | RuntimeException e) {
        closeQuietly(client);
        String refusal = verifier.refusal();
        if (refusal != null) {
          throw MayflyException.failed("ssh " + endpoint + ": " + refusal);
        }
        if (e instanceof MayflyException m) {
          throw m;
        }
        if (e instanceof UnknownHostException) {
          throw MayflyException.failed(
              "ssh " + endpoint + ": unknown host '" + endpoint.host() + "'");
        }
        if (!(e instanceof IOException)) {
          throw MayflyException.failed("ssh " + endpoint + ": " + cause(e));
        }
        long now = System.nanoTime();
        if (now + backoff.toNanos() >= deadline) {
          throw MayflyException.failed(
              "ssh "
                  + endpoint
                  + ": no SSH login within "
                  + access.connectDeadline().toSeconds()
                  + "s ("
                  + attempts
                  + " attempt"
                  + (attempts == 1 ? "" : "s")
                  + "; last: "
                  + cause(e)
                  + ")");
        }
        retrying.accept(cause(e));
        sleep(backoff);
        backoff =
            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                ? MAX_BACKOFF
                : backoff.multipliedBy(2);
      }
    }
  }

  private static DefaultConfig config() {
    DefaultConfig config = new DefaultConfig();
    config.setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
    return config;
  }

  private static List<AuthMethod> authMethods(SSHClient client, Identity identity)
      throws IOException {
    if (identity.isAgent()) {
      return AgentAuth.methods(identity.agentSocket());
    }
    return List.of(
        new net.schmizz.sshj.userauth.method.AuthPublickey(
            client.loadKeys(identity.keyFile().toString())));
  }

  private static String hint(Identity identity) {
    return identity.generated()
        ? " (add that .pub file to the user's ~/.ssh/authorized_keys, or pass --identity)"
        : "";
  }

  /** The innermost useful message, naming the kind of failure when the library gave none. */
  static String cause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String kind =
        t instanceof ConnectException
            ? "connection refused"
            : t instanceof NoRouteToHostException
                ? "no route to host"
                : t instanceof SocketTimeoutException ? "timed out" : null;
    String message =
        t.getMessage() == null || t.getMessage().isBlank()
            ? t.getClass().getSimpleName()
            : t.getMessage();
    return kind == null || message.toLowerCase(java.util.Locale.ROOT).contains(kind)
        ? message
        : kind + ": " + message;
  }

  private static void closeQuietly(SSHClient client) {
    try {
      client.close();
    } catch (IOException ignored) {
      // the attempt failed already; its socket is of no use
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw MayflyException.failed("interrupted while waiting for ssh");
    }
  }
}
