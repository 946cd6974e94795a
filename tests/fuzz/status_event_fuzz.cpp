// sms.status records as the delivery log folds them.

#include <string>

#include "connectors/delivery/codec.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace ivrcast;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ivrcast::fuzz::quiet_protobuf();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto ev = connectors::delivery::decode_status(fuzz::as_text(data, size));
  if (!ev)
    return 0;
  std::string once = ev->SerializeAsString();
  auto again = connectors::delivery::decode_status(once);
  IVRCAST_FUZZ_CHECK(again);
  return 0;
}
