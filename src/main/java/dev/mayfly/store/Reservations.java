package dev.mayfly.store;

import dev.mayfly.MayflyException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Bare-metal machines held for deployments, in the registry's database so that every mayfly process
 * sharing it (the H2 file with AUTO_SERVER, or PostgreSQL) sees the same pool. Reserving is all or
 * nothing and relies on the table's primary key: two launches never hold one machine.
 */
public final class Reservations {
  private final Registry registry;

  Reservations(Registry registry) {
    this.registry = registry;
  }

  /** A machine held for a deployment. */
  public record Reservation(String pool, String address, String systemName, String deploymentId, String target,
      String reservedBy, Instant reservedAt) {}

  /** A machine to reserve. */
  public record Machine(String address, String systemName) {}

  /**
   * Reserves every machine in {@code machines} for {@code deploymentId}, or none.
   *
   * @param registryId this registry's id, recorded with each machine
   * @return false when another launch holds one of them already (nothing is reserved then)
   */
  public boolean reserve(String pool, String target, String registryId, String deploymentId, String reservedBy,
      List<Machine> machines) {
    synchronized (registry) {
      Connection c = registry.connection();
      try {
        c.setAutoCommit(false);
        try (PreparedStatement st = c.prepareStatement("INSERT INTO metal_reservation (pool, address, system_name,"
            + " deployment_id, target, reserved_by, reserved_at, registry_id) VALUES (?,?,?,?,?,?,?,?)")) {
          OffsetDateTime now = Instant.now().atOffset(ZoneOffset.UTC);
          for (Machine m : machines) {
            st.setString(1, pool);
            st.setString(2, m.address());
            st.setString(3, m.systemName());
            st.setString(4, deploymentId);
            st.setString(5, target);
            st.setString(6, reservedBy);
            st.setObject(7, now);
            st.setString(8, registryId);
            st.executeUpdate();
          }
          c.commit();
          return true;
        } catch (SQLException e) {
          c.rollback();
          if (lostRace(e)) {
            return false;
          }
          throw failure(e);
        } finally {
          c.setAutoCommit(true);
        }
      } catch (SQLException e) {
        throw failure(e);
      }
    }
  }

  /** A unique-key violation (23505 in H2 and PostgreSQL) or a lock the other transaction held too long. */
  private static boolean lostRace(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.equals("23505") || state.equals("HYT00") || state.equals("40001")
        || state.equals("55P03"));
  }

  /** Every reservation on {@code pool}, or on every pool when it is null. */
  public List<Reservation> all(String pool) {
    return pool == null ? query("", new Object[0]) : query(" WHERE pool = ?", pool);
  }

  public List<Reservation> forDeployment(String deploymentId) {
    return query(" WHERE deployment_id = ?", deploymentId);
  }

  /** Frees every machine of the deployment; returns how many were held. */
  public int release(String deploymentId) {
    synchronized (registry) {
      try (PreparedStatement st = registry.connection().prepareStatement(
          "DELETE FROM metal_reservation WHERE deployment_id = ?")) {
        st.setString(1, deploymentId);
        return st.executeUpdate();
      } catch (SQLException e) {
        throw failure(e);
      }
    }
  }

  private List<Reservation> query(String where, Object... args) {
    synchronized (registry) {
      String sql = "SELECT pool, address, system_name, deployment_id, target, reserved_by, reserved_at"
          + " FROM metal_reservation" + where + " ORDER BY pool, system_name";
      try (PreparedStatement st = registry.connection().prepareStatement(sql)) {
        for (int i = 0; i < args.length; i++) {
          st.setObject(i + 1, args[i]);
        }
        try (ResultSet rs = st.executeQuery()) {
          List<Reservation> rows = new ArrayList<>();
          while (rs.next()) {
            rows.add(new Reservation(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getObject(7, OffsetDateTime.class).toInstant()));
          }
          return rows;
        }
      } catch (SQLException e) {
        throw failure(e);
      }
    }
  }

  private static MayflyException failure(SQLException e) {
    return new MayflyException(MayflyException.Exit.INTERNAL, "registry: " + e.getMessage(), e);
  }
}
