package dev.mayfly.provider.metaleuca;

import java.util.List;

/** A group of pool machines and which of them are free (not reserved by any deployment). */
public record MetalGroup(String name, List<String> systems, List<String> free) {}
