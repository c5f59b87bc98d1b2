package io.dustcloud;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.dustcloud.core.archfixture.CoreViolations;
import io.dustcloud.provider.archfixture.ProviderViolations;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Layering: the pure core knows no Kubernetes, SDK, cloud or operator code; providers know no
 * operator SDK or operator code. The rules are checked against main classes, and each is also
 * shown to fail on deliberately bad fixture classes, so a rule that can never fire is caught.
 */
class ArchitectureTest {
  static final ArchRule CORE_IS_PURE =
      noClasses()
          .that()
          .resideInAPackage("io.dustcloud.core..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.fabric8..",
              "io.javaoperatorsdk..",
              "com.google..",
              "io.dustcloud.api..",
              "io.dustcloud.operator..",
              "io.dustcloud.provider..",
              "io.dustcloud.supervisor..",
              "io.dustcloud.dev..")
          .allowEmptyShould(false)
          .because("io.dustcloud.core holds pure rules that must be testable without Kubernetes or a cloud");

  static final ArchRule PROVIDERS_KNOW_NO_OPERATOR =
      noClasses()
          .that()
          .resideInAPackage("io.dustcloud.provider..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.javaoperatorsdk..", "io.dustcloud.operator..")
          .allowEmptyShould(false)
          .because("providers are driven by the operator, never the other way round");

  static JavaClasses main;

  @BeforeAll
  static void importMain() {
    main =
        new ClassFileImporter()
            .withImportOption(new ImportOption.DoNotIncludeTests())
            .withImportOption(new ImportOption.DoNotIncludeJars())
            .importPackages("io.dustcloud");
  }

  @Test
  void importsMainClassesOnly() {
    assertThat(main.containPackage("io.dustcloud.core.rollout")).isTrue();
    assertThat(main.containPackage("io.dustcloud.provider.local")).isTrue();
    assertThat(main.stream().map(c -> c.getName()))
        .doesNotContain(ArchitectureTest.class.getName(), CoreViolations.class.getName());
  }

  @Test
  void coreDependsOnNothingButTheJdk() {
    CORE_IS_PURE.check(main);
  }

  @Test
  void providersDoNotDependOnTheOperator() {
    PROVIDERS_KNOW_NO_OPERATOR.check(main);
  }

  @Test
  void coreRuleCatchesEachForbiddenDependency() {
    assertFlagsEveryFixture(CORE_IS_PURE, CoreViolations.class);
  }

  @Test
  void providerRuleCatchesEachForbiddenDependency() {
    assertFlagsEveryFixture(PROVIDERS_KNOW_NO_OPERATOR, ProviderViolations.class);
  }

  /** Each nested class of {@code fixtures} breaks {@code rule} once; each must be reported. */
  private static void assertFlagsEveryFixture(ArchRule rule, Class<?> fixtures) {
    JavaClasses bad = new ClassFileImporter().importClasses(fixtures.getNestMembers());
    var result = rule.evaluate(bad);
    assertThat(result.hasViolation()).isTrue();
    String report = result.getFailureReport().toString();
    for (Class<?> c : fixtures.getNestMembers()) {
      if (c != fixtures) {
        assertThat(report).as("violation of %s reported", c.getSimpleName()).contains(c.getName());
      }
    }
  }

  @Test
  void rulesRefuseToPassVacuously() {
    // a typo in a package name would make a rule match nothing and pass forever
    JavaClasses unrelated = new ClassFileImporter().importClasses(ArchitectureTest.class);
    assertThatThrownBy(() -> CORE_IS_PURE.check(unrelated)).hasMessageContaining("failed to check any classes");
    assertThatThrownBy(() -> PROVIDERS_KNOW_NO_OPERATOR.check(unrelated))
        .hasMessageContaining("failed to check any classes");
  }
}
