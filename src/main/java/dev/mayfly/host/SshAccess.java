package dev.mayfly.host;

import java.time.Duration;

/**
 * What it takes to log in to a deployment's hosts over SSH.
 *
 * @param connectDeadline how long to keep retrying while a host boots ("ssh open"), then fail
 * @param keepAlive interval of keepalive messages on an open connection
 */
public record SshAccess(
    Identity identity, HostKeys hostKeys, Duration connectDeadline, Duration keepAlive) {
  public static final Duration DEFAULT_CONNECT_DEADLINE = Duration.ofMinutes(3);
  public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(15);

  public SshAccess withConnectDeadline(Duration deadline) {
    return new SshAccess(identity, hostKeys, deadline, keepAlive);
  }
}
