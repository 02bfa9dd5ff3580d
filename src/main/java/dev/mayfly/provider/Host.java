package dev.mayfly.provider;

import java.util.Map;
import java.util.Optional;

/**
 * One machine of a deployment.
 *
 * @param id stable within the deployment (an instance id, a system name, {@code host-1})
 * @param address where its service answers, for health checks and the URL
 * @param ports template port name to the port it answers on there
 * @param root where the deployment lives on it, when the provider decides that; else the template
 *     does
 */
public record Host(String id, String address, Map<String, Integer> ports, Optional<String> root) {}
