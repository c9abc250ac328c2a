package io.github.flinksagemaker.connector.watch;

import io.github.flinksagemaker.local.LocalSageMakerAsync;

import org.apache.flink.connector.testframe.TestResource;
import org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.junit.annotations.TestContext;
import org.apache.flink.connector.testframe.junit.annotations.TestEnv;
import org.apache.flink.connector.testframe.junit.annotations.TestExternalSystem;
import org.apache.flink.connector.testframe.junit.annotations.TestSemantics;
import org.apache.flink.connector.testframe.testsuites.SourceTestSuiteBase;
import org.apache.flink.core.execution.CheckpointingMode;

import org.junit.jupiter.api.Nested;

/**
 * Flink's connector testing framework against the watch source and the in-process S3: single and
 * multiple splits, savepoint restart, scale up and down, metrics, idle readers and TaskManager
 * failover, each checking the exact records with exactly-once semantics.
 */
class SageMakerAsyncResultSourceITCase {

    /** The in-process S3, started once for all test cases. */
    static final class LocalS3 implements TestResource {
        private LocalSageMakerAsync local;

        @Override
        public void startUp() throws Exception {
            local = LocalSageMakerAsync.builder().start();
        }

        @Override
        public void tearDown() throws Exception {
            local.close();
        }

        LocalSageMakerAsync local() {
            return local;
        }
    }

    @Nested
    class ConnectorTestSuite extends SourceTestSuiteBase<String> {
        @TestEnv MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

        @TestExternalSystem LocalS3 s3 = new LocalS3();

        @TestContext
        ExternalContextFactory<LocalS3SourceContext> contexts =
                testName -> new LocalS3SourceContext(s3.local());

        @TestSemantics CheckpointingMode[] semantics = {CheckpointingMode.EXACTLY_ONCE};
    }
}
