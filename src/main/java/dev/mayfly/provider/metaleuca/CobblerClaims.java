package dev.mayfly.provider.metaleuca;

import dev.mayfly.MayflyException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How registries sharing one Cobbler never both take a machine (each registry's own launches are
 * kept apart by its reservations first). Cobbler's XML-RPC has no compare-and-set and a write
 * replaces the whole comment, so a registry claims machines like this, before any profile change or
 * power-cycle:
 *
 * <ol>
 *   <li>read each system's comment; another registry's {@link Claim} word there means the machine
 *       is taken: the claim is lost;
 *   <li>write the comment back with its own word added. A write that lands more than half the
 *       settle time after its read is withdrawn (lost): so every surviving write is based on a
 *       fresh read;
 *   <li>wait the settle time ({@code claim-settle}), read every comment again: the claim holds if
 *       its word is still on every machine and no lower registry id's word is (lowest id wins).
 * </ol>
 *
 * <p>A rival that read a comment before our write wrote within half the settle time of its read, so
 * before our second read: its write erased our word and we see that we lost. A loser removes its
 * own words (never another's) and picks again after a back-off, the longer one when it lost to a
 * lower id. Removing our word is safe: no other registry writes a comment that carries it.
 */
final class CobblerClaims {
  private final CobblerClient cobbler;
  private final String registryId;
  private final Duration settle;

  CobblerClaims(CobblerClient cobbler, String registryId, Duration settle) {
    this.cobbler = cobbler;
    this.registryId = registryId;
    this.settle = settle;
  }

  /** Whether a claim held; else which registry took a machine, if known, and why it was lost. */
  record Outcome(boolean won, Optional<String> rival, String why) {
    static final Outcome WON = new Outcome(true, Optional.empty(), "");

    static Outcome lostTo(String rival, String system) {
      return new Outcome(false, Optional.of(rival), system + " is in use by registry " + rival);
    }
  }

  String registryId() {
    return registryId;
  }

  /** Another registry's claim on {@code s}, as the listing shows it. */
  Optional<Claim> foreign(MetalSystem s) {
    return s.claims().stream().filter(c -> !c.registryId().equals(registryId)).findFirst();
  }

  /** Claims every machine for the deployment, or none (its words are removed again on a loss). */
  Outcome claim(List<MetalSystem> machines, String deploymentId) {
    Claim mine = new Claim(registryId, deploymentId, Instant.now().truncatedTo(ChronoUnit.SECONDS));
    List<String> names = machines.stream().map(MetalSystem::name).toList();
    Duration limit = settle.dividedBy(2);
    for (String name : names) {
      CobblerClient.CommentEdit edit =
          cobbler.editComment(
              name,
              comment -> {
                List<Claim> claims = Claim.parse(comment);
                if (rival(claims).isPresent()) {
                  return Optional.empty();
                }
                // this registry's words of deployments it no longer holds are stale: its
                // reservations decide
                return Optional.of(
                    claims.stream().anyMatch(c -> c.isOf(registryId, deploymentId))
                        ? comment
                        : mine.addTo(
                            Claim.without(comment, c -> c.registryId().equals(registryId))));
              });
      Optional<String> rival = rival(Claim.parse(edit.before()));
      if (rival.isPresent()) {
        clear(names, deploymentId);
        return Outcome.lostTo(rival.get(), name);
      }
      if (edit.readToWrite().compareTo(limit) > 0) {
        clear(names, deploymentId);
        return new Outcome(
            false,
            Optional.empty(),
            "writing the claim on "
                + name
                + " took "
                + edit.readToWrite().toMillis()
                + "ms, more than half of claim-settle ("
                + settle.toMillis()
                + "ms)");
      }
    }
    pause(settle, names);
    for (String name : names) {
      List<Claim> claims = Claim.parse(cobbler.comment(name));
      Optional<String> lowest =
          claims.stream().map(Claim::registryId).min(Comparator.naturalOrder());
      boolean kept = claims.stream().anyMatch(c -> c.isOf(registryId, deploymentId));
      if (!kept) {
        clear(names, deploymentId);
        return new Outcome(false, rival(claims), "the claim on " + name + " was overwritten");
      }
      if (lowest.filter(id -> !id.equals(registryId)).isPresent()) {
        clear(names, deploymentId);
        return Outcome.lostTo(lowest.get(), name);
      }
    }
    return Outcome.WON;
  }

  private Optional<String> rival(List<Claim> claims) {
    return claims.stream().map(Claim::registryId).filter(id -> !id.equals(registryId)).findFirst();
  }

  /**
   * Removes the deployment's word from each system that carries it; other words stay as they were.
   */
  void clear(Collection<String> systems, String deploymentId) {
    for (String name : systems) {
      cobbler.editComment(
          name,
          comment -> Optional.of(Claim.without(comment, c -> c.isOf(registryId, deploymentId))));
    }
  }

  /**
   * Waits before a lost claim's launch picks again: long enough after a loss to a lower id for that
   * registry to finish its claim, short otherwise; with some jitter so that two losers do not meet
   * again.
   */
  void backOff(Outcome lost, List<MetalSystem> machines) {
    boolean toLower = lost.rival().filter(id -> id.compareTo(registryId) < 0).isPresent();
    Duration base = toLower ? settle.multipliedBy(2) : settle.dividedBy(2);
    long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, settle.toMillis() / 2));
    pause(base.plusMillis(jitter), machines.stream().map(MetalSystem::name).toList());
  }

  private static void pause(Duration d, List<String> names) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw MayflyException.failed("interrupted while claiming " + String.join(", ", names));
    }
  }
}
