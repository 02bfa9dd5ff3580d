package dev.mayfly.host.ssh;

import dev.mayfly.MayflyException;
import dev.mayfly.host.HostShell;
import dev.mayfly.host.Identity;
import dev.mayfly.host.SshEndpoint;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.connection.channel.direct.Signal;
import net.schmizz.sshj.sftp.FileAttributes;
import net.schmizz.sshj.sftp.OpenMode;
import net.schmizz.sshj.sftp.RemoteFile;
import net.schmizz.sshj.sftp.SFTPClient;
import net.schmizz.sshj.sftp.SFTPException;

/** One logged-in SSH connection: commands on exec channels, files over SFTP. */
final class SshjShell implements HostShell {
  private static final Duration DRAIN = Duration.ofSeconds(10);
  private final SSHClient client;
  private final SshEndpoint endpoint;
  private final Identity identity;
  private final PublicKey hostKey;
  private SFTPClient sftp;

  /**
   * @param hostKey the key the connection verified against the pinned one
   */
  SshjShell(SSHClient client, SshEndpoint endpoint, Identity identity, PublicKey hostKey) {
    this.client = client;
    this.endpoint = endpoint;
    this.identity = identity;
    this.hostKey = hostKey;
  }

  /**
   * System ssh with a terminal, knowing only the key this connection verified (pinned by mayfly),
   * strict: a changed key is refused by ssh as it was by mayfly.
   */
  @Override
  public java.util.Optional<ProcessBuilder> terminal(String command, Path scratch) {
    PublicKey key = hostKey;
    String name =
        endpoint.port() == SshEndpoint.DEFAULT_PORT
            ? endpoint.host()
            : "[" + endpoint.host() + "]:" + endpoint.port();
    Path knownHosts = scratch.resolve("known_hosts");
    try {
      Files.writeString(
          knownHosts,
          name
              + " "
              + KeyType.fromKey(key)
              + " "
              + Base64.getEncoder()
                  .encodeToString(new Buffer.PlainBuffer().putPublicKey(key).getCompactData())
              + "\n");
    } catch (IOException e) {
      throw MayflyException.failed("cannot write " + knownHosts + ": " + e.getMessage());
    }
    List<String> argv =
        new ArrayList<>(
            List.of(
                "ssh",
                "-t",
                "-p",
                Integer.toString(endpoint.port()),
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                "UserKnownHostsFile=" + knownHosts,
                "-o",
                "GlobalKnownHostsFile=/dev/null",
                "-o",
                "IdentitiesOnly=" + (identity.keyFile() != null ? "yes" : "no")));
    if (identity.keyFile() != null) {
      argv.addAll(List.of("-i", identity.keyFile().toString()));
    }
    argv.addAll(List.of("-l", endpoint.user(), endpoint.host(), command));
    ProcessBuilder pb = new ProcessBuilder(argv).inheritIO();
    if (identity.agentSocket() != null) {
      pb.environment().put("SSH_AUTH_SOCK", identity.agentSocket().toString());
    }
    return java.util.Optional.of(pb);
  }

  @Override
  public ExecResult exec(String command, Duration timeout, Consumer<String> output) {
    Consumer<String> serialized =
        line -> {
          synchronized (output) {
            output.accept(line);
          }
        };
    if (!client.isConnected()) {
      // keepalive found the peer gone during an earlier command; sshj would throw
      // IllegalStateException
      throw MayflyException.failed(describe() + ": connection lost");
    }
    try (Session session = client.startSession()) {
      Session.Command cmd = session.exec(command);
      Thread out = pump(cmd.getInputStream(), serialized, "stdout");
      Thread err = pump(cmd.getErrorStream(), serialized, "stderr");
      long started = System.nanoTime();
      boolean finished = awaitClose(cmd, timeout);
      if (!finished && Duration.ofNanos(System.nanoTime() - started).compareTo(timeout) < 0) {
        // ended before its time: keepalive gave up on the peer, the step did not run out of time
        throw MayflyException.failed(describe() + ": connection lost");
      }
      if (!finished) {
        try {
          cmd.signal(Signal.KILL);
        } catch (IOException ignored) {
          // closing the channel below ends it too
        }
        cmd.close();
        return new ExecResult(ExecResult.TIMED_OUT);
      }
      out.join(DRAIN.toMillis());
      err.join(DRAIN.toMillis());
      Integer status = cmd.getExitStatus();
      if (status == null) {
        String signal =
            cmd.getExitSignal() == null ? "unknown cause" : "signal " + cmd.getExitSignal();
        serialized.accept("mayfly: command ended without exit status (" + signal + ")");
        return new ExecResult(255);
      }
      return new ExecResult(status);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw MayflyException.failed(describe() + ": interrupted");
    } catch (IOException e) {
      throw MayflyException.failed(describe() + ": connection lost: " + SshShells.cause(e));
    }
  }

  /** "command finished": bounded by the step's timeout. */
  private static boolean awaitClose(Session.Command cmd, Duration timeout) {
    try {
      cmd.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ConnectionException e) {
      return !cmd.isOpen() && cmd.getExitStatus() != null;
    }
  }

  private Thread pump(InputStream in, Consumer<String> output, String name) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader reader =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                  output.accept(line);
                }
              } catch (IOException ignored) {
                // the channel closed under us; the exit status tells what happened
              }
            },
            "mayfly-ssh-" + name + "-" + endpoint.shortName());
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Override
  public void upload(byte[] content, String path, int mode) {
    upload(out -> out.write(content), path, mode);
  }

  @Override
  public void upload(Path file, String path, int mode) {
    upload(out -> Files.copy(file, out), path, mode);
  }

  private interface Writer {
    void write(OutputStream out) throws IOException;
  }

  /**
   * Writes the file over SFTP, created afresh with {@code mode} (so a secret is never readable by
   * others, not even for a moment). No shell round trip: a host's sshd forks a shell per exec,
   * which is what costs when many hosts are bootstrapped at once.
   */
  private void upload(Writer writer, String path, int mode) {
    try {
      SFTPClient sftp = sftp();
      try {
        sftp.rm(path);
      } catch (SFTPException ignored) {
        // nothing there yet
      }
      FileAttributes attributes = new FileAttributes.Builder().withPermissions(mode).build();
      try (RemoteFile file =
              sftp.open(
                  path, EnumSet.of(OpenMode.WRITE, OpenMode.CREAT, OpenMode.EXCL), attributes);
          OutputStream out = file.new RemoteFileOutputStream(0, 16)) {
        writer.write(out);
      }
      sftp.chmod(path, mode);
    } catch (IOException e) {
      throw MayflyException.failed(
          describe() + ": cannot upload " + path + ": " + SshShells.cause(e));
    }
  }

  /**
   * SFTP's idea of ".": sshd starts every session in the user's home, so no shell is forked to ask.
   */
  @Override
  public String home() {
    try {
      String home = sftp().canonicalize(".");
      return home == null || home.isEmpty() ? null : home;
    } catch (IOException e) {
      throw MayflyException.failed(
          describe() + ": cannot read the home folder: " + SshShells.cause(e));
    }
  }

  /** Over SFTP, no shell round trip (see {@link #upload(Writer, String, int)}). */
  @Override
  public void mkdirs(String path) {
    try {
      sftp().mkdirs(path);
    } catch (IOException e) {
      throw MayflyException.failed(
          describe() + ": cannot create " + path + ": " + SshShells.cause(e));
    }
  }

  private synchronized SFTPClient sftp() throws IOException {
    if (sftp == null) {
      sftp = client.newSFTPClient();
    }
    return sftp;
  }

  @Override
  public String describe() {
    return endpoint.toString();
  }

  @Override
  public synchronized void close() {
    try {
      if (sftp != null) {
        sftp.close();
      }
    } catch (IOException ignored) {
      // closing the connection below ends the subsystem too
    }
    try {
      client.close();
    } catch (IOException ignored) {
      // the connection is no longer needed
    }
  }
}
