package dev.mayfly;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The packages' layering as rules over the product's classes; test classes are not imported. */
class ArchitectureTest {
  private static final JavaClasses PRODUCT = importProduct();

  @Test
  void cliWiresTheApplicationLayersButNoHostGitOrSdk() {
    classes()
        .that()
        .resideInAPackage("dev.mayfly.cli..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "dev.mayfly",
            "dev.mayfly.cli..",
            "dev.mayfly.deploy..",
            "dev.mayfly.schedule..",
            "dev.mayfly.store..",
            "dev.mayfly.template..",
            "dev.mayfly.target..",
            "dev.mayfly.provider..",
            "java..",
            "picocli..",
            "com.fasterxml.jackson..")
        .because(
            "commands parse, call the application and render; hosts, repos and SDKs sit behind it")
        .check(PRODUCT);
  }

  @Test
  void cliReachesProvidersOnlyThroughTheSpi() {
    noClasses()
        .that()
        .resideInAPackage("dev.mayfly.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.mayfly.provider.(*)..")
        .because("provider-specific commands come through the provider-commands SPI, not an import")
        .check(PRODUCT);
  }

  @Test
  void awsSdkStaysInTheEc2Provider() {
    sdkStaysIn("dev.mayfly.provider.ec2..", "software.amazon.awssdk..");
  }

  @Test
  void sshLibrariesStayInHostSsh() {
    sdkStaysIn("dev.mayfly.host.ssh..", "net.schmizz..", "com.hierynomus..", "org.bouncycastle..");
  }

  @Test
  void jgitStaysInGit() {
    sdkStaysIn("dev.mayfly.git..", "org.eclipse.jgit..", "org.apache.sshd..");
  }

  @Test
  void quartzStaysInSchedule() {
    // db.migration's Quartz tables read Quartz's DDL files as resources, never its classes
    sdkStaysIn("dev.mayfly.schedule..", "org.quartz..");
  }

  @Test
  void testcontainersIsForTestsOnly() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.testcontainers..")
        .check(PRODUCT);
  }

  @Test
  void topLevelPackagesHaveNoCycles() {
    slices().matching("dev.mayfly.(*)..").should().beFreeOfCycles().check(PRODUCT);
  }

  private static JavaClasses importProduct() {
    // the rules look at package names only: reading the SDKs' classes too would cost ~20 s for
    // nothing
    ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
    return new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.mayfly", "db.migration");
  }

  private static void sdkStaysIn(String home, String... sdkPackages) {
    noClasses()
        .that()
        .resideOutsideOfPackage(home)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(sdkPackages)
        .check(PRODUCT);
  }
}
