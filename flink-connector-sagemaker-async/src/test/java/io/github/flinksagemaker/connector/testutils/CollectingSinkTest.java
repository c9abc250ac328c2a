package io.github.flinksagemaker.connector.testutils;

import org.apache.flink.api.connector.sink2.SinkWriter;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A test's sink starts empty, whatever was collected before under the same name. */
class CollectingSinkTest {

    @Test
    void aSinkOfANameUsedBeforeStartsEmpty() throws Exception {
        CollectingSink<String> earlier = new CollectingSink<>("results");
        try (SinkWriter<String> writer = earlier.createWriter(null)) {
            writer.write("an earlier test's record", null);
        }

        CollectingSink<String> later = new CollectingSink<>("results");
        try (SinkWriter<String> writer = later.createWriter(null)) {
            writer.write("this test's record", null);
        }

        assertThat(later.collected()).containsExactly("this test's record");
        assertThat(earlier.collected()).containsExactly("an earlier test's record");
    }

    @Test
    void aCheckpointedSinkOfANameUsedBeforeStartsEmpty() throws Exception {
        CheckpointedCollectingSink<String> earlier = new CheckpointedCollectingSink<>("results");
        try (SinkWriter<String> writer = earlier.createWriter(null)) {
            writer.write("an earlier test's record", null);
        }

        CheckpointedCollectingSink<String> later = new CheckpointedCollectingSink<>("results");

        assertThat(later.collected()).isEmpty();
    }
}
