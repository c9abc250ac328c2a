package io.github.flinksagemaker.connector;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
import static com.tngtech.archunit.core.domain.properties.HasParameterTypes.Predicates.rawParameterTypes;
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

    private static final DescribedPredicate<List<JavaClass>> WITHOUT_EXECUTOR =
            DescribedPredicate.describe(
                    "no Executor parameter",
                    types -> types.stream().noneMatch(type -> type.isAssignableTo(Executor.class)));

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

    /**
     * An async stage without an executor runs on the common pool, which on a machine of one or two
     * cores (a 1-vCPU Managed Flink KPU) has no threads and starts a new thread per task instead.
     * Every such stage names its executor; completing a future on the SDK's threads is fine. The
     * JDK's {@code HttpClient.sendAsync} is such a stage inside: it hands every response to the
     * common pool (the local endpoint's notifications started 20,000 threads a run that way).
     */
    @Test
    void noAsyncStageRunsWithoutAnExecutor() {
        ArchRule rule =
                noClasses()
                        .should()
                        .callMethodWhere(
                                target(owner(assignableTo(CompletableFuture.class)))
                                        .and(target(nameMatching(".*Async")))
                                        .and(target(rawParameterTypes(WITHOUT_EXECUTOR))))
                        .orShould()
                        .callMethod(
                                CompletableFuture.class,
                                "delayedExecutor",
                                long.class,
                                TimeUnit.class)
                        .orShould()
                        .callMethodWhere(
                                target(owner(assignableTo(HttpClient.class)))
                                        .and(target(nameMatching("sendAsync"))))
                        .because("the common pool starts a thread per task on one or two cores");
        rule.check(connector);
        rule.check(local);
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
