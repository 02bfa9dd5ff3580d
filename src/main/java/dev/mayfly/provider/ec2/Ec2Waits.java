package dev.mayfly.provider.ec2;

import dev.mayfly.MayflyException;
import dev.mayfly.provider.Wait;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * The provider's named, bounded waits. Those on instances make one DescribeInstances (paginated)
 * per round for all of them, whatever their number, and report each round's API calls to the
 * listener. They watch the instances they are given, never others of the same deployment (another
 * registry's, or ones already terminated).
 */
final class Ec2Waits {
  private static final Duration CONNECT_ATTEMPT = Duration.ofSeconds(2);

  private final Ec2Api api;
  private final Ec2Settings settings;
  private final Ec2Wiring.ApiListener listener;

  Ec2Waits(Ec2Api api, Ec2Settings settings, Ec2Wiring.ApiListener listener) {
    this.api = api;
    this.settings = settings;
    this.listener = listener;
  }

  /**
   * "instances running": all of {@code ids}, instances of the deployment, run; fails as soon as one
   * stops.
   */
  List<Instance> running(String deploymentId, Collection<String> ids, Wait.Watcher watcher) {
    String name = "instances running";
    return Wait.until(
        name,
        settings.runningTimeout(),
        settings.poll(),
        watcher,
        () -> {
          List<Instance> seen =
              round(
                  name,
                  deploymentId,
                  List.of(
                      "pending", "running", "shutting-down", "terminated", "stopping", "stopped"),
                  ids);
          for (Instance i : seen) {
            String state = i.state().nameAsString();
            if (state.equals("shutting-down")
                || state.equals("terminated")
                || state.startsWith("stop")) {
              throw MayflyException.failed(
                  "target '"
                      + settings.target()
                      + "': instance "
                      + i.instanceId()
                      + " went "
                      + state
                      + " while starting"
                      + (i.stateReason() == null ? "" : " (" + i.stateReason().message() + ")"));
            }
          }
          List<Instance> running =
              seen.stream().filter(i -> i.state().name() == InstanceStateName.RUNNING).toList();
          if (running.size() == ids.size()) {
            return Wait.Probe.done(running);
          }
          return Wait.Probe.notYet(running.size() + " of " + ids.size() + " running");
        });
  }

  /** "ssh port open": TCP connects to each instance's sshd until all accept. */
  void sshOpen(Map<String, Ec2Wiring.Reach> reach, Wait.Watcher watcher) {
    Set<String> closed = new LinkedHashSet<>(reach.keySet());
    Wait.until(
        "ssh port open",
        settings.sshTimeout(),
        settings.poll(),
        watcher,
        () -> {
          closed.removeIf(instanceId -> accepts(reach.get(instanceId)));
          return closed.isEmpty()
              ? Wait.Probe.done(true)
              : Wait.Probe.notYet("no sshd yet on " + String.join(", ", closed));
        });
  }

  /**
   * "instances terminated": none of {@code ids}, instances of the deployment, is left, shutting
   * down or otherwise.
   */
  void terminated(String deploymentId, Collection<String> ids) {
    String name = "instances terminated";
    Wait.until(
        name,
        settings.terminateTimeout(),
        settings.poll(),
        () -> {
          List<Instance> left = round(name, deploymentId, Ec2Api.NOT_TERMINATED, ids);
          return left.isEmpty()
              ? Wait.Probe.done(true)
              : Wait.Probe.notYet(left.size() + " not yet terminated");
        });
  }

  private List<Instance> round(
      String wait, String deploymentId, List<String> states, Collection<String> ids) {
    int before = api.calls();
    List<Instance> seen =
        api.tagged(deploymentId, states).stream()
            .filter(i -> ids.contains(i.instanceId()))
            .toList();
    listener.pollRound(wait, api.calls() - before);
    return seen;
  }

  private static boolean accepts(Ec2Wiring.Reach reach) {
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(reach.address(), reach.sshPort()),
          (int) CONNECT_ATTEMPT.toMillis());
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
