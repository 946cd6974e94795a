#pragma once

#include "connectors/kafka/producer.hpp"
#include "messages/outbox.hpp"

namespace ivrcast::connectors::kafka {
class bus;
}

namespace ivrcast::connectors::gateway {

/// The outbox on Kafka: commands to calls.commands keyed by gateway id, SMS jobs to sms.jobs
/// keyed by destination. Thread-safe (a thread-local encode buffer keeps the path free of
/// allocations once warm).
class kafka_outbox final : public messages::outbox {
 public:
  kafka_outbox(const kafka::bus& b, kafka::producer& p);

  messages::send_result send(const messages::call_command& cmd,
                             messages::delivery_ticket ticket) override;
  messages::send_result send(const messages::sms_job& job,
                             messages::delivery_ticket ticket) override;

 private:
  kafka::producer* producer_;
  kafka::producer::topic_ref commands_;
  kafka::producer::topic_ref jobs_;
};

}  // namespace ivrcast::connectors::gateway
