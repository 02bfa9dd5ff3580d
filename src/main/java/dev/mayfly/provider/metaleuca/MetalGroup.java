package dev.mayfly.provider.metaleuca;

import java.util.List;
import java.util.Map;

/**
 * A group of pool machines and which of them are free (not reserved by any deployment).
 *
 * @param foreign the machines another registry holds (its word is in their Cobbler comment), with
 *     its id
 */
public record MetalGroup(
    String name, List<String> systems, List<String> free, Map<String, String> foreign) {}
