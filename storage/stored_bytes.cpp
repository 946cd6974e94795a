#include "storage/stored_bytes.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/message_lite.h>

#if defined(__SANITIZE_THREAD__)
// ThreadSanitizer's dynamic annotations (libtsan): reads between the two are not checked.
extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);
#endif

namespace ivrcast::storage {

namespace {

template <class Read>
bool without_tsan_reads(const Read& read) {
#if defined(__SANITIZE_THREAD__)
  AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
#endif
  bool ok = read();
#if defined(__SANITIZE_THREAD__)
  AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
#endif
  return ok;
}

}  // namespace

bool parse_stored(const rocksdb::Slice& bytes, google::protobuf::MessageLite& msg) {
  return without_tsan_reads(
      [&] { return msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())); });
}

bool merge_stored(const rocksdb::Slice& bytes, google::protobuf::MessageLite& msg) {
  return without_tsan_reads([&] {
    google::protobuf::io::CodedInputStream in{reinterpret_cast<const uint8_t*>(bytes.data()),
                                              static_cast<int>(bytes.size())};
    return msg.MergeFromCodedStream(&in) && in.ConsumedEntireMessage();
  });
}

}  // namespace ivrcast::storage
