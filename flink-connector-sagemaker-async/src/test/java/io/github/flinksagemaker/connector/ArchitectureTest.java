package io.github.flinksagemaker.connector;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Dependencies between the connector's packages point one way: each stage ({@code submit}, {@code
 * watch}, {@code join}, {@code table}) may use the packages below it, never the reverse, so that a
 * stage can be changed, tested and read without the ones built on it. Sub-packages of one stage
 * (such as {@code watch.reader} and {@code watch.split}) belong to its slice. No frozen exceptions:
 * any violation fails.
 */
class ArchitectureTest {
    private static final String CONNECTOR = "io.github.flinksagemaker.connector";
    private static final String LOCAL = "io.github.flinksagemaker.local";

    private static JavaClasses connector;
    private static JavaClasses local;

    @BeforeAll
    static void importClasses() {
        ClassFileImporter importer =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS);
        connector = importer.importPackages(CONNECTOR);
        local = importer.importPackages(LOCAL);
    }

    @Test
    void theConnectorsPackagesHaveNoCycles() {
        slices().matching(CONNECTOR + ".(*)..").should().beFreeOfCycles().check(connector);
    }

    @Test
    void nothingDependsOnTheOneCallApiInTheRootPackage() {
        // The root package wires every stage together; a stage that used it would close a cycle
        // that the slices above cannot see (root classes belong to no slice).
        noClasses()
                .that()
                .resideInAPackage(CONNECTOR + ".*..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(CONNECTOR)
                .check(connector);
    }

    @Test
    void awsAndS3DependOnNoOtherPackageOfOurs() {
        for (String base : new String[] {"aws", "s3"}) {
            String own = CONNECTOR + "." + base + "..";
            noClasses()
                    .that()
                    .resideInAPackage(own)
                    .should()
                    .dependOnClassesThat(
                            resideInAPackage("io.github.flinksagemaker..")
                                    .and(not(resideInAPackage(own))))
                    .check(connector);
        }
    }

    @Test
    void theTwoCompletionModesShareOnlyTheCompletionPackage() {
        // Listing (watch) and notifications (notification) are alternatives: what both need lives
        // in completion, so either can change without the other.
        String[][] pairs = {{"notification", "watch"}, {"watch", "notification"}};
        for (String[] pair : pairs) {
            noClasses()
                    .that()
                    .resideInAPackage(CONNECTOR + "." + pair[0] + "..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage(CONNECTOR + "." + pair[1] + "..")
                    .check(connector);
        }
    }

    @Test
    void theCompletionTypesDependOnNoStage() {
        noClasses()
                .that()
                .resideInAPackage(CONNECTOR + ".completion..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        CONNECTOR + ".submit..",
                        CONNECTOR + ".watch..",
                        CONNECTOR + ".notification..",
                        CONNECTOR + ".join..",
                        CONNECTOR + ".table..")
                .check(connector);
    }

    @Test
    void theLocalEndpointNeverDependsOnTheConnector() {
        noClasses()
                .that()
                .resideInAPackage(LOCAL + "..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(CONNECTOR + "..")
                .check(local);
    }
}
