// call.events records (key = call id, value = CallEvent) and call.commands values, as the IVR
// and the gateway decode them. What decodes must survive its own encoding unchanged.

#include <string>

#include "connectors/gateway/codec.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace ivrcast;
using connectors::gateway::decode_command;
using connectors::gateway::decode_event;
using connectors::gateway::encode;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ivrcast::fuzz::quiet_protobuf();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [key, value] = fuzz::split_at_nul(fuzz::as_text(data, size));
  if (auto ev = decode_event(key, value, 7)) {
    std::string once;
    encode(*ev, once);
    auto again = decode_event(key, once, 7);
    IVRCAST_FUZZ_CHECK(again);
    std::string twice;
    encode(*again, twice);
    IVRCAST_FUZZ_CHECK(once == twice);
  }
  if (auto cmd = decode_command(value)) {
    std::string once;
    encode(*cmd, once);
    auto again = decode_command(once);
    IVRCAST_FUZZ_CHECK(again);
    std::string twice;
    encode(*again, twice);
    IVRCAST_FUZZ_CHECK(once == twice);
  }
  return 0;
}
