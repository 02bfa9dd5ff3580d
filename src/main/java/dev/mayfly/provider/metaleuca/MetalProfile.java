package dev.mayfly.provider.metaleuca;

/** A Cobbler profile: what a machine is reinstalled with. */
public record MetalProfile(String name, String distro, String autoinstall) {}
