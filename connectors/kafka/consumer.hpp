#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <caf/expected.hpp>

#include "connectors/kafka/record.hpp"

struct rd_kafka_s;
namespace ivrcast::metrics {
class scrape;
}

namespace ivrcast::connectors::kafka {

class bus;

/// How far a reader is behind in one partition: records in the log it has not handed over.
struct partition_lag {
  int32_t partition = 0;
  int64_t lag = 0;
};

/// Writes `lag` as the ivrcast_consumer_lag gauge of `reader`, one sample per partition.
void collect_lag(metrics::scrape& out, std::string_view reader,
                 const std::vector<partition_lag>& lag);

/// The next offset handed over per partition, for lag: written by the consumer's thread once
/// per batch, read by scrapes.
class read_positions {
 public:
  void handed(int32_t partition, int64_t next);
  void forget(const std::vector<int32_t>& partitions);
  /// Partitions read at least once, against the high watermarks librdkafka last fetched.
  std::vector<partition_lag> lag(rd_kafka_s* rk, const std::string& topic) const;

 private:
  mutable std::mutex mtx_;
  std::map<int32_t, int64_t> next_;
};

/// What a consumer does with what it reads. Every call comes from the consumer's own thread.
class consumer_handler {
 public:
  virtual ~consumer_handler() = default;
  /// Partitions now owned; returns nothing, the group's committed offsets say where to start.
  virtual void assigned(const std::vector<int32_t>& partitions) = 0;
  /// Partitions about to go: the handler stops their work; offsets from `committable` are
  /// committed right after this returns.
  virtual void revoked(const std::vector<int32_t>& partitions) = 0;
  /// Records of one partition in offset order.
  virtual void records(int32_t partition, std::span<const record> batch) = 0;
  /// The offset to commit for `partition` (next record to process), or -1 for none yet.
  virtual int64_t committable(int32_t partition) = 0;
  /// Between batches, at least every 100 ms: where a handler rewinds (group_consumer::seek).
  virtual void between_batches() {}
};

/// How soon a reader hands over what arrives. Every fetch is a request the broker serves, on
/// the same cores as the node: a view that may lag a little asks for data in bulk.
enum class fetch_pace {
  prompt,   // at once (fetch.min.bytes 1): a caller waits on what the reader reads
  batched,  // up to 100 ms or 64 KiB (fetch.wait.max.ms, fetch.min.bytes): views
};

/// Whether a rebalance is cooperative: what librdkafka reports (rd_kafka_rebalance_protocol), or,
/// when it reports nothing (NULL once the group is closing), what the configured
/// partition.assignment.strategy implies.
bool cooperative_rebalance(const char* reported, std::string_view strategy);

/// A group member reading one topic with manual commits. The rebalance callback serves eager
/// and cooperative protocols; commits run every second and on revocation, for the offsets the
/// handler calls committable. Runs a thread from `start` until `stop`.
class group_consumer {
 public:
  [[nodiscard]] static caf::expected<std::unique_ptr<group_consumer>> open(
      const bus& b, const std::string& group, const std::string& topic, std::string client_id,
      consumer_handler& handler, fetch_pace pace = fetch_pace::prompt);
  ~group_consumer();

  void start();
  /// Commits, leaves the group (handler gets revoked), joins the thread.
  void stop();

  /// Partitions owned now (thread-safe snapshot count).
  size_t owned() const { return owned_.load(); }

  /// Whether the group assigned this member partitions (or none) at least once.
  bool joined() const { return joined_.load(); }
  /// Lag of the partitions owned now that have been read since they were assigned.
  std::vector<partition_lag> lag() const { return positions_.lag(rk_, topic_); }
  const std::string& topic() const { return topic_; }
  /// High watermark of any topic's partition, asked of the broker (blocks up to 10 s).
  [[nodiscard]] caf::expected<int64_t> high_watermark(const std::string& topic,
                                                      int32_t partition) const;
  /// Reads an owned partition again from `offset`; records fetched beyond it are dropped, not
  /// handed over twice. Only from the handler's callbacks (the consumer's thread); blocks up to
  /// 10 s.
  [[nodiscard]] caf::expected<void> seek(int32_t partition, int64_t offset);

 private:
  group_consumer() = default;
  void run();
  void rebalance(int err, void* partitions);
  void commit(const std::vector<int32_t>& partitions, bool sync);

  rd_kafka_s* rk_ = nullptr;
  std::string topic_;
  std::string strategy_;  // partition.assignment.strategy as configured
  consumer_handler* handler_ = nullptr;
  std::vector<int32_t> mine_;
  std::atomic<size_t> owned_{0};
  std::atomic<bool> joined_{false};
  read_positions positions_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

/// Reads every partition of one topic without a group, from per-partition start offsets
/// (checkpoint + 1); for projections and the control view, which every node keeps whole.
class partition_reader {
 public:
  class handler {
   public:
    virtual ~handler() = default;
    /// Next offset to read in `partition` (0 from the start, negative: only new records).
    virtual int64_t start_offset(int32_t partition) = 0;
    virtual void records(int32_t partition, std::span<const record> batch) = 0;
    /// After each read's records (one or more partitions' batches): a handler may fold them
    /// together here. caught_up() comes after it.
    virtual void end_of_read() {}
    /// Everything present when reading began has been handed over (called once).
    virtual void caught_up() {}
  };

  [[nodiscard]] static caf::expected<std::unique_ptr<partition_reader>> open(
      const bus& b, const std::string& topic, std::string client_id, handler& h,
      fetch_pace pace = fetch_pace::prompt);
  ~partition_reader();

  void start();
  void stop();
  /// Everything present when reading began has been handed over.
  bool caught_up() const { return caught_up_.load(); }
  /// Lag of every partition read.
  std::vector<partition_lag> lag() const { return positions_.lag(rk_, topic_); }
  const std::string& topic() const { return topic_; }

 private:
  partition_reader() = default;
  void run();

  rd_kafka_s* rk_ = nullptr;
  std::string topic_;
  handler* handler_ = nullptr;
  std::vector<int64_t> high_;  // per partition: high watermark when reading began
  std::vector<int64_t> next_;  // per partition: next offset to hand over
  std::atomic<bool> caught_up_{false};
  read_positions positions_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace ivrcast::connectors::kafka
