package dev.mayfly.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RootPolicyTest {

  @Test
  void aFolderOfItsOwnBelowAPrefixOrInTheHomeHasAGoodShape() {
    for (String root :
        List.of(
            "/opt/open-qa", "/srv/a/b", "~/.mayfly/x-1", "~/app", "/data/site", "/usr/local/x")) {
      assertEquals(Optional.empty(), RootPolicy.problem(root), root);
    }
  }

  @Test
  void theFileSystemRootTopLevelFoldersAndTheHomeItselfAreRefused() {
    for (String root :
        List.of("/", "/etc", "/usr", "/tmp", "/home", "/root", "/var", "/bin", "/opt", "/data")) {
      assertTrue(RootPolicy.problem(RootPolicy.trimmed(root)).isPresent(), root);
    }
    for (String root : List.of("~", "~/", "~user/app", "opt/app", "", "/opt/my app", "/opt/a\tb")) {
      assertTrue(RootPolicy.problem(RootPolicy.trimmed(root)).isPresent(), root);
    }
  }

  @Test
  void dotSegmentsAndEmptySegmentsAreRefused() {
    for (String root :
        List.of(
            "/opt/../etc",
            "/opt/./app",
            "/opt//app",
            "~/../root",
            "~/./x",
            "~//x",
            "/opt/app/..")) {
      assertTrue(RootPolicy.problem(RootPolicy.trimmed(root)).isPresent(), root);
    }
    assertEquals(
        Optional.empty(), RootPolicy.problem("/opt/..app"), "dots inside a name are a name");
  }

  @Test
  void trailingSlashesAreDropped() {
    assertEquals("/opt/app", RootPolicy.trimmed("/opt/app//"));
    assertEquals("/", RootPolicy.trimmed("/"));
  }

  @Test
  void aRootMustLieStrictlyBelowAnAllowedPrefix() {
    List<String> prefixes = RootPolicy.withDefaults(List.of("/data/"));
    assertEquals(List.of("/opt", "/srv", "~", "/data"), prefixes);
    assertTrue(RootPolicy.allowed("/opt/app", prefixes));
    assertTrue(RootPolicy.allowed("/data/www/site", prefixes));
    assertTrue(RootPolicy.allowed("~/.mayfly/qa-1", prefixes));
    assertFalse(RootPolicy.allowed("/optional/app", prefixes), "a prefix is a whole folder name");
    assertFalse(RootPolicy.allowed("/usr/local/app", prefixes));
    assertFalse(RootPolicy.allowed("/var/www/app", RootPolicy.DEFAULT_PREFIXES));
  }

  @Test
  void aPrefixIsAnAbsoluteFolderOtherThanTheFileSystemRoot() {
    assertEquals(Optional.empty(), RootPolicy.prefixProblem("/data"));
    assertEquals(Optional.empty(), RootPolicy.prefixProblem("/var/www/"));
    for (String prefix : List.of("/", "data", "~", "~/x", "/data/../etc", "/a//b", "/my data")) {
      assertTrue(RootPolicy.prefixProblem(prefix).isPresent(), prefix);
    }
  }
}
