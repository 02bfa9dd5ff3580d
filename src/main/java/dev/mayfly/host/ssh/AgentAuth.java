package dev.mayfly.host.ssh;

import dev.mayfly.MayflyException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.Message;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.method.AbstractAuthMethod;
import net.schmizz.sshj.userauth.method.AuthMethod;

/**
 * Public-key login signed by ssh-agent (draft-miller-ssh-agent): the private key never enters
 * mayfly. One auth method per key the agent holds, tried in the agent's order.
 */
final class AgentAuth extends AbstractAuthMethod {
  private static final byte REQUEST_IDENTITIES = 11;
  private static final byte IDENTITIES_ANSWER = 12;
  private static final byte SIGN_REQUEST = 13;
  private static final byte SIGN_RESPONSE = 14;
  private static final int RSA_SHA2_512 = 4;
  private static final int MAX_MESSAGE = 256 * 1024;

  private final Path socket;
  private final byte[] keyBlob;
  private final String keyType;

  private AgentAuth(Path socket, byte[] keyBlob, String keyType) {
    super("publickey");
    this.socket = socket;
    this.keyBlob = keyBlob;
    this.keyType = keyType;
  }

  static List<AuthMethod> methods(Path socket) {
    if (socket == null) {
      throw MayflyException.badInput(
          "--identity agent: SSH_AUTH_SOCK is not set, so there is no ssh-agent to ask");
    }
    Buffer.PlainBuffer reply;
    try {
      reply = call(socket, new Buffer.PlainBuffer().putByte(REQUEST_IDENTITIES), IDENTITIES_ANSWER);
      int count = reply.readUInt32AsInt();
      List<AuthMethod> methods = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        byte[] blob = reply.readBytes();
        reply.readString(); // comment
        String type = new Buffer.PlainBuffer(blob).readString();
        methods.add(new AgentAuth(socket, blob, type));
      }
      if (methods.isEmpty()) {
        throw MayflyException.badInput(
            "--identity agent: the ssh-agent at " + socket + " holds no keys (ssh-add)");
      }
      return methods;
    } catch (IOException e) {
      throw MayflyException.failed(
          "cannot talk to ssh-agent at " + socket + ": " + SshShells.cause(e));
    }
  }

  private String signatureAlgorithm() {
    return keyType.equals("ssh-rsa") ? "rsa-sha2-512" : keyType;
  }

  @Override
  protected SSHPacket buildReq() throws UserAuthException {
    return withKey(super.buildReq(), false);
  }

  private SSHPacket withKey(SSHPacket request, boolean signed) {
    return request.putBoolean(signed).putString(signatureAlgorithm()).putString(keyBlob);
  }

  @Override
  public void handle(Message cmd, SSHPacket buf) throws UserAuthException, TransportException {
    if (cmd != Message.USERAUTH_60) {
      super.handle(cmd, buf);
      return;
    }
    SSHPacket request = withKey(super.buildReq(), true);
    byte[] toSign =
        new Buffer.PlainBuffer()
            .putString(params.getTransport().getSessionID())
            .putBuffer(request)
            .getCompactData();
    try {
      Buffer.PlainBuffer sign =
          new Buffer.PlainBuffer()
              .putByte(SIGN_REQUEST)
              .putString(keyBlob)
              .putString(toSign)
              .putUInt32(keyType.equals("ssh-rsa") ? RSA_SHA2_512 : 0);
      byte[] signature = call(socket, sign, SIGN_RESPONSE).readBytes();
      params.getTransport().write(request.putString(signature));
    } catch (IOException e) {
      throw new UserAuthException("ssh-agent did not sign: " + SshShells.cause(e), e);
    }
  }

  private static Buffer.PlainBuffer call(Path socket, Buffer.PlainBuffer message, byte expected)
      throws IOException {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      byte[] body = message.getCompactData();
      ByteBuffer out = ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).flip();
      while (out.hasRemaining()) {
        channel.write(out);
      }
      ByteBuffer length = read(channel, 4);
      int size = length.getInt();
      if (size < 1 || size > MAX_MESSAGE) {
        throw new IOException("bad agent reply length " + size);
      }
      Buffer.PlainBuffer reply = new Buffer.PlainBuffer(read(channel, size).array());
      byte type = reply.readByte();
      if (type != expected) {
        throw new IOException("agent refused (reply type " + type + ")");
      }
      return reply;
    }
  }

  private static ByteBuffer read(SocketChannel channel, int size) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(size);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        throw new IOException("agent closed the connection");
      }
    }
    return buffer.flip();
  }

  @Override
  public String toString() {
    return "agent key "
        + keyType
        + " ("
        + new String(keyBlob, 0, 0, StandardCharsets.US_ASCII)
        + ")";
  }
}
