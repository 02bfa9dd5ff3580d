package dev.mayfly.provider;

import dev.mayfly.host.HostShell;
import dev.mayfly.host.SshAccess;
import dev.mayfly.host.SshEndpoint;
import dev.mayfly.host.ssh.SshShells;

/**
 * The login every SSH-reached provider makes: {@link SshShells#open} retries until the access's
 * connect deadline, and once a first try fails that is a watched wait (a line, then heartbeats).
 * Here rather than in {@code host.ssh}, which cannot see {@link Wait}: the SPI depends on host.
 */
public final class SshLogin {
  private SshLogin() {}

  public static HostShell open(SshEndpoint endpoint, SshAccess access, Wait.Watcher watcher) {
    return Wait.retrying(
        "ssh login to " + endpoint,
        access.connectDeadline(),
        watcher,
        retrying -> SshShells.open(endpoint, access, retrying));
  }
}
