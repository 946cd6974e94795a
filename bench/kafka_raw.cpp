// The call path's raw baseline: plain librdkafka moving the same number and size of events
// and commands as a call-path run did, with no IVR in between. A producer writes the events; a
// "router" consumes them and, for each, produces its share of the commands; a reader consumes
// the commands. The time from the first event produced to the last command read is what Kafka
// alone costs; bench/call_path.sh divides the node's calls/s by the calls/s it gives.
//
// Usage: ivrcast_kafka_raw <brokers> <events> <event_bytes> <commands> <command_bytes> <calls>

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
constexpr int partitions = 6;  // as kafka.partitions defaults

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "kafka_raw: %s\n", what.c_str());
  std::exit(1);
}

rd_kafka_t* client(rd_kafka_type_t type, const std::string& brokers, bool producer_settings) {
  char err[512];
  auto* conf = rd_kafka_conf_new();
  auto set = [&](const char* k, const char* v) {
    if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK)
      die(std::string{k} + ": " + err);
  };
  set("bootstrap.servers", brokers.c_str());
  if (producer_settings) {  // what the node's producer uses (connectors/kafka/producer.cpp)
    set("enable.idempotence", "true");
    set("linger.ms", "2");
    set("compression.codec", "lz4");
  } else {
    set("group.id", "kafka-raw");
    set("enable.auto.commit", "false");
    set("auto.offset.reset", "earliest");
  }
  auto* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (!rk)
    die(err);
  return rk;
}

void create_topic(rd_kafka_t* rk, const std::string& name) {
  char err[512];
  auto* nt = rd_kafka_NewTopic_new(name.c_str(), partitions, 1, err, sizeof err);
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

/// A consumer of every partition of `topic` from its start.
rd_kafka_t* reader(const std::string& brokers, const std::string& topic) {
  auto* rk = client(RD_KAFKA_CONSUMER, brokers, false);
  auto* parts = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p)
    rd_kafka_topic_partition_list_add(parts, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  if (rd_kafka_assign(rk, parts) != RD_KAFKA_RESP_ERR_NO_ERROR)
    die("assign " + topic);
  rd_kafka_topic_partition_list_destroy(parts);
  return rk;
}

void produce(rd_kafka_t* rk, const std::string& topic, const std::string& key,
             const std::string& value) {
  for (;;) {
    auto err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()),
                                 RD_KAFKA_V_KEY(key.data(), key.size()),
                                 RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
      return;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
      die(std::string{"produce: "} + rd_kafka_err2str(err));
    rd_kafka_poll(rk, 10);
  }
}

/// Calls `fn` for every message of `rk` until it returns false.
template <class Fn>
void consume(rd_kafka_t* rk, Fn&& fn) {
  auto* q = rd_kafka_queue_get_consumer(rk);
  std::vector<rd_kafka_message_t*> batch(1000);
  bool more = true;
  while (more) {
    auto n = rd_kafka_consume_batch_queue(q, 100, batch.data(), batch.size());
    for (ssize_t i = 0; i < n; ++i) {
      if (!batch[i]->err && more)
        more = fn(*batch[i]);
      rd_kafka_message_destroy(batch[i]);
    }
  }
  rd_kafka_queue_destroy(q);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7)
    die("usage: ivrcast_kafka_raw <brokers> <events> <event_bytes> <commands> <command_bytes> "
        "<calls>");
  std::string brokers = argv[1];
  const long long events = std::atoll(argv[2]), commands = std::atoll(argv[4]);
  const long long calls = std::atoll(argv[6]);
  if (events <= 0 || commands <= 0 || calls <= 0)
    die("events, commands and calls must be positive");
  const std::string event(static_cast<size_t>(std::atoll(argv[3]) / events), 'e');
  const std::string command(static_cast<size_t>(std::atoll(argv[5]) / commands), 'c');
  auto stamp = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  const std::string events_topic = "raw." + stamp + ".events";
  const std::string commands_topic = "raw." + stamp + ".commands";

  auto* events_out = client(RD_KAFKA_PRODUCER, brokers, true);
  auto* commands_out = client(RD_KAFKA_PRODUCER, brokers, true);
  create_topic(events_out, events_topic);
  create_topic(events_out, commands_topic);
  auto* events_in = reader(brokers, events_topic);
  auto* commands_in = reader(brokers, commands_topic);

  clock_type::time_point done_at;
  std::thread gateway_reader{[&] {
    long long seen = 0;
    consume(commands_in, [&](const rd_kafka_message_t&) { return ++seen < commands; });
    done_at = clock_type::now();
  }};
  std::thread router{[&] {
    long long seen = 0, sent = 0;
    consume(events_in, [&](const rd_kafka_message_t& m) {
      ++seen;
      std::string key{static_cast<const char*>(m.key), m.key_len};
      for (long long due = seen * commands / events; sent < due; ++sent)
        produce(commands_out, commands_topic, key, command);
      rd_kafka_poll(commands_out, 0);
      return seen < events;
    });
    rd_kafka_flush(commands_out, 60000);
  }};
  auto t0 = clock_type::now();
  std::string key;
  const long long events_per_call = std::max(1LL, events / calls);
  for (long long i = 0; i < events; ++i) {
    key = "gw-raw-call-" + std::to_string(i / events_per_call);
    produce(events_out, events_topic, key, event);
    if (i % 1000 == 0)
      rd_kafka_poll(events_out, 0);
  }
  rd_kafka_flush(events_out, 60000);
  router.join();
  gateway_reader.join();
  double seconds = std::chrono::duration<double>(done_at - t0).count();
  std::printf(
      "RESULT raw_kafka events=%lld commands=%lld calls=%lld seconds=%.3f events_per_s=%.0f "
      "calls_per_s=%.0f\n",
      events, commands, calls, seconds, static_cast<double>(events) / seconds,
      static_cast<double>(calls) / seconds);
  for (auto* rk : {events_in, commands_in})
    rd_kafka_consumer_close(rk);
  for (auto* rk : {events_in, commands_in, events_out, commands_out})
    rd_kafka_destroy(rk);
  return 0;
}
