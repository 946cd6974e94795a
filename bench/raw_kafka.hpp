// Plain librdkafka for the raw baselines (bench/kafka_raw.cpp, the SMS pipeline of
// bench/sms_bench.cpp): clients with the node's producer settings, fresh topics, readers of
// whole topics. Any failure ends the process: a baseline that half ran has no figure to give.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ivrcast::bench {

constexpr int raw_partitions = 6;  // as kafka.partitions defaults

[[noreturn]] void die(const std::string& what);

/// A client of `brokers`: a producer with the node's settings (connectors/kafka/producer.cpp),
/// or a consumer that fetches as the node's prompt readers do and commits nothing. `on_delivery`,
/// if set, is the producer's delivery report callback (served by rd_kafka_poll), called with
/// `opaque`.
rd_kafka_t* raw_client(rd_kafka_type_t type, const std::string& brokers,
                       void (*on_delivery)(rd_kafka_t*, const rd_kafka_message_t*, void*) = nullptr,
                       void* opaque = nullptr);

/// Creates `name` with raw_partitions partitions and waits for it.
void create_topic(rd_kafka_t* rk, const std::string& name);

/// A consumer of every partition of `topic` from its start.
rd_kafka_t* raw_reader(const std::string& brokers, const std::string& topic);

/// Produces a copy of `value` under `key` (to `partition`, else by key), waiting (polling) while
/// the queue is full.
void raw_produce(rd_kafka_t* rk, const std::string& topic, std::string_view key,
                 std::string_view value, void* opaque = nullptr,
                 int32_t partition = RD_KAFKA_PARTITION_UA);

/// Every topic whose name starts with `prefix`, with the records written to it so far (the sum
/// of its partitions' high watermarks: compaction does not lower them).
std::vector<std::pair<std::string, long long>> records_by_topic(rd_kafka_t* rk,
                                                                std::string_view prefix);

}  // namespace ivrcast::bench
