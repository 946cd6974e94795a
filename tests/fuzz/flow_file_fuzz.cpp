// A flow file (config/flows.example.json's shape) as `ivrcast publish` reads it. A file that
// validates must give the same versions when read again.

#include <string>

#include "connectors/control/flow_file.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string json{ivrcast::fuzz::as_text(data, size)};
  auto f = ivrcast::connectors::control::parse_flow_file(json);
  if (!f)
    return 0;
  auto again = ivrcast::connectors::control::parse_flow_file(json);
  IVRCAST_FUZZ_CHECK(again && again->flows.size() == f->flows.size());
  for (size_t i = 0; i < f->flows.size(); ++i)
    IVRCAST_FUZZ_CHECK(again->flows[i].version_id() == f->flows[i].version_id());
  return 0;
}
