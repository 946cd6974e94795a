#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "config/settings.hpp"
#include "connectors/kafka/producer.hpp"
#include "messages/calls.hpp"
#include "messages/sms.pb.h"
#include "messages/type_ids.hpp"
#include "metrics/latency_histogram.hpp"
#include "sms/sender_logic.hpp"

namespace ivrcast::connectors::smpp {
class session;
}
namespace ivrcast::storage {
class delivery_log;
class sends;
}  // namespace ivrcast::storage

namespace ivrcast::actors {

/// Everything that reaches a sender: work, its SMPP sessions' news, delivery reports of its
/// own records, and the drain of a revoked partition.
struct sender_event {
  enum class kind : uint8_t { work, bound, unbound, submit_resp, delivered, drain };
  kind what = kind::work;
  int session = -1;
  uint32_t sequence = 0;
  uint32_t status = 0;
  std::string id;
  uint64_t token = 0;
  bool ok = false;
  int64_t offset = -1;  // delivered: where the record landed
  int32_t partition = -1;
  std::shared_ptr<sms::send_work> work;
  std::function<void()> done;  // drain: called once the partition is let go
};

/// Counters of the SMS side of a node. Relaxed atomics.
struct sms_metrics {
  std::atomic<uint64_t> jobs{0};
  std::atomic<uint64_t> dead_letters{0};
  std::atomic<uint64_t> unresolved{0};      // ended before sending (no carrier, too long, ...)
  std::atomic<uint64_t> parts_accepted{0};  // submit_sm_resp OK
  std::atomic<uint64_t> throttled{0};
  std::atomic<uint64_t> in_doubt{0};
  std::atomic<uint64_t> adopted{0};      // in-doubt parts proven received by their receipt
  std::atomic<uint64_t> resubmitted{0};  // in-doubt parts sent again after the wait
  std::atomic<uint64_t> skipped{0};      // already submitted: a replay found the record
  std::atomic<uint64_t> finished{0};
  std::atomic<uint64_t> receipts{0};
  std::atomic<uint64_t> status_applied{0};
  std::atomic<uint64_t> suppressed{0};  // over the abuse guard's limit: not sent
  std::atomic<uint64_t> forwarded{0};   // moved to the partition that holds the carrier's binds
  std::atomic<uint64_t> released{0};    // fenced, not sent, let go in a rebalance
  std::atomic<uint64_t> left{0};        // over sms.held_per_carrier: left in sms.jobs for now
  std::atomic<uint64_t> rewinds{0};     // partitions of sms.jobs read again for what was left
  std::atomic<uint64_t> reread{0};      // records a rewind read again that were not left
  // Per carrier (sms::carrier): jobs a sender ended, by sms::delivery_status (送信済 for every
  // part accepted); submit_sm sent; submits awaiting their answer now.
  std::array<std::array<std::atomic<uint64_t>, 11>, 4> ended{};
  std::array<std::atomic<uint64_t>, 4> submits{};
  std::array<std::atomic<int64_t>, 4> window{};
  std::array<std::atomic<int64_t>, 4> doubts{};  // parts in doubt now
  // Jobs handed to a sender and not yet taken up (the consumer adds, the sender subtracts), and
  // jobs it holds (taken up, not ended); their sum is what sms.held_per_carrier bounds.
  std::array<std::atomic<int64_t>, 4> queued{};
  std::array<std::atomic<int64_t>, 4> held{};
  std::array<std::atomic<int64_t>, 4> held_peak{};
  metrics::latency_histogram log_apply;  // a status event's age when the log has it
};

/// What a sender needs from its node; lives as long as the node.
struct sender_context {
  sms::carrier carrier = sms::carrier::au;
  config::carrier_settings cfg;
  std::vector<std::unique_ptr<connectors::smpp::session>>* sessions = nullptr;
  /// The sms.jobs partition of each session (bind slot, sms::bind_plan): a message goes out only
  /// over its partition's sessions, so a partition's binds leave with it.
  std::vector<int32_t> slot_partition;
  /// This node's share of the carrier's rate (submits/s): rate × binds held / connections.
  std::atomic<double> rate{0};
  connectors::kafka::producer* producer = nullptr;
  connectors::kafka::producer::topic_ref sends_topic;
  connectors::kafka::producer::topic_ref status_topic;
  const storage::delivery_log* log = nullptr;
  const storage::sends* sends = nullptr;
  /// The delivery log has read sms.status up to where it stood at start: before that, a receipt
  /// that proves a part in doubt may be sitting unread in the backlog.
  const std::atomic<bool>* log_live = nullptr;
  int partitions = 0;  // of sms.jobs (and sms.sends)
  std::function<void(int32_t partition, int64_t offset)> job_done;
  /// A record or event could not be written: the node cannot keep its promise and stops.
  std::function<void(const std::string& why)> fatal;
  sms_metrics* metrics = nullptr;
};

}  // namespace ivrcast::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(ivrcast::actors::sender_event)

namespace ivrcast::actors {

/// One carrier's sender on this node: drives sms::sender_logic (the window, the rate share,
/// retries, doubts, the per-destination order) and does its I/O: reads the sends view and the
/// delivery log, writes records and status events, submits parts over the SMPP sessions.
using sms_sender_actor = caf::typed_actor<
    /// Work, session news, delivery reports, drains (see sender_event).
    caf::reacts_to<sender_event>,
    /// Periodic (20 ms): refill the rate limit, time out submits, resolve parts in doubt.
    caf::reacts_to<atom::tick>>;

sms_sender_actor::behavior_type sms_sender(sms_sender_actor::pointer self,
                                           const sender_context* ctx);

/// Hands `e` to `sender` (every sender_event goes this way: see tsan_handoff.hpp).
void send_event(const sms_sender_actor& sender, sender_event e);

}  // namespace ivrcast::actors
