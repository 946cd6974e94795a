#include "bench/raw_kafka.hpp"

#include <cstdio>
#include <cstdlib>

namespace ivrcast::bench {

void die(const std::string& what) {
  std::fprintf(stderr, "raw baseline: %s\n", what.c_str());
  std::exit(1);
}

rd_kafka_t* raw_client(rd_kafka_type_t type, const std::string& brokers,
                       void (*on_delivery)(rd_kafka_t*, const rd_kafka_message_t*, void*),
                       void* opaque) {
  char err[512];
  auto* conf = rd_kafka_conf_new();
  auto set = [&](const char* k, const char* v) {
    if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK)
      die(std::string{k} + ": " + err);
  };
  set("bootstrap.servers", brokers.c_str());
  if (type == RD_KAFKA_PRODUCER) {
    set("enable.idempotence", "true");
    set("linger.ms", "2");
    set("compression.codec", "lz4");
    if (on_delivery)
      rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, opaque);
  } else {
    set("group.id", "kafka-raw");
    set("enable.auto.commit", "false");
    set("auto.offset.reset", "earliest");
    // As the node's prompt readers (connectors/kafka/consumer.cpp).
    set("fetch.wait.max.ms", "100");
  }
  auto* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (!rk)
    die(err);
  return rk;
}

void create_topic(rd_kafka_t* rk, const std::string& name) {
  char err[512];
  auto* nt = rd_kafka_NewTopic_new(name.c_str(), raw_partitions, 1, err, sizeof err);
  auto* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
  auto* ev = rd_kafka_queue_poll(q, 30000);
  if (!ev)
    die("create " + name + ": no answer");
  size_t n = 0;
  const auto* res = rd_kafka_event_CreateTopics_result(ev);
  const auto** topics = res ? rd_kafka_CreateTopics_result_topics(res, &n) : nullptr;
  if (!res || n != 1 || rd_kafka_topic_result_error(topics[0]) != RD_KAFKA_RESP_ERR_NO_ERROR)
    die("create " + name + " failed");
  rd_kafka_event_destroy(ev);
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_queue_destroy(q);
}

rd_kafka_t* raw_reader(const std::string& brokers, const std::string& topic) {
  auto* rk = raw_client(RD_KAFKA_CONSUMER, brokers);
  auto* parts = rd_kafka_topic_partition_list_new(raw_partitions);
  for (int p = 0; p < raw_partitions; ++p)
    rd_kafka_topic_partition_list_add(parts, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  if (rd_kafka_assign(rk, parts) != RD_KAFKA_RESP_ERR_NO_ERROR)
    die("assign " + topic);
  rd_kafka_topic_partition_list_destroy(parts);
  return rk;
}

void raw_produce(rd_kafka_t* rk, const std::string& topic, std::string_view key,
                 std::string_view value, void* opaque, int32_t partition) {
  for (;;) {
    auto err = rd_kafka_producev(
        rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
      return;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
      die(std::string{"produce: "} + rd_kafka_err2str(err));
    rd_kafka_poll(rk, 10);
  }
}

std::vector<std::pair<std::string, long long>> records_by_topic(rd_kafka_t* rk,
                                                                std::string_view prefix) {
  const rd_kafka_metadata_t* md = nullptr;
  if (auto err = rd_kafka_metadata(rk, 1, nullptr, &md, 10000); err != RD_KAFKA_RESP_ERR_NO_ERROR)
    die(std::string{"metadata: "} + rd_kafka_err2str(err));
  std::vector<std::pair<std::string, long long>> out;
  for (int t = 0; t < md->topic_cnt; ++t) {
    const auto& topic = md->topics[t];
    if (!std::string_view{topic.topic}.starts_with(prefix))
      continue;
    long long records = 0;
    for (int p = 0; p < topic.partition_cnt; ++p) {
      int64_t low = 0, high = 0;
      if (auto err = rd_kafka_query_watermark_offsets(rk, topic.topic, topic.partitions[p].id, &low,
                                                      &high, 10000);
          err != RD_KAFKA_RESP_ERR_NO_ERROR)
        die(std::string{"watermarks of "} + topic.topic + ": " + rd_kafka_err2str(err));
      records += high;
    }
    out.emplace_back(topic.topic, records);
  }
  rd_kafka_metadata_destroy(md);
  return out;
}

}  // namespace ivrcast::bench
