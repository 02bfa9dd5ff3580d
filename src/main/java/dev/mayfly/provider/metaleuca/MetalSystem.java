package dev.mayfly.provider.metaleuca;

import java.util.List;
import java.util.Optional;

/**
 * A Cobbler system as mayfly sees it, owners resolved.
 *
 * @param address the ip_address of its first interface that has one: what identifies a machine
 * @param owner {@code owners[0]}, resolved through {@code <<inherit>>}
 * @param group from the target's group source; empty when the machine is in none
 * @param netbootEnabled true while it installs (pending); Cobbler's pxe_just_once clears it at the
 *     end
 * @param powerType empty when the machine has no power management
 * @param claims the registries' words in its comment: who holds it
 */
public record MetalSystem(
    String name,
    String address,
    String mac,
    String hostname,
    String profile,
    String owner,
    Optional<String> group,
    boolean netbootEnabled,
    String powerType,
    List<Claim> claims) {

  public boolean hasPower() {
    return !powerType.isBlank();
  }
}
