#include "connectors/gateway/kafka_outbox.hpp"

#include <string>

#include "connectors/delivery/job_codec.hpp"
#include "connectors/gateway/codec.hpp"
#include "connectors/kafka/bus.hpp"

namespace ivrcast::connectors::gateway {

kafka_outbox::kafka_outbox(const kafka::bus& b, kafka::producer& p)
    : producer_(&p),
      commands_(p.topic(b.topic(topics::call_commands))),
      jobs_(p.topic(b.topic(topics::sms_jobs))) {}

messages::send_result kafka_outbox::send(const messages::call_command& cmd,
                                         messages::delivery_ticket ticket) {
  thread_local std::string buf;
  encode(cmd, buf);
  return producer_->try_produce(commands_, cmd.gateway.value, buf, ticket.packed());
}

messages::send_result kafka_outbox::send(const messages::sms_job& job,
                                         messages::delivery_ticket ticket) {
  thread_local std::string buf;
  delivery::encode_job(job, buf);
  return producer_->try_produce(jobs_, job.destination, buf, ticket.packed());
}

}  // namespace ivrcast::connectors::gateway
