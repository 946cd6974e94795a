#pragma once

#include <rocksdb/slice.h>

namespace google::protobuf {
class MessageLite;
}

namespace ivrcast::storage {

/// Parses `msg` straight from bytes RocksDB owns (an iterator's value, a pinned slice), with no
/// copy. Every such read goes through here because RocksDB, built without ThreadSanitizer,
/// publishes a memtable entry written by another thread through atomics TSan cannot see: under
/// TSan the reads of this parse are not checked (its writes into `msg` still are).
[[nodiscard]] bool parse_stored(const rocksdb::Slice& bytes, google::protobuf::MessageLite& msg);

/// The same, merged into `msg` as it is (no Clear first): for a caller that clears it in a way
/// that keeps its sub-messages' allocations.
[[nodiscard]] bool merge_stored(const rocksdb::Slice& bytes, google::protobuf::MessageLite& msg);

}  // namespace ivrcast::storage
