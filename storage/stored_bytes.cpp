#include "storage/stored_bytes.hpp"

#include <google/protobuf/message_lite.h>

#if defined(__SANITIZE_THREAD__)
// ThreadSanitizer's dynamic annotations (libtsan): reads between the two are not checked.
extern "C" void AnnotateIgnoreReadsBegin(const char* file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char* file, int line);
#endif

namespace ivrcast::storage {

bool parse_stored(const rocksdb::Slice& bytes, google::protobuf::MessageLite& msg) {
#if defined(__SANITIZE_THREAD__)
  AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
#endif
  bool ok = msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
#if defined(__SANITIZE_THREAD__)
  AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
#endif
  return ok;
}

}  // namespace ivrcast::storage
