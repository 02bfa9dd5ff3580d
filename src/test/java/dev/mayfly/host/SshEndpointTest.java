package dev.mayfly.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import org.junit.jupiter.api.Test;

class SshEndpointTest {
  @Test
  void portDefaultsTo22AndShortNameLeavesItOut() {
    SshEndpoint e = SshEndpoint.parse("--host", "root@203.0.113.7");
    assertEquals(new SshEndpoint("root", "203.0.113.7", 22), e);
    assertEquals("root@203.0.113.7:22", e.toString());
    assertEquals("root@203.0.113.7", e.shortName());
    assertEquals(e, SshEndpoint.parse("host", e.shortName()));
  }

  @Test
  void explicitPortAndBracketedIpv6AreKept() {
    assertEquals(
        new SshEndpoint("deploy", "qa.example.org", 2222),
        SshEndpoint.parse("--host", "deploy@qa.example.org:2222"));
    SshEndpoint v6 = SshEndpoint.parse("--host", "root@[fd00::5]:2200");
    assertEquals("fd00::5", v6.host());
    assertEquals("[fd00::5]:2200", v6.hostPort());
  }

  @Test
  void badInputNamesTheOptionAndTheValue() {
    for (String bad :
        new String[] {
          "203.0.113.7", "root@", "root@host:99999", "root@host;rm -rf /", "-oProxyCommand=x@h"
        }) {
      MayflyException e =
          assertThrows(MayflyException.class, () -> SshEndpoint.parse("--host", bad));
      assertEquals(MayflyException.Exit.BAD_INPUT, e.exit());
      assertTrue(e.getMessage().startsWith("--host: '" + bad + "'"), e.getMessage());
    }
  }
}
