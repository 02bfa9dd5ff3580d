package dev.mayfly.provider.metaleuca;

import dev.mayfly.MayflyException;
import dev.mayfly.provider.ProviderContext;
import dev.mayfly.provider.Wait;
import dev.mayfly.store.Reservations;
import dev.mayfly.store.Reservations.Machine;
import dev.mayfly.store.Reservations.Reservation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A bare-metal pool: the Cobbler systems whose first owner is the target's owner, grouped, with
 * reservations in mayfly's registry and claims in Cobbler ({@link CobblerClaims}): a machine is free when
 * this registry has no reservation on it and no other registry's word is in its comment. Metaleuca's
 * command set (describe-profiles, describe-systems, describe-system-groups, describe-instances,
 * reboot-system) and the steps of run-instances and terminate-instances. Holds a Cobbler login: close it.
 */
public final class MetalPool implements AutoCloseable {
  /** How often a launch picks again after losing a machine to a concurrent launch. */
  private static final int RESERVE_ATTEMPTS = 8;

  private final MetalSettings settings;
  private final CobblerClient cobbler;
  private final CobblerClaims claims;
  private final Reservations reservations;
  private final String user;

  private MetalPool(MetalSettings settings, CobblerClient cobbler, String registryId, Reservations reservations,
      String user) {
    this.settings = settings;
    this.cobbler = cobbler;
    this.claims = new CobblerClaims(cobbler, registryId, settings.claimSettle());
    this.reservations = reservations;
    this.user = user;
  }

  /**
   * Logs in to the target's Cobbler; bad settings or credentials fail here with one line, and so does a
   * context without a registry, before Cobbler is touched.
   */
  public static MetalPool open(ProviderContext context) {
    MetalSettings settings = MetalSettings.parse(context.target(), context.settings(), context.env());
    String registryId = context.registryId().orElseThrow(() -> new MayflyException(MayflyException.Exit.INTERNAL,
        "target '" + settings.target() + "': metaleuca needs mayfly's registry: its reservations live there and its"
            + " id marks the machines a launch takes in Cobbler"));
    Reservations reservations = context.registry().orElseThrow().reservations();
    String user = context.env().getOrDefault("USER", context.env().getOrDefault("LOGNAME", "unknown"));
    return new MetalPool(settings, CobblerClient.login(settings), registryId, reservations, user);
  }

  String target() {
    return settings.target();
  }

  MetalSettings settings() {
    return settings;
  }

  // ---- Metaleuca's describe-* commands

  public List<MetalProfile> profiles() {
    return cobbler.profiles();
  }

  /** The pool: systems whose resolved {@code owners[0]} is the target's owner. */
  public List<MetalSystem> systems() {
    return cobbler.systems(settings.groups()).stream()
        .filter(s -> s.owner().equals(settings.owner()))
        .sorted(java.util.Comparator.comparing(MetalSystem::name))
        .toList();
  }

  /**
   * Groups of the pool with their systems; with {@code freeOnly}, only groups that have a free machine.
   * Machines another registry holds are not free and are named with that registry.
   */
  public List<MetalGroup> groups(boolean freeOnly) {
    Set<String> held = heldAddresses();
    Map<String, List<MetalSystem>> byGroup = new TreeMap<>();
    for (MetalSystem s : systems()) {
      s.group().ifPresent(g -> byGroup.computeIfAbsent(g, k -> new ArrayList<>()).add(s));
    }
    List<MetalGroup> out = new ArrayList<>();
    byGroup.forEach((name, members) -> {
      List<String> free = members.stream().filter(s -> isFree(s, held)).map(MetalSystem::name).toList();
      Map<String, String> foreign = new TreeMap<>();
      members.forEach(s -> claims.foreign(s).ifPresent(c -> foreign.put(s.name(), c.registryId())));
      if (!freeOnly || !free.isEmpty()) {
        out.add(new MetalGroup(name, members.stream().map(MetalSystem::name).toList(), free, foreign));
      }
    });
    return out;
  }

  private boolean isFree(MetalSystem s, Set<String> held) {
    return !held.contains(s.address()) && claims.foreign(s).isEmpty();
  }

  /**
   * Reserved machines, pending while they install and running after, optionally of one user only; without
   * a user, also the machines other registries hold, in state {@code in use by registry ID}.
   */
  public List<MetalInstance> instances(Optional<String> byUser) {
    Map<String, MetalSystem> byName = systems().stream()
        .collect(Collectors.toMap(MetalSystem::name, Function.identity(), (a, b) -> a, LinkedHashMap::new));
    List<MetalInstance> out = new ArrayList<>();
    Set<String> reserved = new TreeSet<>();
    for (Reservation r : reservations.all(settings.pool())) {
      reserved.add(r.systemName());
      if (byUser.isPresent() && !byUser.get().equals(r.reservedBy())) {
        continue;
      }
      MetalSystem s = byName.get(r.systemName());
      String state = s == null ? "unknown" : claims.foreign(s).map(MetalPool::inUse)
          .orElse(s.netbootEnabled() ? "pending" : "running");
      out.add(new MetalInstance(r.systemName(), r.address(), r.deploymentId(), r.reservedBy(), state,
          s == null ? "" : s.profile(), r.reservedAt()));
    }
    if (byUser.isEmpty()) {
      byName.values().stream().filter(s -> !reserved.contains(s.name())).forEach(s -> claims.foreign(s).ifPresent(c ->
          out.add(new MetalInstance(s.name(), s.address(), c.deploymentId(), "", inUse(c), s.profile(), c.at()))));
    }
    return out;
  }

  private static String inUse(Claim c) {
    return "in use by registry " + c.registryId();
  }

  /** Power-cycles one pool system through Cobbler's power management. */
  public void reboot(String systemName) {
    MetalSystem s = systems().stream().filter(x -> x.name().equals(systemName)).findFirst()
        .orElseThrow(() -> MayflyException.badInput("system '" + systemName + "' is not in the pool of owner '"
            + settings.owner() + "' on target '" + settings.target() + "' (see `mayfly metal systems`)"));
    claims.foreign(s).ifPresent(c -> {
      throw MayflyException.wrongState("system '" + s.name() + "' is " + inUse(c) + " (deployment '"
          + c.deploymentId() + "'): mayfly will not reboot it");
    });
    requirePower(s);
    cobbler.reboot(s.name());
  }

  private void requirePower(MetalSystem s) {
    if (!s.hasPower()) {
      throw MayflyException.badInput("system '" + s.name() + "' (" + s.address() + ") has no power management"
          + " (power_type is empty in Cobbler): mayfly cannot reboot it");
    }
  }

  // ---- run-instances, in steps the provider calls

  /**
   * Holds {@code count} free machines of {@code group} for the deployment, all or none, after checking
   * the profile and group exist: reserved in the registry, then claimed in Cobbler. Machines the deployment
   * holds already count (a retried launch).
   */
  List<MetalSystem> reserve(String deploymentId, int count, String group, String profile) {
    Set<String> profiles = profiles().stream().map(MetalProfile::name).collect(Collectors.toCollection(TreeSet::new));
    if (!profiles.contains(profile)) {
      throw MayflyException.badInput("--profile: unknown profile '" + profile + "' on target '" + settings.target()
          + "' (known: " + String.join(", ", profiles) + ")");
    }
    for (int attempt = 1; ; attempt++) {
      List<MetalSystem> pool = systems();
      Set<String> groups = pool.stream().flatMap(s -> s.group().stream()).collect(Collectors.toCollection(TreeSet::new));
      if (!groups.contains(group)) {
        throw MayflyException.badInput("--group: unknown group '" + group + "' on target '" + settings.target()
            + "' (known: " + (groups.isEmpty() ? "none" : String.join(", ", groups)) + ")");
      }
      List<MetalSystem> members = pool.stream().filter(s -> s.group().filter(group::equals).isPresent()).toList();
      Set<String> mine = reservations.forDeployment(deploymentId).stream().map(Reservation::address)
          .collect(Collectors.toSet());
      List<MetalSystem> held = members.stream().filter(s -> mine.contains(s.address())).toList();
      int need = count - held.size();
      List<MetalSystem> all = new ArrayList<>(held.subList(0, Math.min(count, held.size())));
      if (need > 0) {
        List<MetalSystem> chosen = choose(members, need, group);
        if (!reservations.reserve(settings.pool(), settings.target(), claims.registryId(), deploymentId, user,
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

  /** The first {@code need} free machines of the group with power management, or why there are not enough. */
  private List<MetalSystem> choose(List<MetalSystem> members, int need, String group) {
    Set<String> taken = heldAddresses();
    List<MetalSystem> free = members.stream().filter(s -> isFree(s, taken)).toList();
    List<MetalSystem> usable = free.stream().filter(MetalSystem::hasPower).toList();
    if (usable.size() >= need) {
      return usable.subList(0, need);
    }
    List<String> unpowered = free.stream().filter(s -> !s.hasPower()).map(MetalSystem::name).toList();
    if (!unpowered.isEmpty() && usable.size() + unpowered.size() >= need) {
      MetalSystem first = free.stream().filter(s -> !s.hasPower()).findFirst().orElseThrow();
      requirePower(first);
    }
    Set<String> rivals = members.stream().flatMap(s -> claims.foreign(s).stream()).map(Claim::registryId)
        .collect(Collectors.toCollection(TreeSet::new));
    long inUse = members.stream().filter(s -> claims.foreign(s).isPresent()).count();
    throw MayflyException.badInput("-n: asked for " + need + " machine(s) of group '" + group + "' but "
        + usable.size() + " of its " + members.size() + " are free" + (unpowered.isEmpty() ? ""
        : " (" + unpowered.size() + " more free without power management: " + String.join(", ", unpowered) + ")")
        + (inUse == 0 ? "" : " (" + inUse + " in use by another registry: " + String.join(", ", rivals) + ")")
        + "; nothing was reserved");
  }

  private static void giveUpAfter(int attempt, String group, String why) {
    if (attempt == RESERVE_ATTEMPTS) {
      throw MayflyException.failed("group '" + group + "': other launches kept taking the free machines (last: "
          + why + "); try again");
    }
  }

  private Set<String> heldAddresses() {
    return reservations.all(settings.pool()).stream().map(Reservation::address).collect(Collectors.toSet());
  }

  /** Sets each machine's profile and turns netboot on, syncs, then power-reboots each: they reinstall. */
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
   * "installed": waits until Cobbler shows netboot off again on every machine (pxe_just_once clears it
   * when the installer finishes), bounded by the target's install-timeout.
   */
  void awaitInstalled(List<MetalSystem> machines) {
    Set<String> names = machines.stream().map(MetalSystem::name).collect(Collectors.toSet());
    Wait.until("installed (" + String.join(", ", new TreeSet<>(names)) + " on target '" + settings.target() + "')",
        settings.installTimeout(), settings.poll(), () -> {
          List<String> pending = cobbler.systems(settings.groups()).stream()
              .filter(s -> names.contains(s.name()) && s.netbootEnabled())
              .map(MetalSystem::name).sorted().toList();
          return pending.isEmpty() ? Wait.Probe.done(true)
              : Wait.Probe.notYet("still installing: " + String.join(", ", pending));
        });
  }

  /** What the deployment holds, as Cobbler describes it now. */
  List<Reservation> held(String deploymentId) {
    return reservations.forDeployment(deploymentId);
  }

  /**
   * Frees the deployment's machines: removes its claims, then its reservations; with the target's
   * {@code clean-profile}, they are first set to it and rebooted, so the next user gets a clean machine.
   */
  int release(String deploymentId) {
    List<Reservation> held = reservations.forDeployment(deploymentId);
    if (held.isEmpty()) {
      return 0;
    }
    Set<String> names = held.stream().map(Reservation::systemName).collect(Collectors.toCollection(TreeSet::new));
    if (settings.cleanProfile().isPresent()) {
      // a machine another registry holds now (this one's claim was cleared, then the release stopped) stays as is
      List<MetalSystem> machines = systems().stream()
          .filter(s -> names.contains(s.name()) && s.hasPower() && claims.foreign(s).isEmpty()).toList();
      if (!machines.isEmpty()) {
        provision(machines, settings.cleanProfile().get());
      }
    }
    // the claim goes first: a reservation left behind is the reaper's to finish, a claim left behind would
    // keep the machine from every other registry
    claims.clear(names, deploymentId);
    return reservations.release(deploymentId);
  }

  @Override
  public void close() {
    cobbler.close();
  }
}
