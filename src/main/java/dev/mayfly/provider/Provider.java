package dev.mayfly.provider;

import dev.mayfly.host.HostShell;
import java.time.Instant;
import java.util.List;

/**
 * Where hosts come from. One implementation per backend, found by name through {@link
 * ProviderFactory} (java.util.ServiceLoader), so {@code deploy} never imports a backend.
 */
public interface Provider extends AutoCloseable {

  /**
   * Gets {@code request.count()} hosts, tagged with the deployment id; idempotent on retry. Hosts
   * that did not come up are reported in {@link Launched#failed()}, not thrown, so the caller can
   * end the rest.
   */
  Launched launch(LaunchRequest request);

  /** The deployment's hosts as the backend sees them now. */
  List<Host> describe(String deploymentId);

  /**
   * Ends the hosts (or, for servers mayfly does not own, leaves them as they were before launch).
   */
  void terminate(String deploymentId, List<Host> hosts);

  /**
   * True when {@link #terminate} ends the hosts (instances, sandboxes, machines), so nothing of the
   * deployment runs after it even where the clean stop on a host failed; false for servers mayfly
   * does not own ({@code ssh}), where only that clean stop ends the service.
   */
  default boolean endsHosts() {
    return true;
  }

  /** A shell on the host; the caller closes it. */
  HostShell open(Host host);

  /**
   * Like {@link #open(Host)}, for a launch that shows long waits: a provider whose login may have
   * to wait for the host (a server still booting) tells {@code watcher}.
   */
  default HostShell open(Host host, Wait.Watcher watcher) {
    return open(host);
  }

  /**
   * True when hosts see this machine's files at the same paths (the local sandbox), so a repo that
   * is a folder here can be fetched by path; otherwise mayfly pushes it to the host as a git
   * bundle.
   */
  default boolean hostsSeeControllerFiles() {
    return false;
  }

  /**
   * True when the hosts are this machine (the local sandbox): mayfly never logs in to them, so it
   * makes no key, and services listen on loopback unless the template's {@code bind:} says
   * otherwise.
   */
  default boolean hostsAreThisMachine() {
    return false;
  }

  /**
   * True when mayfly logs in to the hosts over SSH, so a launch without {@code --identity} makes a
   * key for the deployment; false for hosts reached another way (this machine, container exec).
   */
  default boolean logsInOverSsh() {
    return !hostsAreThisMachine();
  }

  /**
   * True when the hosts may have no route to the repos (containers on a private bridge): git mode
   * {@code auto} then pushes bundles from the controller without trying the host's own fetch.
   */
  default boolean pushesRepos() {
    return false;
  }

  /**
   * True when {@code mayfly recycle} rebuilds the deployment on the same hosts, each in a new root,
   * and switches the service over (servers mayfly does not create per deployment, local sandboxes);
   * false where a recycle needs new hosts from the backend.
   */
  default boolean recyclesInPlace() {
    return true;
  }

  /**
   * For a recycle where {@link #recyclesInPlace()} is false: {@code request.count()} fresh hosts
   * for the running deployment, tagged like its live ones, which it leaves untouched. Hosts that
   * did not come up are reported in {@link Launched#failed()}; when it throws, it has ended the
   * fresh hosts it started.
   */
  default Launched launchReplacements(LaunchRequest request) {
    throw new UnsupportedOperationException("this provider recycles in place");
  }

  /**
   * Moves what keeps the deployment's address (EC2's Elastic IPs) from each of {@code old} to the
   * fresh host at the same position, once the fresh ones are healthy.
   *
   * @return the fresh hosts with the addresses they answer at now
   */
  default List<Host> takeOver(String deploymentId, List<Host> old, List<Host> fresh) {
    return fresh;
  }

  /**
   * Ends some hosts of a deployment that goes on (the old ones after a recycle, or fresh ones that
   * failed), leaving what the deployment shares (key pair, group, stable addresses).
   */
  default void retire(String deploymentId, List<Host> hosts) {
    throw new UnsupportedOperationException("this provider recycles in place");
  }

  /**
   * Every host this mayfly owns on the backend, each with the deployment it is tagged with, for the
   * reaper. A backend whose servers mayfly does not own returns an empty list.
   */
  List<OwnedHost> owned();

  /**
   * Moves the deployment's expiry on the backend: tags and any fail-safe on the hosts; {@code
   * newExpiry} null means it never expires. The default does nothing, for backends where only the
   * controller enforces expiry. {@code mayfly extend} calls it before it moves the registry's
   * expiry, and leaves the registry as it was when this throws.
   */
  default void extend(String deploymentId, List<Host> hosts, Instant newExpiry) {}

  /** Releases API clients and connections; the default holds none. */
  @Override
  default void close() {}
}
