package dev.mayfly.cli;

import dev.mayfly.provider.metaleuca.MetalGroup;
import dev.mayfly.provider.metaleuca.MetalInstance;
import dev.mayfly.provider.metaleuca.MetalPool;
import dev.mayfly.provider.metaleuca.MetalProfile;
import dev.mayfly.provider.metaleuca.MetalSystem;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Metaleuca's command set on a metaleuca target: profiles, systems, groups, instances, reboot. */
@Command(
    name = "metal",
    description = "Bare-metal pools through Cobbler (metaleuca targets), with Metaleuca's commands.",
    subcommands = {
      MetalCommand.Profiles.class, MetalCommand.Systems.class, MetalCommand.Groups.class,
      MetalCommand.Instances.class, MetalCommand.Reboot.class
    })
final class MetalCommand {
  @ParentCommand Main main;

  /** {@code --target}, default the only metaleuca target in the targets file. */
  static final class TargetOption {
    @Option(names = "--target", paramLabel = "TARGET",
        description = "A metaleuca target (default: the only one in the targets file).")
    String target;
  }

  MetalPool open(TargetOption option) {
    return MetalPool.open(main.providerContext(option.target, "metaleuca"));
  }

  @Command(name = "profiles", description = "Cobbler profiles machines can be installed with (describe-profiles).")
  static final class Profiles implements Callable<Integer> {
    @ParentCommand MetalCommand metal;
    @Mixin TargetOption target;
    @Mixin OutputOption output;

    @Override
    public Integer call() {
      List<MetalProfile> profiles;
      try (MetalPool pool = metal.open(target)) {
        profiles = pool.profiles();
      }
      if (output.json()) {
        Json.print(metal.main.out(), profiles);
        return 0;
      }
      Table table = new Table("NAME", "DISTRO", "AUTOINSTALL");
      profiles.forEach(p -> table.row(p.name(), p.distro(), p.autoinstall()));
      table.print(metal.main.out());
      return 0;
    }
  }

  @Command(name = "systems", description = "The pool: systems whose first owner is the target's owner (describe-systems).")
  static final class Systems implements Callable<Integer> {
    @ParentCommand MetalCommand metal;
    @Mixin TargetOption target;
    @Mixin OutputOption output;

    @Override
    public Integer call() {
      List<MetalSystem> systems;
      try (MetalPool pool = metal.open(target)) {
        systems = pool.systems();
      }
      if (output.json()) {
        Json.print(metal.main.out(), systems.stream().map(Systems::json).toList());
        return 0;
      }
      Table table = new Table("NAME", "IP", "MAC", "HOSTNAME", "GROUP", "PROFILE", "NETBOOT", "POWER");
      systems.forEach(s -> table.row(s.name(), s.address(), s.mac(), s.hostname(), s.group().orElse(null),
          s.profile(), s.netbootEnabled(), s.hasPower() ? s.powerType() : null));
      table.print(metal.main.out());
      return 0;
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
  }

  @Command(name = "groups", description = "Groups of pool machines and how many are free (describe-system-groups).")
  static final class Groups implements Callable<Integer> {
    @ParentCommand MetalCommand metal;
    @Mixin TargetOption target;
    @Mixin OutputOption output;

    @Option(names = {"-f", "--free"}, description = "Only groups with a free machine, listing the free ones.")
    boolean free;

    @Override
    public Integer call() {
      List<MetalGroup> groups;
      try (MetalPool pool = metal.open(target)) {
        groups = pool.groups(free);
      }
      if (output.json()) {
        Json.print(metal.main.out(), groups);
        return 0;
      }
      Table table = new Table("GROUP", "SYSTEMS", "FREE", free ? "FREE SYSTEMS" : "ALL SYSTEMS");
      groups.forEach(g -> table.row(g.name(), g.systems().size(), g.free().size(),
          String.join(",", free ? g.free() : g.systems())));
      table.print(metal.main.out());
      return 0;
    }
  }

  @Command(name = "instances", description = "Reserved machines, pending while they install, then running"
      + " (describe-instances).")
  static final class Instances implements Callable<Integer> {
    @ParentCommand MetalCommand metal;
    @Mixin TargetOption target;
    @Mixin OutputOption output;

    @Option(names = {"-u", "--user"}, paramLabel = "USER", description = "Only machines this user launched.")
    String user;

    @Override
    public Integer call() {
      List<MetalInstance> instances;
      try (MetalPool pool = metal.open(target)) {
        instances = pool.instances(Optional.ofNullable(user));
      }
      if (output.json()) {
        Json.print(metal.main.out(), instances.stream().map(Instances::json).toList());
        return 0;
      }
      Table table = new Table("SYSTEM", "IP", "STATE", "DEPLOYMENT", "USER", "PROFILE", "SINCE");
      instances.forEach(i -> table.row(i.system(), i.address(), i.state(), i.deploymentId(), i.user(), i.profile(),
          i.reservedAt()));
      table.print(metal.main.out());
      return 0;
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

  @Command(name = "reboot", description = "Power-cycle a pool system through Cobbler (reboot-system).")
  static final class Reboot implements Callable<Integer> {
    @ParentCommand MetalCommand metal;
    @Mixin TargetOption target;

    @Parameters(paramLabel = "SYSTEM", description = "A system name from `mayfly metal systems`.")
    String system;

    @Override
    public Integer call() {
      try (MetalPool pool = metal.open(target)) {
        pool.reboot(system);
      }
      metal.main.err().println("rebooted " + system);
      return 0;
    }
  }
}
