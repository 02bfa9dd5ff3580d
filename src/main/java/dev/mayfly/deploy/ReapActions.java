package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.Registry;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Ends what the reaper found: through terminate while the registry holds it live, else host by
 * host.
 */
final class ReapActions {
  /**
   * How long reaping a deployment waits for another command working on it before it reports it
   * busy.
   */
  private static final Duration LOCK_WAIT = Duration.ofSeconds(30);

  private final Lifecycle lifecycle;
  private final Registry registry;

  ReapActions(Lifecycle lifecycle, Registry registry) {
    this.lifecycle = lifecycle;
    this.registry = registry;
  }

  /**
   * @return why ending the hosts of {@code id} failed, or null when it worked
   */
  String end(String id, Optional<DeploymentRow> d, Provider provider, List<Host> hosts) {
    if (d.isPresent() && d.get().state().live()) {
      return terminate(id);
    }
    try {
      provider.terminate(id, hosts);
      d.ifPresent(
          row -> registry.event(id, null, "reaped", hosts.size() + " leftover host(s) ended"));
      return null;
    } catch (MayflyException | UncheckedIOException ex) {
      return ex.getMessage();
    }
  }

  /** Terminates a deployment as {@code mayfly terminate} does. @return why it failed, or null */
  String terminate(String id) {
    try {
      lifecycle.terminate(id, Progress.SILENT, "reaped", false, LOCK_WAIT);
      return null;
    } catch (MayflyException | UncheckedIOException ex) {
      return ex.getMessage();
    }
  }
}
