#include "connectors/kafka/consumer.hpp"

#include <algorithm>
#include <chrono>
#include <map>

#include <librdkafka/rdkafka.h>

#include "connectors/kafka/bus.hpp"
#include "connectors/kafka/client_conf.hpp"
#include "connectors/kafka/errors.hpp"
#include "connectors/log.hpp"
#include "metrics/registry.hpp"

namespace ivrcast::connectors::kafka {
namespace {

constexpr size_t max_batch = 2000;

/// Low and high watermark of one partition. A topic created a moment ago answers
/// NOT_LEADER_FOR_PARTITION (or LEADER_NOT_AVAILABLE) until its leader has taken over: those
/// are retried for up to 30 s, as Kafka clients are meant to; anything else fails at once.
rd_kafka_resp_err_t watermarks(rd_kafka_t* rk, const std::string& topic, int32_t partition,
                               int64_t& lo, int64_t& hi) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
  while (true) {
    auto e = rd_kafka_query_watermark_offsets(rk, topic.c_str(), partition, &lo, &hi, 10000);
    bool transient = e == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
                     e == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                     e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    if (!transient || std::chrono::steady_clock::now() > deadline)
      return e;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});  // leader election takes ~100 ms
  }
}

/// Polls up to max_batch messages (waiting at most 100 ms for the first) and hands them to
/// `fn(partition, span<record>)`, one call per run of one partition, in order.
template <class Fn>
size_t poll_batch(rd_kafka_t* rk, std::vector<rd_kafka_message_t*>& msgs, std::vector<record>& recs,
                  Fn&& fn) {
  msgs.clear();
  for (int timeout = 100; msgs.size() < max_batch; timeout = 0) {
    auto* m = rd_kafka_consumer_poll(rk, timeout);
    if (!m)
      break;
    if (m->err) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
        logger().warn("event=consume_error error=\"{}\"", rd_kafka_message_errstr(m));
      rd_kafka_message_destroy(m);
      continue;
    }
    msgs.push_back(m);
  }
  size_t i = 0;
  while (i < msgs.size()) {
    recs.clear();
    int32_t p = msgs[i]->partition;
    for (; i < msgs.size() && msgs[i]->partition == p; ++i) {
      auto* m = msgs[i];
      rd_kafka_timestamp_type_t tstype;
      recs.push_back(record{p,
                            m->offset,
                            {static_cast<const char*>(m->key), m->key ? m->key_len : 0},
                            {static_cast<const char*>(m->payload), m->payload ? m->len : 0},
                            rd_kafka_message_timestamp(m, &tstype)});
    }
    fn(p, std::span<const record>{recs});
  }
  auto n = msgs.size();
  for (auto* m : msgs)
    rd_kafka_message_destroy(m);
  return n;
}

std::vector<int32_t> partitions_of(const rd_kafka_topic_partition_list_t* list) {
  std::vector<int32_t> out;
  for (int i = 0; i < list->cnt; ++i)
    out.push_back(list->elems[i].partition);
  return out;
}

/// librdkafka before 2.3.0 aborts the process when a cooperative-sticky member is destroyed
/// before its first assignment (confluentinc/librdkafka#4312): a node stopped while its group
/// forms. Debian 12 ships 2.0.2, so the members are eager and an override back is refused.
caf::expected<void> check_strategy(const std::map<std::string, std::string>& overrides) {
  auto it = overrides.find("partition.assignment.strategy");
  if (it == overrides.end() || it->second.find("cooperative-sticky") == std::string::npos ||
      rd_kafka_version() >= 0x020300ff)
    return {};
  return setup_error("group_consumer.open",
                     "kafka.consumer.partition.assignment.strategy = '" + it->second +
                         "': librdkafka " + rd_kafka_version_str() +
                         " aborts when a cooperative-sticky member leaves before its first "
                         "assignment (fixed in 2.3.0); use roundrobin or range");
}

/// The fetch settings of `pace` (see fetch_pace). Either way an empty fetch waits at the broker
/// for 100 ms: with fetch.min.bytes 1 the broker answers as soon as a record arrives, so a
/// shorter wait brings no record sooner, only more empty fetches for the broker to answer.
void set_pace(std::map<std::string, std::string>& conf, fetch_pace pace) {
  conf["fetch.wait.max.ms"] = "100";
  conf["fetch.min.bytes"] = pace == fetch_pace::prompt ? "1" : "65536";
}

/// A setting as librdkafka will use it: the base value or the configuration's override.
std::string conf_value(rd_kafka_conf_t* conf, const char* key) {
  char value[256];
  size_t size = sizeof value;
  return rd_kafka_conf_get(conf, key, value, &size) == RD_KAFKA_CONF_OK ? value : "";
}

}  // namespace

// -- group_consumer -------------------------------------------------------------------------

bool cooperative_rebalance(const char* reported, std::string_view strategy) {
  if (reported)
    return std::string_view{reported} == "COOPERATIVE";
  return strategy.find("cooperative") != std::string_view::npos;
}

caf::expected<std::unique_ptr<group_consumer>> group_consumer::open(
    const bus& b, const std::string& group, const std::string& topic, std::string client_id,
    consumer_handler& handler, fetch_pace pace) {
  std::map<std::string, std::string> base{
      {"bootstrap.servers", b.brokers()},
      {"client.id", client_id},
      {"group.id", group},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"partition.assignment.strategy", "roundrobin"},  // eager: see check_strategy
      {"session.timeout.ms", std::to_string(b.settings().session_timeout_ms)},
      {"heartbeat.interval.ms", std::to_string(std::max(100, b.settings().session_timeout_ms / 5))},
  };
  set_pace(base, pace);
  if (auto ok = check_strategy(b.settings().consumer); !ok)
    return std::move(ok.error());
  auto conf = make_conf(base, b.settings().consumer, "consumer");
  if (!conf)
    return std::move(conf.error());
  std::unique_ptr<group_consumer> out{new group_consumer};
  out->topic_ = topic;
  out->strategy_ = conf_value(*conf, "partition.assignment.strategy");
  out->handler_ = &handler;
  rd_kafka_conf_set_opaque(*conf, out.get());
  rd_kafka_conf_set_rebalance_cb(
      *conf, [](rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                void* opaque) { static_cast<group_consumer*>(opaque)->rebalance(err, parts); });
  char errstr[512];
  out->rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, *conf, errstr, sizeof errstr);
  if (!out->rk_) {
    rd_kafka_conf_destroy(*conf);
    return setup_error("group_consumer.open", errstr);
  }
  rd_kafka_poll_set_consumer(out->rk_);
  auto* subs = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(subs, topic.c_str(), RD_KAFKA_PARTITION_UA);
  auto err = rd_kafka_subscribe(out->rk_, subs);
  rd_kafka_topic_partition_list_destroy(subs);
  if (err)
    return kafka_error(err, "group_consumer.subscribe");
  return out;
}

group_consumer::~group_consumer() {
  stop();
  if (rk_)
    rd_kafka_destroy(rk_);
}

void group_consumer::start() {
  thread_ = std::thread{[this] { run(); }};
}

void group_consumer::stop() {
  if (stop_.exchange(true))
    return;
  if (thread_.joinable())
    thread_.join();
}

void collect_lag(metrics::scrape& out, std::string_view reader,
                 const std::vector<partition_lag>& lag) {
  for (const auto& l : lag)
    out.gauge("ivrcast_consumer_lag", "Records in a partition not yet read",
              {{"reader", reader}, {"partition", std::to_string(l.partition)}},
              static_cast<double>(l.lag));
}

void read_positions::handed(int32_t partition, int64_t next) {
  std::lock_guard<std::mutex> guard{mtx_};
  next_[partition] = next;
}

void read_positions::forget(const std::vector<int32_t>& partitions) {
  std::lock_guard<std::mutex> guard{mtx_};
  for (auto p : partitions)
    next_.erase(p);
}

std::vector<partition_lag> read_positions::lag(rd_kafka_t* rk, const std::string& topic) const {
  std::vector<partition_lag> out;
  std::lock_guard<std::mutex> guard{mtx_};
  for (auto [p, next] : next_) {
    int64_t lo = 0;
    int64_t hi = 0;
    // The cached watermark of the last fetch: no broker round trip on a scrape.
    if (rd_kafka_get_watermark_offsets(rk, topic.c_str(), p, &lo, &hi) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        hi < 0)
      continue;
    out.push_back({p, std::max<int64_t>(hi - next, 0)});
  }
  return out;
}

void group_consumer::run() {
  std::vector<rd_kafka_message_t*> msgs;
  std::vector<record> recs;
  auto next_commit = std::chrono::steady_clock::now() + std::chrono::seconds{1};
  while (!stop_.load()) {
    poll_batch(rk_, msgs, recs, [this](int32_t p, std::span<const record> batch) {
      handler_->records(p, batch);
      positions_.handed(p, batch.back().offset + 1);
    });
    handler_->between_batches();
    if (auto now = std::chrono::steady_clock::now(); now >= next_commit) {
      commit(mine_, false);
      next_commit = now + std::chrono::seconds{1};
    }
  }
  commit(mine_, true);
  // librdkafka can hang for ever in rd_kafka_assign() called from a rebalance callback that
  // rd_kafka_consumer_close() raises (confluentinc/librdkafka#4884, seen here on the embedded
  // cluster): leave the group first and answer the revocation from this loop, then close with
  // nothing assigned. What is polled meanwhile is not handled: the next owner reads it.
  rd_kafka_unsubscribe(rk_);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (!mine_.empty() && std::chrono::steady_clock::now() < deadline)
    if (auto* m = rd_kafka_consumer_poll(rk_, 100))
      rd_kafka_message_destroy(m);
  if (auto err = rd_kafka_consumer_close(rk_))
    logger().warn("event=consumer_close_failed error=\"{}\"", rd_kafka_err2str(err));
}

void group_consumer::rebalance(int err_code, void* raw) {
  auto err = static_cast<rd_kafka_resp_err_t>(err_code);
  auto* parts = static_cast<rd_kafka_topic_partition_list_t*>(raw);
  bool cooperative = cooperative_rebalance(rd_kafka_rebalance_protocol(rk_), strategy_);
  auto list = partitions_of(parts);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    logger().info("event=partitions_assigned topic={} count={} protocol={}", topic_, list.size(),
                  cooperative ? "cooperative" : "eager");
    handler_->assigned(list);
    mine_.insert(mine_.end(), list.begin(), list.end());
    if (cooperative) {
      if (auto* e = rd_kafka_incremental_assign(rk_, parts)) {
        logger().error("event=assign_failed error=\"{}\"", rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
      }
    } else {
      rd_kafka_assign(rk_, parts);
    }
  } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    logger().info("event=partitions_revoked topic={} count={}", topic_, list.size());
    handler_->revoked(list);
    if (!rd_kafka_assignment_lost(rk_))
      commit(list, true);
    std::erase_if(mine_,
                  [&](int32_t p) { return std::find(list.begin(), list.end(), p) != list.end(); });
    positions_.forget(list);
    if (cooperative) {
      if (auto* e = rd_kafka_incremental_unassign(rk_, parts))
        rd_kafka_error_destroy(e);  // ignored: the partitions are gone either way
    } else {
      rd_kafka_assign(rk_, nullptr);
    }
  } else {
    logger().warn("event=rebalance_error error=\"{}\"", rd_kafka_err2str(err));
    handler_->revoked(mine_);
    positions_.forget(mine_);
    mine_.clear();
    rd_kafka_assign(rk_, nullptr);
  }
  owned_ = mine_.size();
  joined_ = true;
}

void group_consumer::commit(const std::vector<int32_t>& partitions, bool sync) {
  auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()));
  for (auto p : partitions)
    if (auto off = handler_->committable(p); off >= 0)
      rd_kafka_topic_partition_list_add(list, topic_.c_str(), p)->offset = off;
  if (list->cnt > 0) {
    auto err = rd_kafka_commit(rk_, list, sync ? 0 : 1);
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
      logger().warn("event=commit_failed topic={} error=\"{}\"", topic_, rd_kafka_err2str(err));
  }
  rd_kafka_topic_partition_list_destroy(list);
}

// -- partition_reader -----------------------------------------------------------------------

caf::expected<std::unique_ptr<partition_reader>> partition_reader::open(
    const bus& b, const std::string& topic, std::string client_id, handler& h, fetch_pace pace) {
  std::map<std::string, std::string> base{
      {"bootstrap.servers", b.brokers()},
      {"client.id", client_id},
      {"group.id", client_id},  // never joined nor committed: the reader assigns partitions itself
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
  };
  set_pace(base, pace);
  if (auto ok = check_strategy(b.settings().consumer); !ok)
    return std::move(ok.error());
  auto conf = make_conf(base, b.settings().consumer, "consumer");
  if (!conf)
    return std::move(conf.error());
  std::unique_ptr<partition_reader> out{new partition_reader};
  out->topic_ = topic;
  out->handler_ = &h;
  char errstr[512];
  out->rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, *conf, errstr, sizeof errstr);
  if (!out->rk_) {
    rd_kafka_conf_destroy(*conf);
    return setup_error("partition_reader.open", errstr);
  }
  rd_kafka_poll_set_consumer(out->rk_);
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(out->rk_, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  auto err = rd_kafka_metadata(out->rk_, 0, rkt, &md, 10000);
  rd_kafka_topic_destroy(rkt);
  if (err)
    return kafka_error(err, "partition_reader.metadata");
  int count = md->topic_cnt == 1 && !md->topics[0].err ? md->topics[0].partition_cnt : 0;
  rd_kafka_metadata_destroy(md);
  if (count == 0)
    return setup_error("partition_reader.open", "topic " + topic + " has no partitions");
  auto* list = rd_kafka_topic_partition_list_new(count);
  for (int32_t p = 0; p < count; ++p) {
    int64_t lo = 0;
    int64_t hi = 0;
    if (auto e = watermarks(out->rk_, topic, p, lo, hi)) {
      rd_kafka_topic_partition_list_destroy(list);
      return kafka_error(e, "partition_reader.watermarks");
    }
    auto wanted = h.start_offset(p);
    auto start = wanted < 0 ? hi : std::max(wanted, lo);  // negative: only new records
    out->high_.push_back(hi);
    out->next_.push_back(start);
    out->positions_.handed(p, start);
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = start;
  }
  err = rd_kafka_assign(out->rk_, list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err)
    return kafka_error(err, "partition_reader.assign");
  return out;
}

partition_reader::~partition_reader() {
  stop();
  if (rk_) {
    // ignored: a reader has no group to leave
    (void)rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
  }
}

void partition_reader::start() {
  thread_ = std::thread{[this] { run(); }};
}

void partition_reader::stop() {
  if (stop_.exchange(true))
    return;
  if (thread_.joinable())
    thread_.join();
}

void partition_reader::run() {
  std::vector<rd_kafka_message_t*> msgs;
  std::vector<record> recs;
  while (!stop_.load()) {
    poll_batch(rk_, msgs, recs, [this](int32_t p, std::span<const record> batch) {
      handler_->records(p, batch);
      next_[static_cast<size_t>(p)] = batch.back().offset + 1;
      positions_.handed(p, batch.back().offset + 1);
    });
    handler_->end_of_read();
    if (!caught_up_) {
      bool all = true;
      for (size_t p = 0; p < high_.size(); ++p)
        all = all && next_[p] >= high_[p];
      if (all) {
        caught_up_ = true;
        handler_->caught_up();
      }
    }
  }
}

caf::expected<int64_t> group_consumer::high_watermark(const std::string& topic,
                                                      int32_t partition) const {
  int64_t lo = 0;
  int64_t hi = 0;
  if (auto e = watermarks(rk_, topic, partition, lo, hi))
    return kafka_error(e, "group_consumer.high_watermark");
  return hi;
}

caf::expected<void> group_consumer::seek(int32_t partition, int64_t offset) {
  if (std::find(mine_.begin(), mine_.end(), partition) == mine_.end())
    return setup_error("group_consumer.seek", "partition " + std::to_string(partition) + " of " +
                                                  topic_ + " is not owned");
  auto* list = rd_kafka_topic_partition_list_new(1);
  auto* tp = rd_kafka_topic_partition_list_add(list, topic_.c_str(), partition);
  tp->offset = offset;
  // With a timeout the call returns once the fetcher has moved: nothing fetched before it is
  // handed over afterwards.
  caf::expected<void> result{};
  if (auto* e = rd_kafka_seek_partitions(rk_, list, 10000)) {
    result = kafka_error(rd_kafka_error_code(e), "group_consumer.seek");
    rd_kafka_error_destroy(e);
  } else if (tp->err) {
    result = kafka_error(tp->err, "group_consumer.seek");
  } else {
    positions_.handed(partition, offset);
  }
  rd_kafka_topic_partition_list_destroy(list);
  return result;
}

}  // namespace ivrcast::connectors::kafka
