package io.github.flinksagemaker.connector.join;

import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;

/**
 * The join's tests on RocksDB, which serializes state on every access: every state type goes
 * through its versioned serializer here, not only at checkpoints.
 */
class InferenceResultJoinRocksDbTest extends InferenceResultJoinTest {
    @Override
    StateBackend backend() {
        return new EmbeddedRocksDBStateBackend();
    }
}
