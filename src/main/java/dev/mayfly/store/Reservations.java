package dev.mayfly.store;

import static dev.mayfly.store.Jdbc.instant;
import static dev.mayfly.store.Jdbc.time;

import dev.mayfly.MayflyException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Bare-metal machines held for deployments, in the registry's database so that every mayfly process
 * sharing it (the H2 file with AUTO_SERVER, or PostgreSQL) sees the same pool. Reserving is all or
 * nothing and relies on the table's primary key: two launches never hold one machine.
 */
public final class Reservations {
  private static final String SELECT =
      "SELECT pool, address, system_name, deployment_id, target, reserved_by,"
          + " reserved_at, registry_id FROM metal_reservation";
  private static final String ORDER = " ORDER BY pool, system_name";
  private final Jdbc jdbc;

  /** The registry's lock: its threads share one connection. */
  private final Object lock;

  Reservations(Jdbc jdbc, Object lock) {
    this.jdbc = jdbc;
    this.lock = lock;
  }

  /**
   * A machine held for a deployment.
   *
   * @param registryId the registry that reserved it; null for reservations made before registries
   *     had ids
   */
  public record Reservation(
      String pool,
      String address,
      String systemName,
      String deploymentId,
      String target,
      String reservedBy,
      Instant reservedAt,
      String registryId) {}

  /** A machine to reserve. */
  public record Machine(String address, String systemName) {}

  /**
   * Reserves every machine in {@code machines} for {@code deploymentId}, or none.
   *
   * @param registryId this registry's id, recorded with each machine
   * @return false when another launch holds one of them already (nothing is reserved then)
   */
  public boolean reserve(
      String pool,
      String target,
      String registryId,
      String deploymentId,
      String reservedBy,
      List<Machine> machines) {
    synchronized (lock) {
      try {
        return jdbc.transaction(
            () -> {
              OffsetDateTime now = time(Instant.now());
              for (Machine m : machines) {
                jdbc.update(
                    "INSERT INTO metal_reservation (pool, address, system_name, deployment_id, target,"
                        + " reserved_by, reserved_at, registry_id) VALUES (?,?,?,?,?,?,?,?)",
                    pool,
                    m.address(),
                    m.systemName(),
                    deploymentId,
                    target,
                    reservedBy,
                    now,
                    registryId);
              }
              return true;
            });
      } catch (MayflyException e) {
        if (lostRace(e.getCause())) {
          return false;
        }
        throw e;
      }
    }
  }

  /**
   * A unique-key violation (23505 in H2 and PostgreSQL) or a lock the other transaction held too
   * long.
   */
  private static boolean lostRace(Throwable cause) {
    String state = cause instanceof SQLException e ? e.getSQLState() : null;
    return state != null
        && (state.equals("23505")
            || state.equals("HYT00")
            || state.equals("40001")
            || state.equals("55P03"));
  }

  /** Every reservation on {@code pool}, or on every pool when it is null. */
  public List<Reservation> all(String pool) {
    synchronized (lock) {
      return pool == null
          ? jdbc.query(SELECT + ORDER, Reservations::row)
          : jdbc.query(SELECT + " WHERE pool = ?" + ORDER, Reservations::row, pool);
    }
  }

  public List<Reservation> forDeployment(String deploymentId) {
    synchronized (lock) {
      return jdbc.query(
          SELECT + " WHERE deployment_id = ?" + ORDER, Reservations::row, deploymentId);
    }
  }

  /** Frees every machine of the deployment; returns how many were held. */
  public int release(String deploymentId) {
    synchronized (lock) {
      return jdbc.update("DELETE FROM metal_reservation WHERE deployment_id = ?", deploymentId);
    }
  }

  private static Reservation row(ResultSet rs) throws SQLException {
    return new Reservation(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        instant(rs, 7),
        rs.getString(8));
  }
}
