// control.state records (key "<kind>/<id>", value ControlRecord) as the IVR folds them into its
// flow table; then the same key as a tombstone.

#include <string>

#include "connectors/control/codec.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace ivrcast;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ivrcast::fuzz::quiet_protobuf();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [key, value] = fuzz::split_at_nul(fuzz::as_text(data, size));
  wire::ControlRecord rec;
  if (!rec.ParseFromArray(value.data(), static_cast<int>(value.size())))
    return 0;
  messages::flow_table table;
  auto applied = connectors::control::apply_record(key, &rec, table);
  if (!applied)
    IVRCAST_FUZZ_CHECK(table.flows.empty() && table.accounts.empty());
  (void)connectors::control::apply_record(key, nullptr, table);
  return 0;
}
