package dev.mayfly.deploy;

import dev.mayfly.provider.OwnedHost;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.DeploymentState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/** The reaper's rules, free of any I/O: whose hosts these are, and why they should go. */
final class ReapDecision {
  private ReapDecision() {}

  /**
   * @param self this registry's id
   * @param adopt deployment ids whose hosts without a registry id the user claims as this
   *     registry's
   * @return the registry the host belongs to, or "" when it carries none and was not adopted
   */
  static String owner(OwnedHost o, String self, Set<String> adopt) {
    return o.registryId().orElse(adopt.contains(o.deploymentId()) ? self : "");
  }

  /**
   * Why hosts of deployment {@code id} owned by {@code owner}, not this registry, are left alone.
   */
  static String leftAlone(String owner, String id) {
    return owner.isEmpty()
        ? "untagged (no registry id; `mayfly reap --adopt " + id + "` claims it)"
        : "foreign (registry " + owner + ")";
  }

  /**
   * @param hostsLive whether the registry has a host of the deployment that it did not record as
   *     ended
   * @param tagged the earliest expiry the hosts themselves carry
   * @return why the hosts should go, or null when they may stay
   */
  static String why(
      Optional<DeploymentRow> d,
      boolean hostsLive,
      Optional<Instant> tagged,
      Instant now,
      Duration grace,
      Duration staleLaunch) {
    if (d.isEmpty()) {
      // the hosts' own expiry tag holds where the registry lost the deployment
      return tagged.filter(at -> at.plus(grace).isBefore(now)).isPresent() ? "expired" : "unknown";
    }
    DeploymentRow row = d.get();
    if (row.state() == DeploymentState.TERMINATED) {
      return "terminated";
    }
    Optional<Instant> registered = row.expiresAt();
    if (row.state() == DeploymentState.FAILED) {
      // its hosts were ended, so whatever is listed is left over; kept hosts live until mayfly's
      // short expiry
      boolean keptTimeOver = registered.filter(at -> at.plus(grace).isBefore(now)).isPresent();
      return !hostsLive || keptTimeOver ? "failed" : null;
    }
    // the later of the two: an extend moves the tags first, and a registry write lost after them
    // must not
    // shorten the life the user asked for
    Optional<Instant> expiry = registered.map(at -> tagged.filter(at::isBefore).orElse(at));
    if (expiry.filter(at -> at.plus(grace).isBefore(now)).isPresent()) {
      return "expired";
    }
    if (row.state() == DeploymentState.LAUNCHING
        && !row.createdAt().plus(staleLaunch).isAfter(now)) {
      return "abandoned";
    }
    return null;
  }
}
