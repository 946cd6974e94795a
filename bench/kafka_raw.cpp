// The call path's raw baseline: plain librdkafka moving the same number and size of events
// and commands as a call-path run did, with no IVR in between. A producer writes the events; a
// "router" consumes them and, for each, produces its share of the commands; a reader consumes
// the commands. The time from the first event produced to the last command read is what Kafka
// alone costs; bench/call_path.sh divides the node's calls/s by the calls/s it gives.
// Given a rate, the producer paces the events of that many calls a second for `seconds`, as the
// simulator does, and the reader measures each command's time since its event was produced: the
// event -> command latency of two broker hops with nothing in between, counted from
// `latency_from_s` on (as `ivrcast sim --latency-from-s`).
//
// Given `records <prefix>`, it prints instead how many records each topic of that prefix holds
// (what a node's run wrote, beside which the baseline's events and commands are what it moves).
//
// Usage: ivrcast_kafka_raw <brokers> <events> <event_bytes> <commands> <command_bytes> <calls>
//                          [<calls_per_s> <seconds> <latency_from_s>]
//        ivrcast_kafka_raw <brokers> records <prefix>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/percentile.hpp"
#include "bench/raw_kafka.hpp"

namespace {

using namespace ivrcast::bench;
using clock_type = std::chrono::steady_clock;

/// Calls `fn` for every message of `rk` until it returns false. Waits up to 100 ms for a first
/// message, then takes what is already there without waiting, as the node's consumers do
/// (connectors/kafka/consumer.cpp): a batch call with a timeout waits for a full batch.
template <class Fn>
void consume(rd_kafka_t* rk, Fn&& fn) {
  auto* q = rd_kafka_queue_get_consumer(rk);
  std::vector<rd_kafka_message_t*> batch(1000);
  bool more = true;
  while (more) {
    batch[0] = rd_kafka_consume_queue(q, 100);
    if (!batch[0])
      continue;
    auto n = 1 + std::max<ssize_t>(
                     0, rd_kafka_consume_batch_queue(q, 0, batch.data() + 1, batch.size() - 1));
    for (ssize_t i = 0; i < n; ++i) {
      if (!batch[i]->err && more)
        more = fn(*batch[i]);
      rd_kafka_message_destroy(batch[i]);
    }
  }
  rd_kafka_queue_destroy(q);
}

/// Prints `RECORDS <topic>=<records>... total=<records>` for the topics named `prefix`*.
int print_records(const std::string& brokers, std::string_view prefix) {
  auto* rk = raw_client(RD_KAFKA_PRODUCER, brokers);
  long long total = 0;
  std::string line = "RECORDS";
  for (const auto& [topic, records] : records_by_topic(rk, prefix)) {
    line += " " + topic.substr(prefix.size()) + "=" + std::to_string(records);
    total += records;
  }
  std::printf("%s total=%lld\n", line.c_str(), total);
  rd_kafka_destroy(rk);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string_view{argv[2]} == "records")
    return print_records(argv[1], argv[3]);
  if (argc != 7 && argc != 10)
    die("usage: ivrcast_kafka_raw <brokers> <events> <event_bytes> <commands> <command_bytes> "
        "<calls> [<calls_per_s> <seconds> <latency_from_s>] | <brokers> records <prefix>");
  std::string brokers = argv[1];
  const long long run_events = std::atoll(argv[2]), run_commands = std::atoll(argv[4]);
  const long long run_calls = std::atoll(argv[6]);
  if (run_events <= 0 || run_commands <= 0 || run_calls <= 0)
    die("events, commands and calls must be positive");
  // Each payload starts with the time its event was produced (steady clock, nanoseconds).
  using stamp_type = clock_type::rep;
  auto size_of = [](const char* bytes, long long n) {
    return std::max(sizeof(stamp_type), static_cast<size_t>(std::atoll(bytes) / n));
  };
  std::string event(size_of(argv[3], run_events), 'e');
  std::string command(size_of(argv[5], run_commands), 'c');
  // Paced: as many calls as `seconds` at the rate hold, each with the run's events and commands.
  const bool paced = argc == 10;
  const double rate = paced ? std::atof(argv[7]) : 0;
  const long long calls = paced ? static_cast<long long>(rate * std::atof(argv[8])) : run_calls;
  if (paced && calls <= 0)
    die("calls_per_s and seconds must be positive");
  const std::chrono::duration<double> latency_from{paced ? std::atof(argv[9]) : 0};
  const long long events = paced ? calls * run_events / run_calls : run_events;
  const long long commands = paced ? events * run_commands / run_events : run_commands;
  auto stamp = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  const std::string events_topic = "raw." + stamp + ".events";
  const std::string commands_topic = "raw." + stamp + ".commands";

  auto* events_out = raw_client(RD_KAFKA_PRODUCER, brokers);
  auto* commands_out = raw_client(RD_KAFKA_PRODUCER, brokers);
  create_topic(events_out, events_topic);
  create_topic(events_out, commands_topic);
  auto* events_in = raw_reader(brokers, events_topic);
  auto* commands_in = raw_reader(brokers, commands_topic);

  // A warm-up record goes through both hops in every partition first: the clock starts once
  // the readers fetch and each partition has been written, as on the node's warm topics.
  const std::string warm_up = "warm-up";
  auto is_warm_up = [&](const rd_kafka_message_t& m) {
    return m.key_len == warm_up.size() && std::memcmp(m.key, warm_up.data(), m.key_len) == 0;
  };
  std::atomic<int> warm{0};
  std::atomic<clock_type::time_point> t0;  // read by the reader too
  clock_type::time_point done_at;
  std::vector<float> latencies_ms;
  latencies_ms.reserve(static_cast<size_t>(paced ? commands : 0));
  std::thread gateway_reader{[&] {
    long long seen = 0;
    consume(commands_in, [&](const rd_kafka_message_t& m) {
      if (is_warm_up(m)) {
        ++warm;
        return true;
      }
      auto now = clock_type::now();
      if (paced && m.len >= sizeof(stamp_type) && now - t0.load() >= latency_from) {
        stamp_type at;
        std::memcpy(&at, m.payload, sizeof at);
        auto since = now - clock_type::time_point{clock_type::duration{at}};
        latencies_ms.push_back(std::chrono::duration<float, std::milli>(since).count());
      }
      return ++seen < commands;
    });
    done_at = clock_type::now();
  }};
  std::thread router{[&] {
    long long seen = 0, sent = 0;
    consume(events_in, [&](const rd_kafka_message_t& m) {
      if (is_warm_up(m)) {
        raw_produce(commands_out, commands_topic, warm_up, command, nullptr, m.partition);
        rd_kafka_poll(commands_out, 0);
        return true;
      }
      ++seen;
      std::string_view key{static_cast<const char*>(m.key), m.key_len};
      if (m.len >= sizeof(stamp_type))
        command.replace(0, sizeof(stamp_type), static_cast<const char*>(m.payload),
                        sizeof(stamp_type));
      for (long long due = seen * commands / events; sent < due; ++sent)
        raw_produce(commands_out, commands_topic, key, command);
      rd_kafka_poll(commands_out, 0);
      return seen < events;
    });
    rd_kafka_flush(commands_out, 60000);
  }};
  for (int p = 0; p < raw_partitions; ++p)
    raw_produce(events_out, events_topic, warm_up, event, nullptr, p);
  for (auto until = clock_type::now() + std::chrono::seconds{60}; warm < raw_partitions;) {
    if (clock_type::now() > until)
      die("the warm-up records did not come through in 60 s");
    rd_kafka_poll(events_out, 1);
  }
  const auto start = clock_type::now();
  t0 = start;
  const double events_per_s = rate * static_cast<double>(events) / static_cast<double>(calls);
  std::string key;
  const long long events_per_call = std::max(1LL, events / calls);
  for (long long i = 0; i < events;) {
    // Paced as the simulator paces its calls: every millisecond, what is due by then.
    long long due = events;
    if (paced) {
      auto elapsed = std::chrono::duration<double>(clock_type::now() - start).count();
      due = std::min(events, static_cast<long long>(elapsed * events_per_s) + 1);
    }
    for (; i < due; ++i) {
      key = "gw-raw-call-" + std::to_string(i / events_per_call);
      auto at = clock_type::now().time_since_epoch().count();
      event.replace(0, sizeof at, reinterpret_cast<const char*>(&at), sizeof at);
      raw_produce(events_out, events_topic, key, event);
      if (i % 1000 == 0)
        rd_kafka_poll(events_out, 0);
    }
    if (paced) {
      rd_kafka_poll(events_out, 0);
      std::this_thread::sleep_for(std::chrono::milliseconds{1});  // pacing, not synchronisation
    }
  }
  rd_kafka_flush(events_out, 60000);
  router.join();
  gateway_reader.join();
  double seconds = std::chrono::duration<double>(done_at - start).count();
  if (paced) {
    std::printf(
        "RESULT raw_kafka_latency calls_per_s=%.0f events=%lld commands=%lld p50_ms=%.2f "
        "p99_ms=%.2f max_ms=%.2f\n",
        rate, events, commands, percentile(latencies_ms, 0.5), percentile(latencies_ms, 0.99),
        percentile(latencies_ms, 1));
  } else {
    std::printf(
        "RESULT raw_kafka events=%lld commands=%lld calls=%lld seconds=%.3f events_per_s=%.0f "
        "calls_per_s=%.0f\n",
        events, commands, calls, seconds, static_cast<double>(events) / seconds,
        static_cast<double>(calls) / seconds);
  }
  for (auto* rk : {events_in, commands_in})
    rd_kafka_consumer_close(rk);
  for (auto* rk : {events_in, commands_in, events_out, commands_out})
    rd_kafka_destroy(rk);
  return 0;
}
