// sms.jobs records as the SMS consumer decodes them, and the forwarding a node applies to a
// job read on a partition without a bind for its carrier.

#include <string>

#include "connectors/delivery/job_codec.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace ivrcast;
using connectors::delivery::decode_job;
using connectors::delivery::encode_job;
using connectors::delivery::mark_forwarded;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ivrcast::fuzz::quiet_protobuf();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto value = fuzz::as_text(data, size);
  auto job = decode_job(value);
  if (!job)
    return 0;
  std::string once;
  encode_job(*job, once);
  auto again = decode_job(once);
  IVRCAST_FUZZ_CHECK(again);
  std::string twice;
  encode_job(*again, twice);
  IVRCAST_FUZZ_CHECK(once == twice);

  std::string moved;
  mark_forwarded(value, 5, moved);
  auto forwarded = decode_job(moved);
  IVRCAST_FUZZ_CHECK(forwarded);
  IVRCAST_FUZZ_CHECK(forwarded->forwarded_from == 6);
  IVRCAST_FUZZ_CHECK(forwarded->job == job->job);
  return 0;
}
