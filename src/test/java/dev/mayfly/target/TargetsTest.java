package dev.mayfly.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetsTest {
  private static final Function<String, Set<String>> KNOWN =
      p ->
          switch (p) {
            case "ec2" -> Set.of("region", "endpoint", "image");
            case "local", "ssh" -> Set.of();
            default -> null;
          };

  @TempDir Path home;

  private Path write(String yaml) throws IOException {
    Path file = home.resolve(".config/mayfly/targets.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, yaml);
    return file;
  }

  private MayflyException refused(String yaml) throws IOException {
    write(yaml);
    return assertThrows(
        MayflyException.class, () -> Targets.load(Map.of("HOME", home.toString()), null, KNOWN));
  }

  @Test
  void aNamedTargetGivesItsProviderAndSettings() throws IOException {
    write("targets:\n  aws-dev:\n    provider: ec2\n    region: eu-west-1\n    image: ami-1\n");
    Target t = Targets.load(Map.of("HOME", home.toString()), null, KNOWN).resolve("aws-dev");
    assertEquals("ec2", t.provider());
    assertEquals("eu-west-1", t.settings().get("region"));
    assertEquals("aws-dev", t.settings().get("target"));
    assertTrue(t.origin().endsWith("targets.yaml:3:5"), t.origin());
  }

  @Test
  void xdgConfigHomeAndMayflyTargetsChooseTheFile() throws IOException {
    Path xdg = home.resolve("xdg/mayfly/targets.yaml");
    Files.createDirectories(xdg.getParent());
    Files.writeString(xdg, "targets:\n  x:\n    provider: ssh\n");
    assertEquals(
        xdg,
        Targets.fileFor(
            Map.of("HOME", home.toString(), "XDG_CONFIG_HOME", home.resolve("xdg").toString())));
    assertEquals(
        home.resolve(".config/mayfly/targets.yaml"),
        Targets.fileFor(Map.of("HOME", home.toString())));
    assertEquals(
        Path.of("/etc/t.yaml"),
        Targets.fileFor(Map.of("HOME", home.toString(), "MAYFLY_TARGETS", "/etc/t.yaml")));
    Targets targets =
        Targets.load(
            Map.of("HOME", home.toString(), "XDG_CONFIG_HOME", home.resolve("xdg").toString()),
            null,
            KNOWN);
    assertEquals(List.of("x"), targets.defined().stream().map(Target::name).toList());
  }

  @Test
  void withoutAFileLocalIsBuiltInAndOtherNamesAreProviders() {
    Targets targets = Targets.load(Map.of("HOME", home.toString()), null, KNOWN);
    assertEquals("local", targets.resolve("local").provider());
    assertEquals("ssh", targets.resolve("ssh").provider());
    assertEquals(Map.of(), targets.resolve("ssh").settings());
  }

  @Test
  void ec2UrlIsTheEndpointOfTargetsThatNameNoneAndProfileFlagBeatsAwsProfile() throws IOException {
    write(
        "targets:\n  euca:\n    provider: ec2\n    image: emi-1\n  pinned:\n    provider: ec2\n"
            + "    endpoint: https://compute.example:8773/\n");
    Map<String, String> env =
        Map.of(
            "HOME",
            home.toString(),
            "EC2_URL",
            "https://euca.example:8773/",
            "AWS_PROFILE",
            "from-env");
    Targets targets = Targets.load(env, "from-flag", KNOWN);
    assertEquals("https://euca.example:8773/", targets.resolve("euca").settings().get("endpoint"));
    assertEquals(
        "https://compute.example:8773/", targets.resolve("pinned").settings().get("endpoint"));
    assertEquals("from-flag", targets.resolve("euca").settings().get("profile"));
    assertEquals(
        "from-env", Targets.load(env, null, KNOWN).resolve("euca").settings().get("profile"));
    assertEquals(
        home.resolve(".aws/credentials").toString(),
        targets.resolve("euca").settings().get("credentials-file"));
  }

  @Test
  void mistakesNameFileLineAndColumn() throws IOException {
    assertTrue(
        refused("targets:\n  a:\n    provider: ec2\n    regoin: x\n")
            .getMessage()
            .endsWith(
                "targets.yaml:4:5: targets.a.regoin: unknown setting for provider ec2 (known: endpoint, image, region)"));
    assertTrue(
        refused("targets:\n  a:\n    region: x\n")
            .getMessage()
            .endsWith("targets.yaml:3:5: targets.a: no provider" + " given (e.g. provider: ec2)"));
    assertTrue(
        refused("targets:\n  a:\n    provider: cloudy\n")
            .getMessage()
            .contains("targets.yaml:3:5: targets.a.provider: unknown provider 'cloudy'"));
    assertTrue(
        refused("targets:\n  a:\n    provider: ec2\n    region: [x, y]\n")
            .getMessage()
            .contains("targets.yaml:4:13: targets.a.region: expected a single value"));
    assertTrue(
        refused("targets:\n  local:\n    provider: ec2\n")
            .getMessage()
            .contains("targets.yaml:2:3: targets.local: 'local' is built in"));
    assertTrue(
        refused("targets:\n  a: [\n").getMessage().contains("targets.yaml:3:1: YAML syntax error"));
    assertTrue(
        refused("target:\n  a:\n    provider: ec2\n")
            .getMessage()
            .contains("targets.yaml:1:1: unknown key 'target' (the file has one key: targets)"));
    assertTrue(
        refused("targets:\n  a:\n    provider: ec2\n  a:\n    provider: ssh\n")
            .getMessage()
            .contains("targets.a: defined twice"));
  }

  /** Every provider's target may allow more root folders; the provider never sees the setting. */
  @Test
  void rootPrefixesAddToTheDefaultsForAnyProvider() throws IOException {
    write(
        "targets:\n  a:\n    provider: ec2\n    region: x\n    root-prefixes: [/data, /var/www/]\n"
            + "  b:\n    provider: ssh\n    root-prefixes: /data\n");
    Targets targets = Targets.load(Map.of("HOME", home.toString()), null, KNOWN);
    Target a = targets.resolve("a");
    assertEquals(List.of("/opt", "/srv", "~", "/data", "/var/www"), a.rootPrefixes());
    assertFalse(a.settings().containsKey("root-prefixes"), a.settings().toString());
    assertEquals(List.of("/opt", "/srv", "~", "/data"), targets.resolve("b").rootPrefixes());
    assertEquals(List.of("/opt", "/srv", "~"), targets.resolve("ssh").rootPrefixes());
  }

  @Test
  void aRootPrefixThatIsNoFolderOfItsOwnIsRefusedWhereItWasWritten() throws IOException {
    assertTrue(
        refused("targets:\n  a:\n    provider: ssh\n    root-prefixes: [/]\n")
            .getMessage()
            .endsWith(
                "targets.yaml:4:20: targets.a.root-prefixes: '/' must be an absolute path naming a folder other"
                    + " than /, like /data"));
    assertTrue(
        refused("targets:\n  a:\n    provider: ssh\n    root-prefixes: [/data/../etc]\n")
            .getMessage()
            .contains(
                "targets.yaml:4:20: targets.a.root-prefixes: '/data/../etc' has a '..' segment"));
    assertTrue(
        refused("targets:\n  a:\n    provider: ssh\n    root-prefixes: {x: y}\n")
            .getMessage()
            .contains("targets.yaml:4:20: targets.a.root-prefixes: expected a list, found"));
  }

  /**
   * The installed metaleuca provider names its settings, so a typo is refused where it was written.
   */
  @Test
  void aMetaleucaTargetTakesItsSettingsAndRefusesATypo() throws IOException {
    Function<String, Set<String>> installed =
        dev.mayfly.provider.Providers.installed()::settingNames;
    write(
        "targets:\n  lab:\n    provider: metaleuca\n    url: cobbler.lab\n    user: mayfly\n"
            + "    password-file: ~/.config/mayfly/lab.pw\n    group: web\n    profile: centos8\n");
    Target lab = Targets.load(Map.of("HOME", home.toString()), null, installed).resolve("lab");
    assertEquals("metaleuca", lab.provider());
    assertEquals(
        Map.of(
            "url",
            "cobbler.lab",
            "user",
            "mayfly",
            "password-file",
            "~/.config/mayfly/lab.pw",
            "group",
            "web",
            "profile",
            "centos8"),
        lab.settings());

    write("targets:\n  lab:\n    provider: metaleuca\n    url: cobbler.lab\n    pasword-env: PW\n");
    MayflyException e =
        assertThrows(
            MayflyException.class,
            () -> Targets.load(Map.of("HOME", home.toString()), null, installed));
    assertTrue(
        e.getMessage()
            .contains(
                "targets.yaml:5:5: targets.lab.pasword-env: unknown setting for provider"
                    + " metaleuca (known: "),
        e.getMessage());
    assertTrue(e.getMessage().contains("password-env, password-file"), e.getMessage());
  }
}
