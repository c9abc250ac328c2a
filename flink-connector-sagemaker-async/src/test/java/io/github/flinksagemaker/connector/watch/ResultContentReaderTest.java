package io.github.flinksagemaker.connector.watch;

import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading a result's object from its location alone, as a one-call result gives it. */
class ResultContentReaderTest {

    @Test
    void readsTheObjectAtAResultLocation() throws Exception {
        InMemoryObjectStore store = new InMemoryObjectStore();
        store.put(S3Location.parse("s3://bucket/out/big.out", "test"), "a large output", 0L);
        try (ResultContentReader reader = ResultContentReader.using(store)) {
            assertThat(new String(reader.read("s3://bucket/out/big.out"), StandardCharsets.UTF_8))
                    .isEqualTo("a large output");
            assertThat(reader.readAsync("s3://bucket/out/big.out").get())
                    .asString(StandardCharsets.UTF_8)
                    .isEqualTo("a large output");
            assertThat(store.getRequests).hasValue(2);
        }
    }

    @Test
    void aMissingObjectIsNamed() {
        try (ResultContentReader reader = ResultContentReader.using(new InMemoryObjectStore())) {
            assertThatThrownBy(() -> reader.read("s3://bucket/out/gone.out"))
                    .isInstanceOf(IOException.class)
                    .hasMessage("Cannot read s3://bucket/out/gone.out")
                    .hasRootCauseMessage("Result object s3://bucket/out/gone.out no longer exists");
        }
    }

    @Test
    void aLocationThatIsNoS3UriIsRefusedBeforeAnyRequest() {
        InMemoryObjectStore store = new InMemoryObjectStore();
        try (ResultContentReader reader = ResultContentReader.using(store)) {
            assertThatThrownBy(() -> reader.read("bucket/out/x.out"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("bucket/out/x.out");
            assertThat(store.getRequests).hasValue(0);
        }
    }
}
