package dev.mayfly.provider.metaleuca;

import dev.mayfly.MayflyException;
import dev.mayfly.provider.Wait;
import dev.mayfly.store.Reservations;
import dev.mayfly.store.Reservations.Machine;
import dev.mayfly.store.Reservations.Reservation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The steps of run-instances and terminate-instances on a {@link MetalPool}: reserve, provision,
 * wait for the install, release.
 */
final class MetalProvisioning {
  /** How often a launch picks again after losing a machine to a concurrent launch. */
  private static final int RESERVE_ATTEMPTS = 8;

  private final MetalPool pool;
  private final MetalSettings settings;
  private final CobblerClient cobbler;
  private final CobblerClaims claims;
  private final Reservations reservations;
  private final String user;

  MetalProvisioning(
      MetalPool pool,
      CobblerClient cobbler,
      CobblerClaims claims,
      Reservations reservations,
      String user) {
    this.pool = pool;
    this.settings = pool.settings();
    this.cobbler = cobbler;
    this.claims = claims;
    this.reservations = reservations;
    this.user = user;
  }

  /**
   * Holds {@code count} free machines of {@code group} for the deployment, all or none, after
   * checking the profile and group exist: reserved in the registry, then claimed in Cobbler.
   * Machines the deployment holds already count (a retried launch).
   */
  List<MetalSystem> reserve(String deploymentId, int count, String group, String profile) {
    Set<String> profiles =
        pool.profiles().stream()
            .map(MetalProfile::name)
            .collect(Collectors.toCollection(TreeSet::new));
    if (!profiles.contains(profile)) {
      throw MayflyException.badInput(
          "--profile: unknown profile '"
              + profile
              + "' on target '"
              + settings.target()
              + "' (known: "
              + String.join(", ", profiles)
              + ")");
    }
    for (int attempt = 1; ; attempt++) {
      List<MetalSystem> systems = pool.systems();
      Set<String> groups =
          systems.stream()
              .flatMap(s -> s.group().stream())
              .collect(Collectors.toCollection(TreeSet::new));
      if (!groups.contains(group)) {
        throw MayflyException.badInput(
            "--group: unknown group '"
                + group
                + "' on target '"
                + settings.target()
                + "' (known: "
                + (groups.isEmpty() ? "none" : String.join(", ", groups))
                + ")");
      }
      List<MetalSystem> members =
          systems.stream().filter(s -> s.group().filter(group::equals).isPresent()).toList();
      Set<String> mine =
          reservations.forDeployment(deploymentId).stream()
              .map(Reservation::address)
              .collect(Collectors.toSet());
      List<MetalSystem> held = members.stream().filter(s -> mine.contains(s.address())).toList();
      int need = count - held.size();
      List<MetalSystem> all = new ArrayList<>(held.subList(0, Math.min(count, held.size())));
      if (need > 0) {
        List<MetalSystem> chosen = choose(members, need, group);
        if (!reservations.reserve(
            settings.pool(),
            settings.target(),
            claims.registryId(),
            deploymentId,
            user,
            chosen.stream().map(s -> new Machine(s.address(), s.name())).toList())) {
          giveUpAfter(attempt, group, "another launch of this registry took one");
          continue;
        }
        all.addAll(chosen);
      }
      CobblerClaims.Outcome claim = claims.claim(all, deploymentId);
      if (claim.won()) {
        return all;
      }
      reservations.release(deploymentId);
      giveUpAfter(attempt, group, claim.why());
      claims.backOff(claim, all);
    }
  }

  /**
   * The first {@code need} free machines of the group with power management, or why there are not
   * enough.
   */
  private List<MetalSystem> choose(List<MetalSystem> members, int need, String group) {
    Set<String> taken = pool.heldAddresses();
    List<MetalSystem> free = members.stream().filter(s -> pool.isFree(s, taken)).toList();
    List<MetalSystem> usable = free.stream().filter(MetalSystem::hasPower).toList();
    if (usable.size() >= need) {
      return usable.subList(0, need);
    }
    List<String> unpowered =
        free.stream().filter(s -> !s.hasPower()).map(MetalSystem::name).toList();
    if (!unpowered.isEmpty() && usable.size() + unpowered.size() >= need) {
      MetalSystem first = free.stream().filter(s -> !s.hasPower()).findFirst().orElseThrow();
      MetalPool.requirePower(first);
    }
    Set<String> rivals =
        members.stream()
            .flatMap(s -> claims.foreign(s).stream())
            .map(Claim::registryId)
            .collect(Collectors.toCollection(TreeSet::new));
    long inUse = members.stream().filter(s -> claims.foreign(s).isPresent()).count();
    throw MayflyException.badInput(
        "-n: asked for "
            + need
            + " machine(s) of group '"
            + group
            + "' but "
            + usable.size()
            + " of its "
            + members.size()
            + " are free"
            + (unpowered.isEmpty()
                ? ""
                : " ("
                    + unpowered.size()
                    + " more free without power management: "
                    + String.join(", ", unpowered)
                    + ")")
            + (inUse == 0
                ? ""
                : " (" + inUse + " in use by another registry: " + String.join(", ", rivals) + ")")
            + "; nothing was reserved");
  }

  private static void giveUpAfter(int attempt, String group, String why) {
    if (attempt == RESERVE_ATTEMPTS) {
      throw MayflyException.failed(
          "group '"
              + group
              + "': other launches kept taking the free machines (last: "
              + why
              + "); try again");
    }
  }

  /**
   * Sets each machine's profile and turns netboot on, syncs, then power-reboots each: they
   * reinstall.
   */
  void provision(List<MetalSystem> machines, String profile) {
    for (MetalSystem s : machines) {
      cobbler.provision(s.name(), profile);
    }
    cobbler.sync();
    for (MetalSystem s : machines) {
      cobbler.reboot(s.name());
    }
  }

  /**
   * "installed": waits until Cobbler shows netboot off again on every machine (pxe_just_once clears
   * it when the installer finishes), bounded by the target's install-timeout.
   */
  void awaitInstalled(List<MetalSystem> machines, Wait.Watcher watcher) {
    Set<String> names = machines.stream().map(MetalSystem::name).collect(Collectors.toSet());
    Wait.until(
        "installed ("
            + String.join(", ", new TreeSet<>(names))
            + " on target '"
            + settings.target()
            + "')",
        settings.installTimeout(),
        settings.poll(),
        watcher,
        () -> {
          List<String> pending =
              cobbler.systems(settings.groups()).stream()
                  .filter(s -> names.contains(s.name()) && s.netbootEnabled())
                  .map(MetalSystem::name)
                  .sorted()
                  .toList();
          return pending.isEmpty()
              ? Wait.Probe.done(true)
              : Wait.Probe.notYet("still installing: " + String.join(", ", pending));
        });
  }

  /**
   * Frees the deployment's machines: removes its claims, then its reservations; with the target's
   * {@code clean-profile}, they are first set to it and rebooted, so the next user gets a clean
   * machine.
   */
  int release(String deploymentId) {
    List<Reservation> held = reservations.forDeployment(deploymentId);
    if (held.isEmpty()) {
      return 0;
    }
    Set<String> names =
        held.stream().map(Reservation::systemName).collect(Collectors.toCollection(TreeSet::new));
    if (settings.cleanProfile().isPresent()) {
      // a machine another registry holds now (this one's claim was cleared, then the release
      // stopped) stays as is
      List<MetalSystem> machines =
          pool.systems().stream()
              .filter(s -> names.contains(s.name()) && s.hasPower() && claims.foreign(s).isEmpty())
              .toList();
      if (!machines.isEmpty()) {
        provision(machines, settings.cleanProfile().get());
      }
    }
    // the claim goes first: a reservation left behind is the reaper's to finish, a claim left
    // behind would
    // keep the machine from every other registry
    claims.clear(names, deploymentId);
    return reservations.release(deploymentId);
  }
}
