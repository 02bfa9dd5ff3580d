package dev.mayfly.provider;

import java.util.List;
import java.util.Map;

/**
 * What a launch got from the backend: the hosts that came up and, for each one that did not, why.
 * Partial failure is data (as jclouds' {@code RunNodesException} carried it), so the caller decides
 * what to keep; every host in either list carries the deployment id, so the reaper can find it.
 *
 * @param failed host id (or a slot name such as {@code host-3}) to why it did not come up
 */
public record Launched(List<Host> hosts, Map<String, String> failed) {
  public Launched {
    hosts = List.copyOf(hosts);
    failed = Map.copyOf(failed);
  }

  /** Every host came up. */
  public static Launched all(List<Host> hosts) {
    return new Launched(hosts, Map.of());
  }

  public boolean complete() {
    return failed.isEmpty();
  }
}
