#include "connectors/kafka/producer.hpp"

#include <librdkafka/rdkafka.h>

#include "connectors/kafka/bus.hpp"
#include "connectors/kafka/client_conf.hpp"
#include "connectors/kafka/errors.hpp"
#include "connectors/log.hpp"

namespace ivrcast::connectors::kafka {

caf::expected<std::unique_ptr<producer>> producer::open(const bus& b, std::string client_id,
                                                        delivery_fn on_delivery) {
  placed_fn placed;
  if (on_delivery)
    placed = [fn = std::move(on_delivery)](uint64_t t, bool ok, int32_t, int64_t) { fn(t, ok); };
  return open_placed(b, std::move(client_id), std::move(placed));
}

caf::expected<std::unique_ptr<producer>> producer::open_placed(const bus& b, std::string client_id,
                                                               placed_fn on_delivery) {
  std::map<std::string, std::string> base{
      {"bootstrap.servers", b.brokers()},
      {"client.id", client_id},
      {"enable.idempotence", "true"},
      {"linger.ms", "2"},
      {"queue.buffering.max.messages", "1000000"},
      {"compression.codec", "lz4"},
  };
  auto conf = make_conf(base, b.settings().producer, "producer");
  if (!conf)
    return std::move(conf.error());
  std::unique_ptr<producer> out{new producer};
  out->on_delivery_ = std::move(on_delivery);
  rd_kafka_conf_set_opaque(*conf, out.get());
  rd_kafka_conf_set_dr_msg_cb(
      *conf, [](rd_kafka_t* rk, const rd_kafka_message_t* m, void* op) { on_report(rk, m, op); });
  char errstr[512];
  out->rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, *conf, errstr, sizeof errstr);
  if (!out->rk_) {
    rd_kafka_conf_destroy(*conf);
    return setup_error("producer.open", errstr);
  }
  auto* self = out.get();
  out->poller_ = std::thread{[self] {
    while (!self->stop_.load(std::memory_order_relaxed))
      rd_kafka_poll(self->rk_, 100);
  }};
  return out;
}

producer::~producer() {
  if (!rk_)
    return;
  if (auto ok = flush(std::chrono::seconds{10}); !ok)
    logger().warn("event=producer_flush_incomplete queued={}", rd_kafka_outq_len(rk_));
  stop_ = true;
  if (poller_.joinable())
    poller_.join();
  for (auto* t : topics_)
    rd_kafka_topic_destroy(t);
  rd_kafka_destroy(rk_);
}

void producer::on_report(rd_kafka_s* rk, const void* msg, void* opaque) {
  (void)rk;
  auto* self = static_cast<producer*>(opaque);
  const auto* m = static_cast<const rd_kafka_message_t*>(msg);
  bool ok = m->err == RD_KAFKA_RESP_ERR_NO_ERROR;
  if (!ok) {
    logger().error("event=delivery_failed topic={} error=\"{}\"", rd_kafka_topic_name(m->rkt),
                   rd_kafka_err2str(m->err));
    if (m->err == RD_KAFKA_RESP_ERR__FATAL)
      self->fatal_ = true;
  }
  auto ticket = reinterpret_cast<uintptr_t>(m->_private);
  if (ticket != 0 && self->on_delivery_)
    self->on_delivery_(ticket, ok, ok ? m->partition : -1, ok ? m->offset : -1);
}

producer::topic_ref producer::topic(const std::string& name) {
  auto* t = rd_kafka_topic_new(rk_, name.c_str(), nullptr);
  topics_.push_back(t);
  return topic_ref{t};
}

bool producer::produce(topic_ref t, std::string_view key, std::string_view value, uint64_t ticket) {
  return produce_to(t, -1, key, value, ticket);
}

messages::send_result producer::offer(topic_ref t, int32_t partition, std::string_view key,
                                      std::string_view value, uint64_t ticket) {
  static_assert(sizeof(uintptr_t) >= sizeof(uint64_t), "tickets travel as the message opaque");
  if (fatal_.load(std::memory_order_relaxed))
    return messages::send_result::failed;
  if (rd_kafka_produce(t.handle, partition < 0 ? RD_KAFKA_PARTITION_UA : partition,
                       RD_KAFKA_MSG_F_COPY, const_cast<char*>(value.data()), value.size(),
                       key.data(), key.size(),
                       reinterpret_cast<void*>(static_cast<uintptr_t>(ticket))) == 0)
    return messages::send_result::queued;
  auto err = rd_kafka_last_error();
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
    return messages::send_result::full;
  logger().error("event=produce_refused topic={} error=\"{}\"", rd_kafka_topic_name(t.handle),
                 rd_kafka_err2str(err));
  return messages::send_result::failed;
}

bool producer::produce_to(topic_ref t, int32_t partition, std::string_view key,
                          std::string_view value, uint64_t ticket) {
  for (;;) {
    switch (offer(t, partition, key, value, ticket)) {
      case messages::send_result::queued:
        return true;
      case messages::send_result::failed:
        return false;
      case messages::send_result::full:
        // Never drop: wait for deliveries to free room (callers on threads of their own).
        std::this_thread::sleep_for(std::chrono::milliseconds{1});
        break;
    }
  }
}

messages::send_result producer::try_produce(topic_ref t, std::string_view key,
                                            std::string_view value, uint64_t ticket) {
  return offer(t, -1, key, value, ticket);
}

caf::expected<void> producer::reachable(std::chrono::milliseconds timeout) const {
  if (fatal_.load())
    return setup_error("producer.reachable", "the producer had a fatal error");
  const rd_kafka_metadata_t* md = nullptr;
  auto err = rd_kafka_metadata(rk_, 0, nullptr, &md, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return kafka_error(err, "producer.reachable");
  rd_kafka_metadata_destroy(md);
  return {};
}

caf::expected<void> producer::flush(std::chrono::milliseconds timeout) {
  auto err = rd_kafka_flush(rk_, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return kafka_error(err, "producer.flush");
  return {};
}

}  // namespace ivrcast::connectors::kafka
