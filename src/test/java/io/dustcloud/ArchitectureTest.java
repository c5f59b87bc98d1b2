package io.dustcloud;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.dustcloud.api.archfixture.ApiViolations;
import io.dustcloud.core.archfixture.CoreViolations;
import io.dustcloud.operator.archfixture.ProviderConstructionViolations;
import io.dustcloud.operator.archfixture.WiringViolations;
import io.dustcloud.provider.SpiViolations;
import io.dustcloud.provider.archfixture.ProviderKubernetesViolations;
import io.dustcloud.provider.archfixture.ProviderViolations;
import io.dustcloud.supervisor.archfixture.SupervisorViolations;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Layering: the pure core knows no Kubernetes, SDK, cloud or operator code; providers know no
 * operator SDK or operator code; the provider SPI names no provider; providers and supervisors
 * know nothing of Kubernetes, the CRD, the bindings or the wiring; the CRD classes are plain
 * data; the wiring is used only by the entry points, and only it and the bindings make
 * providers. The rules are checked against main classes, and each is also shown to fail on
 * deliberately bad fixture classes, so a rule that can never fire is caught.
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

  static final ArchRule SPI_NAMES_NO_PROVIDER =
      noClasses()
          .that()
          .resideInAPackage("io.dustcloud.provider")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.dustcloud.provider.gce..", "io.dustcloud.provider.local..")
          .allowEmptyShould(false)
          .because("the SPI is what every provider implements; settings cross it typed by their provider"
              + " (ProviderSettings), not named in it");

  static final ArchRule PROVIDERS_AND_SUPERVISORS_KNOW_NO_KUBERNETES =
      noClasses()
          .that()
          .resideInAnyPackage("io.dustcloud.provider..", "io.dustcloud.supervisor..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.fabric8..",
              "io.javaoperatorsdk..",
              "io.dustcloud.api..",
              "io.dustcloud.operator..",
              "io.dustcloud.binding..",
              "io.dustcloud.wiring..")
          .allowEmptyShould(false)
          .because("providers and supervisors run fleets without Kubernetes; the CRD reaches them only"
              + " through a binding's typed settings");

  static final ArchRule API_IS_PLAIN_DATA =
      noClasses()
          .that()
          .resideInAPackage("io.dustcloud.api..")
          .should()
          .dependOnClassesThat(
              JavaClass.Predicates.resideInAPackage("io.dustcloud..")
                  .and(DescribedPredicate.not(JavaClass.Predicates.resideInAPackage("io.dustcloud.api..")))
                  .or(JavaClass.Predicates.resideInAPackage("io.javaoperatorsdk..")))
          .allowEmptyShould(false)
          .because("the CRD classes are plain data (fabric8 model, Jackson and generator annotations)"
              + " that every other layer may read");

  /**
   * Besides the wiring itself, only the entry points compose the operator: {@code Main} (the
   * command line) and {@code DevMode}, which runs the in-process API server of {@code dustcloud
   * dev} and gets its operator from {@code wiring.DevOperator}.
   */
  static final ArchRule ONLY_ENTRY_POINTS_USE_THE_WIRING =
      noClasses()
          .that()
          .resideOutsideOfPackage("io.dustcloud.wiring..")
          .and()
          .doNotHaveFullyQualifiedName("io.dustcloud.Main")
          .and()
          .doNotHaveFullyQualifiedName("io.dustcloud.dev.DevMode")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.dustcloud.wiring..")
          .allowEmptyShould(false)
          .because("which providers exist and how the operator is composed is decided in one place");

  private static final Set<String> PROVIDERS =
      Set.of("io.dustcloud.provider.gce.GceProvider", "io.dustcloud.provider.local.LocalProvider");

  /** Constructors and the static factory of the providers ({@code GceProvider.create}). */
  private static final DescribedPredicate<JavaCall<?>> MAKES_A_PROVIDER =
      DescribedPredicate.describe("make a GceProvider or LocalProvider", call ->
          PROVIDERS.contains(call.getTargetOwner().getName())
              && (call.getTarget().getName().equals("<init>") || call.getTarget().getName().equals("create")));

  /** The provider packages are exempt because a provider's own factory calls its constructor. */
  static final ArchRule ONLY_WIRING_MAKES_PROVIDERS =
      noClasses()
          .that()
          .resideOutsideOfPackages(
              "io.dustcloud.wiring..",
              "io.dustcloud.binding..",
              "io.dustcloud.provider.gce..",
              "io.dustcloud.provider.local..")
          .should()
          .callCodeUnitWhere(MAKES_A_PROVIDER)
          .allowEmptyShould(false)
          .because("which providers exist is the wiring's decision");

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
  void theSpiNamesNoProvider() {
    SPI_NAMES_NO_PROVIDER.check(main);
  }

  @Test
  void providersAndSupervisorsKnowNoKubernetes() {
    PROVIDERS_AND_SUPERVISORS_KNOW_NO_KUBERNETES.check(main);
  }

  @Test
  void theApiIsPlainData() {
    API_IS_PLAIN_DATA.check(main);
  }

  @Test
  void onlyTheEntryPointsUseTheWiring() {
    ONLY_ENTRY_POINTS_USE_THE_WIRING.check(main);
  }

  @Test
  void onlyTheWiringMakesProviders() {
    ONLY_WIRING_MAKES_PROVIDERS.check(main);
  }

  @Test
  void spiRuleCatchesEachProviderNamed() {
    assertFlagsEveryFixture(SPI_NAMES_NO_PROVIDER, SpiViolations.class);
  }

  @Test
  void kubernetesFreeRuleCatchesEachForbiddenDependency() {
    assertFlagsEveryFixture(PROVIDERS_AND_SUPERVISORS_KNOW_NO_KUBERNETES, ProviderKubernetesViolations.class);
    assertFlagsEveryFixture(PROVIDERS_AND_SUPERVISORS_KNOW_NO_KUBERNETES, SupervisorViolations.class);
  }

  @Test
  void apiRuleCatchesEachForbiddenDependency() {
    assertFlagsEveryFixture(API_IS_PLAIN_DATA, ApiViolations.class);
  }

  @Test
  void wiringRulesCatchEachUseAndEachProviderMade() {
    assertFlagsEveryFixture(ONLY_ENTRY_POINTS_USE_THE_WIRING, WiringViolations.class);
    assertFlagsEveryFixture(ONLY_WIRING_MAKES_PROVIDERS, ProviderConstructionViolations.class);
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
    for (ArchRule rule : List.of(PROVIDERS_KNOW_NO_OPERATOR, SPI_NAMES_NO_PROVIDER,
        PROVIDERS_AND_SUPERVISORS_KNOW_NO_KUBERNETES, API_IS_PLAIN_DATA)) {
      assertThatThrownBy(() -> rule.check(unrelated)).hasMessageContaining("failed to check any classes");
    }
  }
}
