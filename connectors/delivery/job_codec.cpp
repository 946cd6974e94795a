#include "connectors/delivery/job_codec.hpp"

#include "messages/errc.hpp"
#include "messages/sms.pb.h"

namespace ivrcast::connectors::delivery {
namespace {

using messages::sms_job;

caf::error bad(std::string what) {
  return caf::make_error(errc::bad_input, std::move(what));
}

}  // namespace

void encode_job(const sms_job& job, std::string& out) {
  wire::SmsJob pb;
  pb.set_job_id(job.job.value);
  pb.set_call_id(job.call.value);
  pb.set_account_id(job.account.value);
  pb.set_incoming_number(job.incoming_number);
  pb.set_flow_version_id(job.flow_version.value);
  pb.set_flow_name(job.flow_name);
  pb.set_destination(job.destination);
  pb.set_sender_id(job.sender_id);
  pb.set_body(job.body);
  pb.set_short_urls(job.short_urls);
  pb.set_requested_at_ms(job.requested_at_ms);
  pb.set_decided_at_ms(job.decided_at_ms);
  out.clear();
  pb.SerializeToString(&out);
}

caf::expected<sms_job> decode_job(std::string_view value) {
  wire::SmsJob pb;
  if (!pb.ParseFromArray(value.data(), static_cast<int>(value.size())))
    return bad("not an SmsJob protobuf");
  sms_job job;
  job.job = job_id{pb.job_id()};
  job.call = call_id{pb.call_id()};
  job.account = account_id{pb.account_id()};
  job.incoming_number = pb.incoming_number();
  job.flow_version = flow_version_id{pb.flow_version_id()};
  job.flow_name = pb.flow_name();
  job.destination = pb.destination();
  job.sender_id = pb.sender_id();
  job.body = pb.body();
  job.short_urls = pb.short_urls();
  job.requested_at_ms = pb.requested_at_ms();
  // A job written before decided_at_ms existed ages by its event time, as it did then.
  job.decided_at_ms = pb.decided_at_ms() > 0 ? pb.decided_at_ms() : pb.requested_at_ms();
  job.forwarded_from = pb.forwarded_from();
  if (job.job.empty() || job.destination.empty())
    return bad("SmsJob needs job_id and destination");
  if (job.requested_at_ms <= 0)
    return bad("SmsJob " + job.job.value + " has no requested_at_ms");
  return job;
}

void mark_forwarded(std::string_view job, int32_t from_partition, std::string& out) {
  // A field appended to serialised bytes is part of the message (protobuf merges them): no
  // decode and encode again.
  out.assign(job);
  auto value = static_cast<uint32_t>(from_partition) + 1;
  out.push_back(static_cast<char>(wire::SmsJob::kForwardedFromFieldNumber << 3));  // a varint
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

}  // namespace ivrcast::connectors::delivery
