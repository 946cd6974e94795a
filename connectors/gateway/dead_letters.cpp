#include "connectors/gateway/dead_letters.hpp"

#include "connectors/kafka/bus.hpp"
#include "connectors/log.hpp"
#include "messages/clock.hpp"
#include "messages/deadletter.pb.h"
#include "metrics/registry.hpp"

namespace ivrcast::connectors::gateway {

dead_letters::dead_letters(const kafka::bus& b, kafka::producer& p, std::string node_id,
                           metrics::registry* m)
    : producer_(&p),
      topic_(p.topic(b.topic(topics::dead_letters))),
      node_id_(std::move(node_id)),
      metrics_(m) {}

std::string dead_letters::letter(std::string_view source_topic, const kafka::record& r,
                                 std::string_view reason) {
  wire::DeadLetter dl;
  dl.set_source_topic(std::string{source_topic});
  dl.set_partition(r.partition);
  dl.set_offset(r.offset);
  dl.set_key(std::string{r.key});
  dl.set_payload(std::string{r.value});
  dl.set_reason(std::string{reason});
  dl.set_failed_at_ms(unix_now_ms());
  dl.set_node_id(node_id_);
  logger().warn("event=dead_letter topic={} partition={} offset={} reason=\"{}\"", source_topic,
                r.partition, r.offset, reason);
  if (metrics_)
    metrics_
        ->get_counter("ivrcast_dead_letters_total", "Records refused to the dead-letter topic",
                      {{"topic", std::string{source_topic}}})
        .inc();
  return dl.SerializeAsString();
}

bool dead_letters::send(std::string_view source_topic, const kafka::record& r,
                        std::string_view reason, uint64_t ticket) {
  auto buf = letter(source_topic, r, reason);
  if (producer_->produce(topic_, source_topic, buf, ticket))
    return true;
  logger().error("event=dead_letter_not_queued topic={} partition={} offset={}", source_topic,
                 r.partition, r.offset);
  return false;
}

messages::send_result dead_letters::offer(std::string_view source_topic, const kafka::record& r,
                                          std::string_view reason, uint64_t ticket) {
  auto buf = letter(source_topic, r, reason);
  return producer_->try_produce(topic_, source_topic, buf, ticket);
}

}  // namespace ivrcast::connectors::gateway
