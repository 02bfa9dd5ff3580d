package dev.mayfly.provider.ec2;

import dev.mayfly.MayflyException;
import dev.mayfly.host.HostShell;
import dev.mayfly.host.SshAccess;
import dev.mayfly.host.SshEndpoint;
import dev.mayfly.host.ssh.SshShells;

/**
 * What the EC2 provider needs from outside the EC2 API: how to reach an instance, how to open a
 * shell on it, and who watches the API calls. Production uses {@link #standard()}; tests replace
 * the resolver so that instances of an emulator map to local SSH hosts, and never to the made-up
 * addresses it hands out.
 */
public record Ec2Wiring(Resolver resolver, ShellOpener shells, ApiListener listener) {

  /** Where an instance answers. */
  public interface Resolver {
    /**
     * @param address the instance's public address, else its private one, as EC2 reports it
     */
    Reach reach(String instanceId, String address);
  }

  /**
   * @param sshPort where its sshd listens
   */
  public record Reach(String address, int sshPort) {}

  public interface ShellOpener {
    /**
     * @param access the deployment's identity and pinned host keys; null when the provider was made
     *     without a deployment (the reaper), which never opens shells
     */
    HostShell open(SshEndpoint endpoint, SshAccess access);
  }

  /** Hears every EC2 API call (attempts, retries included) and every poll round of a named wait. */
  public interface ApiListener {
    ApiListener NONE = new ApiListener() {};

    default void called(String operation) {}

    /**
     * @param apiCalls the API calls the round made
     */
    default void pollRound(String waitName, int apiCalls) {}
  }

  public static Ec2Wiring standard() {
    return new Ec2Wiring(
        (id, address) -> new Reach(address, 22),
        (endpoint, access) -> {
          if (access == null) {
            throw MayflyException.failed(
                "ssh " + endpoint + ": no SSH identity for this operation");
          }
          return SshShells.open(endpoint, access);
        },
        ApiListener.NONE);
  }

  public Ec2Wiring withResolver(Resolver r) {
    return new Ec2Wiring(r, shells, listener);
  }

  public Ec2Wiring withShells(ShellOpener s) {
    return new Ec2Wiring(resolver, s, listener);
  }

  public Ec2Wiring withListener(ApiListener l) {
    return new Ec2Wiring(resolver, shells, l);
  }
}
