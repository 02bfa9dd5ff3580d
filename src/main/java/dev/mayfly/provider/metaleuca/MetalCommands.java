package dev.mayfly.provider.metaleuca;

import dev.mayfly.provider.ProviderCommands;
import dev.mayfly.provider.ProviderCommands.Args;
import dev.mayfly.provider.ProviderCommands.Command;
import dev.mayfly.provider.ProviderCommands.Listing;
import dev.mayfly.provider.ProviderCommands.Message;
import dev.mayfly.provider.ProviderCommands.Option;
import dev.mayfly.provider.ProviderCommands.Parameter;
import dev.mayfly.provider.ProviderCommands.Result;
import dev.mayfly.provider.ProviderContext;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Metaleuca's command set (profiles, systems, groups, instances, reboot) as {@code mayfly metal}.
 */
final class MetalCommands {
  private static final String FREE = "--free";
  private static final String USER = "--user";

  private MetalCommands() {}

  static ProviderCommands all() {
    return new ProviderCommands(
        "metal",
        "metaleuca",
        "Bare-metal pools through Cobbler (metaleuca targets), with Metaleuca's commands.",
        List.of(
            new Command(
                "profiles",
                "Cobbler profiles machines can be installed with (describe-profiles).",
                List.of(),
                List.of(),
                true,
                MetalCommands::profiles),
            new Command(
                "systems",
                "The pool: systems whose first owner is the target's owner (describe-systems).",
                List.of(),
                List.of(),
                true,
                MetalCommands::systems),
            new Command(
                "groups",
                "Groups of pool machines and how many are free (describe-system-groups).",
                List.of(
                    Option.flag(
                        "-f", FREE, "Only groups with a free machine, listing the free ones.")),
                List.of(),
                true,
                MetalCommands::groups),
            new Command(
                "instances",
                "Reserved machines, pending while they install, then running"
                    + " (describe-instances).",
                List.of(Option.value("-u", USER, "USER", "Only machines this user launched.")),
                List.of(),
                true,
                MetalCommands::instances),
            new Command(
                "reboot",
                "Power-cycle a pool system through Cobbler (reboot-system).",
                List.of(),
                List.of(new Parameter("SYSTEM", "A system name from `mayfly metal systems`.")),
                false,
                MetalCommands::reboot)));
  }

  private static Result profiles(ProviderContext context, Args args) {
    List<MetalProfile> profiles;
    try (MetalPool pool = MetalPool.open(context)) {
      profiles = pool.profiles();
    }
    return new Listing(
        List.of("NAME", "DISTRO", "AUTOINSTALL"),
        profiles.stream().map(p -> row(p.name(), p.distro(), p.autoinstall())).toList(),
        profiles);
  }

  private static Result systems(ProviderContext context, Args args) {
    List<MetalSystem> systems;
    try (MetalPool pool = MetalPool.open(context)) {
      systems = pool.systems();
    }
    return new Listing(
        List.of("NAME", "IP", "MAC", "HOSTNAME", "GROUP", "PROFILE", "NETBOOT", "POWER"),
        systems.stream()
            .map(
                s ->
                    row(
                        s.name(),
                        s.address(),
                        s.mac(),
                        s.hostname(),
                        s.group().orElse(null),
                        s.profile(),
                        s.netbootEnabled(),
                        s.hasPower() ? s.powerType() : null))
            .toList(),
        systems.stream().map(MetalCommands::json).toList());
  }

  private static Result groups(ProviderContext context, Args args) {
    boolean free = args.flag(FREE);
    List<MetalGroup> groups;
    String target;
    try (MetalPool pool = MetalPool.open(context)) {
      groups = pool.groups(free);
      target = pool.target();
    }
    return new Listing(
        List.of("GROUP", "SYSTEMS", "FREE", free ? "FREE SYSTEMS" : "ALL SYSTEMS"),
        groups.stream()
            .map(
                g ->
                    row(
                        g.name(),
                        g.systems().size(),
                        g.free().size(),
                        String.join(",", free ? g.free() : g.systems())))
            .toList(),
        groups,
        free ? "no free machines in target '" + target + "'" : null);
  }

  private static Result instances(ProviderContext context, Args args) {
    List<MetalInstance> instances;
    try (MetalPool pool = MetalPool.open(context)) {
      instances = pool.instances(Optional.ofNullable(args.option(USER)));
    }
    return new Listing(
        List.of("SYSTEM", "IP", "STATE", "DEPLOYMENT", "USER", "PROFILE", "SINCE"),
        instances.stream()
            .map(
                i ->
                    row(
                        i.system(),
                        i.address(),
                        i.state(),
                        i.deploymentId(),
                        i.user(),
                        i.profile(),
                        i.reservedAt()))
            .toList(),
        instances.stream().map(MetalCommands::json).toList());
  }

  private static Result reboot(ProviderContext context, Args args) {
    String system = args.parameters().get(0);
    try (MetalPool pool = MetalPool.open(context)) {
      pool.reboot(system);
    }
    return new Message("rebooted " + system);
  }

  /** A table row; cells may be null. */
  private static List<Object> row(Object... cells) {
    return Arrays.asList(cells);
  }

  private static Map<String, Object> json(MetalSystem s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("ip", s.address());
    m.put("mac", s.mac());
    m.put("hostname", s.hostname());
    m.put("owner", s.owner());
    m.put("group", s.group().orElse(null));
    m.put("profile", s.profile());
    m.put("netbootEnabled", s.netbootEnabled());
    m.put("powerType", s.hasPower() ? s.powerType() : null);
    return m;
  }

  private static Map<String, Object> json(MetalInstance i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("system", i.system());
    m.put("ip", i.address());
    m.put("state", i.state());
    m.put("deployment", i.deploymentId());
    m.put("user", i.user());
    m.put("profile", i.profile());
    m.put("reservedAt", i.reservedAt().toString());
    return m;
  }
}
