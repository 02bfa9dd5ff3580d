package dev.mayfly.provider.metaleuca;

import dev.mayfly.MayflyException;
import dev.mayfly.provider.ProviderContext;
import dev.mayfly.store.Reservations;
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
 * reservations in mayfly's registry and claims in Cobbler ({@link CobblerClaims}): a machine is
 * free when this registry has no reservation on it and no other registry's word is in its comment.
 * Metaleuca's command set (describe-profiles, describe-systems, describe-system-groups,
 * describe-instances, reboot-system); the steps of run-instances and terminate-instances are its
 * {@link MetalProvisioning}. Holds a Cobbler login: close it.
 */
public final class MetalPool implements AutoCloseable {
  private final MetalSettings settings;
  private final CobblerClient cobbler;
  private final CobblerClaims claims;
  private final Reservations reservations;
  private final MetalProvisioning provisioning;

  private MetalPool(
      MetalSettings settings,
      CobblerClient cobbler,
      String registryId,
      Reservations reservations,
      String user) {
    this.settings = settings;
    this.cobbler = cobbler;
    this.claims = new CobblerClaims(cobbler, registryId, settings.claimSettle());
    this.reservations = reservations;
    this.provisioning = new MetalProvisioning(this, cobbler, claims, reservations, user);
  }

  /**
   * Logs in to the target's Cobbler; bad settings or credentials fail here with one line, and so
   * does a context without a registry, before Cobbler is touched.
   */
  public static MetalPool open(ProviderContext context) {
    MetalSettings settings =
        MetalSettings.parse(context.target(), context.settings(), context.env());
    String registryId =
        context
            .registryId()
            .orElseThrow(
                () ->
                    new MayflyException(
                        MayflyException.Exit.INTERNAL,
                        "target '"
                            + settings.target()
                            + "': metaleuca needs mayfly's registry: its reservations live there and its"
                            + " id marks the machines a launch takes in Cobbler"));
    Reservations reservations = context.registry().orElseThrow().reservations();
    // who launched, for `metal instances`: cron, sudo and containers often set neither variable,
    // while the JVM always knows the account it runs as
    String user =
        context
            .env()
            .getOrDefault(
                "USER",
                context.env().getOrDefault("LOGNAME", System.getProperty("user.name", "unknown")));
    return new MetalPool(settings, CobblerClient.login(settings), registryId, reservations, user);
  }

  String target() {
    return settings.target();
  }

  MetalSettings settings() {
    return settings;
  }

  /** The steps of run-instances and terminate-instances. */
  MetalProvisioning provisioning() {
    return provisioning;
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
   * Groups of the pool with their systems; with {@code freeOnly}, only groups that have a free
   * machine. Machines another registry holds are not free and are named with that registry.
   */
  public List<MetalGroup> groups(boolean freeOnly) {
    Set<String> held = heldAddresses();
    Map<String, List<MetalSystem>> byGroup = new TreeMap<>();
    for (MetalSystem s : systems()) {
      s.group().ifPresent(g -> byGroup.computeIfAbsent(g, k -> new ArrayList<>()).add(s));
    }
    List<MetalGroup> out = new ArrayList<>();
    byGroup.forEach(
        (name, members) -> {
          List<String> free =
              members.stream().filter(s -> isFree(s, held)).map(MetalSystem::name).toList();
          Map<String, String> foreign = new TreeMap<>();
          members.forEach(
              s -> claims.foreign(s).ifPresent(c -> foreign.put(s.name(), c.registryId())));
          if (!freeOnly || !free.isEmpty()) {
            out.add(
                new MetalGroup(
                    name, members.stream().map(MetalSystem::name).toList(), free, foreign));
          }
        });
    return out;
  }

  boolean isFree(MetalSystem s, Set<String> held) {
    return !held.contains(s.address()) && claims.foreign(s).isEmpty();
  }

  /**
   * Reserved machines, pending while they install and running after, optionally of one user only;
   * without a user, also the machines other registries hold, in state {@code in use by registry
   * ID}.
   */
  public List<MetalInstance> instances(Optional<String> byUser) {
    Map<String, MetalSystem> byName =
        systems().stream()
            .collect(
                Collectors.toMap(
                    MetalSystem::name, Function.identity(), (a, b) -> a, LinkedHashMap::new));
    List<MetalInstance> out = new ArrayList<>();
    Set<String> reserved = new TreeSet<>();
    for (Reservation r : reservations.all(settings.pool())) {
      reserved.add(r.systemName());
      if (byUser.isPresent() && !byUser.get().equals(r.reservedBy())) {
        continue;
      }
      MetalSystem s = byName.get(r.systemName());
      String state =
          s == null
              ? "unknown"
              : claims
                  .foreign(s)
                  .map(MetalPool::inUse)
                  .orElse(s.netbootEnabled() ? "pending" : "running");
      out.add(
          new MetalInstance(
              r.systemName(),
              r.address(),
              r.deploymentId(),
              r.reservedBy(),
              state,
              s == null ? "" : s.profile(),
              r.reservedAt()));
    }
    if (byUser.isEmpty()) {
      byName.values().stream()
          .filter(s -> !reserved.contains(s.name()))
          .forEach(
              s ->
                  claims
                      .foreign(s)
                      .ifPresent(
                          c ->
                              out.add(
                                  new MetalInstance(
                                      s.name(),
                                      s.address(),
                                      c.deploymentId(),
                                      "",
                                      inUse(c),
                                      s.profile(),
                                      c.at()))));
    }
    return out;
  }

  private static String inUse(Claim c) {
    return "in use by registry " + c.registryId();
  }

  /** Power-cycles one pool system through Cobbler's power management. */
  public void reboot(String systemName) {
    MetalSystem s =
        systems().stream()
            .filter(x -> x.name().equals(systemName))
            .findFirst()
            .orElseThrow(
                () ->
                    MayflyException.badInput(
                        "system '"
                            + systemName
                            + "' is not in the pool of owner '"
                            + settings.owner()
                            + "' on target '"
                            + settings.target()
                            + "' (see `mayfly metal systems`)"));
    claims
        .foreign(s)
        .ifPresent(
            c -> {
              throw MayflyException.wrongState(
                  "system '"
                      + s.name()
                      + "' is "
                      + inUse(c)
                      + " (deployment '"
                      + c.deploymentId()
                      + "'): mayfly will not reboot it");
            });
    requirePower(s);
    cobbler.reboot(s.name());
  }

  static void requirePower(MetalSystem s) {
    if (!s.hasPower()) {
      throw MayflyException.badInput(
          "system '"
              + s.name()
              + "' ("
              + s.address()
              + ") has no power management"
              + " (power_type is empty in Cobbler): mayfly cannot reboot it");
    }
  }

  Set<String> heldAddresses() {
    return reservations.all(settings.pool()).stream()
        .map(Reservation::address)
        .collect(Collectors.toSet());
  }

  @Override
  public void close() {
    cobbler.close();
  }
}
