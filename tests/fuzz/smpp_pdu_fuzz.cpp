// A byte stream from an SMSC as the SMPP session reads it: frames cut by their length field,
// each decoded; a deliver_sm read as a delivery receipt. What decodes must encode and decode
// back to the same bytes.

#include <string>

#include "connectors/smpp/pdu.hpp"
#include "connectors/smpp/receipt.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace ivrcast;
using namespace ivrcast::connectors::smpp;

namespace {

void check_frame(std::string_view frame) {
  pdu header;
  auto p = decode(frame, &header);
  if (!p)
    return;
  IVRCAST_FUZZ_CHECK(p->command_id == header.command_id && p->sequence == header.sequence);
  std::string once;
  encode(*p, once);
  auto again = decode(once);
  IVRCAST_FUZZ_CHECK(again);
  std::string twice;
  encode(*again, twice);
  IVRCAST_FUZZ_CHECK(once == twice);
  if (p->command_id == cmd::deliver_sm && is_receipt(p->sm)) {
    if (auto r = parse_receipt(p->sm)) {
      IVRCAST_FUZZ_CHECK(!r->message_id.empty());
      for (auto f : {id_format::text, id_format::hex, id_format::decimal})
        (void)normalise_message_id(r->message_id, f);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto stream = fuzz::as_text(data, size);
  while (!stream.empty()) {
    auto n = frame_size(stream);
    if (!n || *n == 0 || *n > stream.size())
      return 0;
    check_frame(stream.substr(0, *n));
    stream.remove_prefix(*n);
  }
  return 0;
}
