// The call path's raw baseline: plain librdkafka moving the same number and size of events
// and commands as a call-path run did, with no IVR in between. A producer writes the events; a
// "router" consumes them and, for each, produces its share of the commands; a reader consumes
// the commands. The time from the first event produced to the last command read is what Kafka
// alone costs; bench/call_path.sh divides the node's calls/s by the calls/s it gives.
//
// Usage: ivrcast_kafka_raw <brokers> <events> <event_bytes> <commands> <command_bytes> <calls>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "bench/raw_kafka.hpp"

namespace {

using namespace ivrcast::bench;
using clock_type = std::chrono::steady_clock;

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

  auto* events_out = raw_client(RD_KAFKA_PRODUCER, brokers);
  auto* commands_out = raw_client(RD_KAFKA_PRODUCER, brokers);
  create_topic(events_out, events_topic);
  create_topic(events_out, commands_topic);
  auto* events_in = raw_reader(brokers, events_topic);
  auto* commands_in = raw_reader(brokers, commands_topic);

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
        raw_produce(commands_out, commands_topic, key, command);
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
    raw_produce(events_out, events_topic, key, event);
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
