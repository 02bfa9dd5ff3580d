package dev.mayfly.provider.ec2;

import dev.mayfly.MayflyException;
import dev.mayfly.host.HostShell;
import dev.mayfly.host.SshAccess;
import dev.mayfly.host.SshEndpoint;
import dev.mayfly.provider.Host;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.model.Instance;

/** Instances as hosts: the address EC2 reports, where the instance answers, and shells on it. */
final class Ec2Hosts {
  private final Ec2Settings settings;
  private final Ec2Wiring wiring;
  private final boolean resolverInjected;
  private final SshAccess access;

  /**
   * @param access the deployment's SSH identity and host keys; null when made for no deployment
   */
  Ec2Hosts(Ec2Settings settings, Ec2Wiring wiring, boolean resolverInjected, SshAccess access) {
    this.settings = settings;
    this.wiring = wiring;
    this.resolverInjected = resolverInjected;
    this.access = access;
  }

  /** The instance as a host without ports, as describe and the reaper see it. */
  static Host host(Instance i) {
    String address = address(i);
    return new Host(i.instanceId(), address == null ? "" : address, Map.of(), Optional.empty());
  }

  /** The public address, else the private one; null when it has neither yet. */
  static String address(Instance i) {
    return i.publicIpAddress() != null ? i.publicIpAddress() : i.privateIpAddress();
  }

  /** Where the instance's sshd answers, through the wiring's resolver. */
  Ec2Wiring.Reach reach(String instanceId, String address) {
    if (settings.localEmulator() && !resolverInjected) {
      // an emulator's instance addresses are made up: whatever answers there is not ours
      throw MayflyException.failed(
          "target '"
              + settings.target()
              + "': "
              + settings.describeEndpoint()
              + " is an emulator on this machine; its instance "
              + instanceId
              + " has no reachable address");
    }
    if (address == null) {
      throw MayflyException.failed(
          "target '"
              + settings.target()
              + "': instance "
              + instanceId
              + " has no IP address (does the subnet assign one?)");
    }
    return wiring.resolver().reach(instanceId, address);
  }

  HostShell open(Host host) {
    return wiring.shells().open(endpoint(host.id(), host.address()), access);
  }

  /**
   * After an Elastic IP moved to {@code instanceId}: the key that instance showed at {@code before}
   * (pinned when the recycle bootstrapped it there) becomes the pin at {@code after}, which held
   * the old instance's key. Only mayfly moved the address, so the new pin is one it checked.
   *
   * @param forget drops a pin (the registry's)
   */
  void carryHostKey(
      String instanceId, String before, String after, java.util.function.Consumer<String> forget) {
    String from = endpoint(instanceId, before).hostPort();
    String to = endpoint(instanceId, after).hostPort();
    if (access == null || from.equals(to)) {
      return;
    }
    access
        .hostKeys()
        .pinned(from)
        .ifPresent(
            key -> {
              forget.accept(to);
              access.hostKeys().pinIfAbsent(to, key);
            });
  }

  private SshEndpoint endpoint(String instanceId, String address) {
    Ec2Wiring.Reach reach = reach(instanceId, address);
    return new SshEndpoint(settings.sshUser(), reach.address(), reach.sshPort());
  }
}
