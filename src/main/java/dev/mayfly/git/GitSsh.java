package dev.mayfly.git;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.sshd.DefaultProxyDataFactory;
import org.eclipse.jgit.transport.sshd.JGitKeyCache;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.agent.AbstractConnector;
import org.eclipse.jgit.transport.sshd.agent.Connector;
import org.eclipse.jgit.transport.sshd.agent.ConnectorFactory;

/**
 * Git over SSH from the controller as {@code git} itself would do it: the user's {@code
 * ~/.ssh/config}, keys ({@code ~/.ssh/id_*}) and ssh-agent ({@code $SSH_AUTH_SOCK}); the server's
 * key must be in {@code ~/.ssh/known_hosts} (an unknown or changed key is refused, never accepted).
 * Set on each transport, never as JGit's global default.
 */
final class GitSsh implements TransportConfigCallback, AutoCloseable {
  private final SshdSessionFactory factory;
  private final Path knownHosts;
  private volatile String refusedHost;
  private volatile boolean hostWasKnown;

  /**
   * @param home the user's home ({@code $HOME})
   * @param agentSocket {@code $SSH_AUTH_SOCK}, or null
   */
  GitSsh(Path home, Path agentSocket) {
    this.knownHosts = home.resolve(".ssh/known_hosts");
    AgentSocket agent = new AgentSocket(agentSocket);
    this.factory =
        new SshdSessionFactory(new JGitKeyCache(), new DefaultProxyDataFactory()) {
          @Override
          protected ServerKeyDatabase getServerKeyDatabase(File homeDir, File sshDir) {
            return new Remembering(super.getServerKeyDatabase(homeDir, sshDir));
          }

          @Override
          protected ConnectorFactory getConnectorFactory() {
            return agent;
          }
        };
    factory.setHomeDirectory(home.toFile());
    factory.setSshDirectory(home.resolve(".ssh").toFile());
  }

  /**
   * Why the last connection was refused, naming the server, when its host key was unknown or not
   * the one known; empty otherwise.
   */
  Optional<String> refusal() {
    String host = refusedHost;
    if (host == null) {
      return Optional.empty();
    }
    return Optional.of(
        hostWasKnown
            ? "the SSH host key of "
                + host
                + " is not the one "
                + knownHosts
                + " holds for it (a rebuilt server, or an impostor); check with its owner"
            : "the SSH host key of "
                + host
                + " is unknown: add it to "
                + knownHosts
                + " (e.g. ssh "
                + host
                + " once, comparing the fingerprint with its owner's)");
  }

  /** The user's known hosts, as OpenSSH reads them, remembering which server it refused. */
  private final class Remembering implements ServerKeyDatabase {
    private final ServerKeyDatabase known;

    Remembering(ServerKeyDatabase known) {
      this.known = known;
    }

    @Override
    public List<PublicKey> lookup(
        String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
      return known.lookup(connectAddress, remoteAddress, config);
    }

    @Override
    public boolean accept(
        String connectAddress,
        InetSocketAddress remoteAddress,
        PublicKey serverKey,
        Configuration config,
        CredentialsProvider provider) {
      boolean ok = known.accept(connectAddress, remoteAddress, serverKey, config, provider);
      if (!ok) {
        hostWasKnown = !known.lookup(connectAddress, remoteAddress, config).isEmpty();
        refusedHost = connectAddress.replaceAll("^\\[(.*)\\]:22$", "$1");
      }
      return ok;
    }
  }

  static GitSsh from(Map<String, String> env) {
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    String sock = env.get("SSH_AUTH_SOCK");
    return new GitSsh(Path.of(home), sock == null || sock.isBlank() ? null : Path.of(sock));
  }

  @Override
  public void configure(org.eclipse.jgit.transport.Transport transport) {
    if (transport instanceof SshTransport ssh) {
      ssh.setSshSessionFactory(factory);
    }
  }

  @Override
  public void close() {
    factory.close();
  }

  /** ssh-agent over its Unix socket, with Java's own Unix domain sockets (no native library). */
  private record AgentSocket(Path socket) implements ConnectorFactory {
    private static final ConnectorDescriptor SSH_AUTH_SOCK =
        new ConnectorDescriptor() {
          @Override
          public String getIdentityAgent() {
            return "SSH_AUTH_SOCK";
          }

          @Override
          public String getDisplayName() {
            return "ssh-agent";
          }
        };

    @Override
    public Connector create(String identityAgent, File homeDir) {
      Path path =
          identityAgent == null || identityAgent.isBlank() || identityAgent.equals("SSH_AUTH_SOCK")
              ? socket
              : Path.of(identityAgent);
      return new AgentConnector(path);
    }

    @Override
    public boolean isSupported() {
      return true;
    }

    @Override
    public String getName() {
      return "mayfly-unix-socket";
    }

    @Override
    public Collection<ConnectorDescriptor> getSupportedConnectors() {
      return List.of(SSH_AUTH_SOCK);
    }

    @Override
    public ConnectorDescriptor getDefaultConnector() {
      return SSH_AUTH_SOCK;
    }
  }

  private static final class AgentConnector extends AbstractConnector {
    private final Path socket;
    private SocketChannel channel;

    AgentConnector(Path socket) {
      this.socket = socket;
    }

    @Override
    public synchronized boolean connect() throws IOException {
      if (socket == null) {
        return false;
      }
      if (channel == null) {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
      }
      return true;
    }

    /** {@code message} has five bytes free in front for the length and the command. */
    @Override
    public synchronized byte[] rpc(byte command, byte[] message) throws IOException {
      prepareMessage(command, message);
      ByteBuffer out = ByteBuffer.wrap(message);
      while (out.hasRemaining()) {
        channel.write(out);
      }
      byte[] length = new byte[4];
      read(ByteBuffer.wrap(length));
      byte[] reply = new byte[toLength(command, length)];
      read(ByteBuffer.wrap(reply));
      return reply;
    }

    private void read(ByteBuffer into) throws IOException {
      while (into.hasRemaining()) {
        if (channel.read(into) < 0) {
          throw new IOException("ssh-agent closed " + socket);
        }
      }
    }

    @Override
    public synchronized void close() throws IOException {
      if (channel != null) {
        channel.close();
        channel = null;
      }
    }
  }
}
