package dev.mayfly.store;

import java.util.List;
import java.util.Optional;

/**
 * Addresses a provider keeps for a deployment while its hosts are replaced (EC2 Elastic IPs), and
 * the host each one points at. The provider's own tags decide what is mayfly's; these rows record
 * the allocation for {@code status} and for an operator.
 */
public final class StableAddresses {
  private final Jdbc jdbc;

  /** The registry's lock: its threads share one connection. */
  private final Object lock;

  StableAddresses(Jdbc jdbc, Object lock) {
    this.jdbc = jdbc;
    this.lock = lock;
  }

  /**
   * @param allocationId the provider's id for it ({@code eipalloc-…})
   * @param hostId the host it points at; empty while it points at none
   */
  public record StableAddress(
      String allocationId, String deploymentId, String address, Optional<String> hostId) {}

  /** Records the address, or where it points now. */
  public void put(StableAddress a) {
    synchronized (lock) {
      int updated =
          jdbc.update(
              "UPDATE stable_address SET deployment_id = ?, address = ?, host_id = ?"
                  + " WHERE allocation_id = ?",
              a.deploymentId(),
              a.address(),
              a.hostId().orElse(null),
              a.allocationId());
      if (updated == 0) {
        jdbc.update(
            "INSERT INTO stable_address (allocation_id, deployment_id, address, host_id)"
                + " VALUES (?,?,?,?)",
            a.allocationId(),
            a.deploymentId(),
            a.address(),
            a.hostId().orElse(null));
      }
    }
  }

  /** Forgets a released address. */
  public void released(String allocationId) {
    synchronized (lock) {
      jdbc.update("DELETE FROM stable_address WHERE allocation_id = ?", allocationId);
    }
  }

  public List<StableAddress> of(String deploymentId) {
    synchronized (lock) {
      return jdbc.query(
          "SELECT allocation_id, deployment_id, address, host_id FROM stable_address"
              + " WHERE deployment_id = ? ORDER BY allocation_id",
          rs ->
              new StableAddress(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  Optional.ofNullable(rs.getString(4))),
          deploymentId);
    }
  }
}
