package io.github.flinksagemaker.connector.s3;

import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Deletes wait for their checkpoint, and what S3 refuses is reported as failed, not deleted. */
class CheckpointedDeleterTest {

    @Test
    void countsKeysS3ReportsItCouldNotDeleteAsFailed() throws Exception {
        InMemoryObjectStore store = new InMemoryObjectStore();
        S3Location kept = new S3Location("b", "kept");
        S3Location gone = new S3Location("b", "gone");
        store.put(kept, "x", 1L);
        store.put(gone, "y", 1L);
        store.refuseDelete(kept);
        AtomicInteger deleted = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        CheckpointedDeleter deleter =
                new CheckpointedDeleter(
                        store,
                        new CheckpointedDeleter.Listener() {
                            @Override
                            public void deleted(int objects) {
                                deleted.addAndGet(objects);
                            }

                            @Override
                            public void failed(int objects) {
                                failed.addAndGet(objects);
                            }
                        });

        deleter.add(kept);
        deleter.add(gone);
        deleter.checkpointComplete(1L);
        assertThat(deleted.get()).as("nothing before its checkpoint").isZero();

        deleter.snapshot(2L);
        assertThat(deleter.pending()).isEqualTo(2);
        deleter.checkpointComplete(2L);

        assertThat(deleted.get()).isEqualTo(1);
        assertThat(failed.get()).isEqualTo(1);
        assertThat(store.contains(kept)).isTrue();
        assertThat(store.contains(gone)).isFalse();
        assertThat(deleter.pending()).isZero();
    }

    @Test
    void objectsStayUntilTheOldestRetainedCheckpointCoversThem() throws Exception {
        InMemoryObjectStore store = new InMemoryObjectStore();
        S3Location result = new S3Location("b", "result");
        store.put(result, "x", 1L);
        CheckpointedDeleter deleter =
                new CheckpointedDeleter(
                        store,
                        new CheckpointedDeleter.Listener() {
                            @Override
                            public void deleted(int objects) {}

                            @Override
                            public void failed(int objects) {}
                        },
                        3);

        deleter.add(result);
        deleter.snapshot(5L);
        deleter.checkpointComplete(5L);
        deleter.snapshot(6L);
        deleter.checkpointComplete(6L);
        // Three are retained: the third may be one taken before the object was used, and a
        // restore from it would need the object.
        assertThat(store.contains(result)).isTrue();

        deleter.snapshot(7L);
        deleter.checkpointComplete(7L);
        // Retained now: 5, 6 and 7, all taken after the object was used.
        assertThat(store.contains(result)).isFalse();
    }

    /** A finished job sends its last deletes on its final checkpoint, right before closing. */
    @Test
    void closingWaitsForTheDeletesAlreadySent() throws Exception {
        InMemoryObjectStore store = new InMemoryObjectStore();
        S3Location last = new S3Location("b", "last-result");
        store.put(last, "x", 1L);
        store.delayDeletes(300);
        CheckpointedDeleter deleter =
                new CheckpointedDeleter(
                        store,
                        new CheckpointedDeleter.Listener() {
                            @Override
                            public void deleted(int objects) {}

                            @Override
                            public void failed(int objects) {}
                        });

        deleter.add(last);
        deleter.snapshot(1L);
        deleter.checkpointComplete(1L);
        deleter.close();

        assertThat(store.deletesUnansweredAtClose.get()).isZero();
        assertThat(store.contains(last)).isFalse();
    }
}
