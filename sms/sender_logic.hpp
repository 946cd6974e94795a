#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "config/settings.hpp"
#include "messages/calls.hpp"
#include "messages/sms.pb.h"
#include "sms/delivery_status.hpp"
#include "sms/prepare.hpp"

namespace ivrcast::sms {

/// One job handed to its carrier's sender: the job, its message as prepared, and where it came
/// from.
struct send_work {
  int32_t partition = -1;  // of sms.jobs; sms.sends records go to the same partition
  int64_t offset = -1;
  messages::sms_job job;
  prepared_message msg;
  std::vector<std::u16string_view> parts;  // into msg.text
  uint8_t reference = 0;                   // concatenation reference of its parts
  /// sms.sends' newest record of the message, read when the sender takes it up.
  std::optional<wire::SendRecord> record;
};

/// Fills `work.parts` and `work.reference` for its carrier (msg.text must not move afterwards).
void split_work(send_work& work);

/// The job's own fields of a delivery-log detail (the body as requested; a sender overwrites
/// it with the body as sent, and adds carrier, length and segments).
void job_detail(const messages::sms_job& job, wire::LogDetail& d);

// -- what a sender decides ------------------------------------------------------------------

/// A record for sms.sends (keyed by message id, in `partition`); `token` comes back with its
/// delivery report (0: none awaited).
struct put_record {
  int32_t partition;
  wire::SendRecord record;
  uint64_t token;
};
/// A status event for sms.status (keyed by message id).
struct emit_status {
  wire::StatusEvent event;
  uint64_t token;
};
/// Part `part` of `work` goes out over session `session`; the sender knows the submit as `key`
/// (submitted(), submit_failed(), submit_resp()).
struct submit_part {
  uint64_t key;
  int session;
  std::shared_ptr<const send_work> work;
  int part;
};
/// The job at (partition, offset) is done: every record it needed is durable.
struct job_done {
  int32_t partition;
  int64_t offset;
};
/// No submit of a revoked partition awaits its answer any more: its binds may go.
struct drained {
  int32_t partition;
};
/// Something an operator reads in the log.
struct sender_note {
  enum class kind : uint8_t { in_doubt, resubmit, closed };
  kind what;
  std::string message_id;
  int part = 0;
  delivery_status status = delivery_status::preparing;  // closed
  std::string reason;
};
using sender_action =
    std::variant<put_record, emit_status, submit_part, job_done, drained, sender_note>;

/// Counts a sender keeps; the node publishes them as metrics.
struct sender_counts {
  uint64_t submits = 0;
  uint64_t parts_accepted = 0;
  uint64_t throttled = 0;
  uint64_t in_doubt = 0;
  uint64_t adopted = 0;      // in-doubt parts proven received by their receipt
  uint64_t resubmitted = 0;  // in-doubt parts sent again after the wait
  uint64_t skipped = 0;      // already submitted: a replay found the record
  uint64_t finished = 0;
  uint64_t released = 0;             // fenced, not sent, let go in a rebalance
  std::array<uint64_t, 11> ended{};  // by delivery_status (送信済 for every part accepted)
  size_t window = 0;                 // submits awaiting their answer now
  size_t doubts = 0;                 // parts in doubt now
};

/// What the node found for a part in doubt (docs/sms-delivery.md, "No duplicates").
struct doubt_evidence {
  std::optional<wire::SendRecord> record;  // sms.sends' newest record of the message
  std::vector<std::string> submitted_ids;  // the delivery log's ids of the message's submit
  std::optional<std::string> receipt;      // an unmatched receipt from the handset, not taken
};

/// A part in doubt whose proof is to be looked for now.
struct doubt_query {
  std::string message_id;
  std::string destination;
  int64_t receipts_since_ms;  // receipts carry the receiving node's clock: a second of skew
  uint64_t handle;            // for receipt_taken() and settle()
};

/// One carrier's sender as a pure state machine (docs/sms-delivery.md): jobs, SMPP answers,
/// delivery reports, binds and time in; records, status events, submits and done jobs out. No
/// clock (every input takes `now`), no I/O: what it needs to read (the sends view, the delivery
/// log) comes in as doubt_evidence. Every input appends its decisions to `out`, which refers to
/// the machine's messages until the next input. The rules it keeps:
/// - a part goes out only after its IN_FLIGHT record is durable, never more parts fenced than
///   the window, at most `rate` submits/s, one message per destination at a time;
/// - throttling pauses the whole carrier with a doubling backoff; the part goes first after;
/// - a part without an answer is in doubt until a newer record, the log's submit or a receipt
///   proves it, or `in_doubt_wait_ms` passes while proof could arrive: then it goes again;
/// - a job is done once its last record and status event are durable.
class sender_logic {
 public:
  /// `slot_partition[s]`: the sms.jobs partition whose messages session `s` carries.
  sender_logic(carrier c, const config::carrier_settings& cfg, std::vector<int32_t> slot_partition,
               int64_t now);
  ~sender_logic();
  sender_logic(const sender_logic&) = delete;
  sender_logic& operator=(const sender_logic&) = delete;

  /// A job for this carrier. Its `record` must have been read from the sends view when the
  /// sender takes it up, not when the job was read (unless finished_record() has it).
  void take(std::shared_ptr<send_work> w, int64_t now, std::vector<sender_action>& out);
  /// The last record of a message this sender finished while the sends view may not have it
  /// yet (null: the view knows as much as the sender).
  const wire::SendRecord* finished_record(const std::string& message_id) const;

  void bound(int session, int64_t now, std::vector<sender_action>& out);
  void unbound(int session, int64_t now, std::vector<sender_action>& out);

  /// The session refused the submit (not bound): the part goes first on another.
  void submit_failed(uint64_t key, int64_t now, std::vector<sender_action>& out);
  /// The SMSC answered a submit; `id` as normalised by the node.
  void submit_resp(uint64_t key, uint32_t command_status, std::string id, int64_t now,
                   std::vector<sender_action>& out);

  /// A delivery report of a tracked record or event; `offset` where it landed (records).
  void delivered(uint64_t token, bool ok, int64_t offset, int64_t now,
                 std::vector<sender_action>& out);

  /// A revoked partition: its queued work is let go (fenced parts say RELEASED); `drained`
  /// follows once none of its submits awaits an answer.
  void drain(int32_t partition, int64_t now, std::vector<sender_action>& out);

  /// Periodic: refills the rate, times out submits, forgets finished messages the sends view
  /// has (`view_applied[p]`: its last applied offset of partition p).
  void tick(int64_t now, double rate, std::span<const int64_t> view_applied,
            std::vector<sender_action>& out);

  /// The parts in doubt to look for proof of now (five times a second at most).
  std::vector<doubt_query> doubts_due(int64_t now);
  /// Whether a receipt id cannot be the proof of this doubt: one of the message's earlier
  /// parts, or one adopted already.
  bool receipt_taken(uint64_t handle, const std::string& id) const;
  /// Settles or keeps a doubt on its evidence; `log_live`: the delivery log has read the backlog
  /// it started with (before that, and while no session is bound, the wait does not run).
  void settle(uint64_t handle, doubt_evidence ev, bool log_live, int64_t now,
              std::vector<sender_action>& out);

  const sender_counts& counts() const { return counts_; }
  /// Jobs taken up and not ended (nor let go in a drain).
  size_t held() const { return active_.size(); }
  /// Tickets of this sender's records (kind 1, the carrier, a token).
  uint64_t ticket(uint64_t token) const;

 private:
  struct message;
  void pump(int64_t now, std::vector<sender_action>& out);
  void activate_front(std::deque<std::unique_ptr<message>>& queue, int64_t now,
                      std::vector<sender_action>& out);
  void reannounce(message& m, const wire::SendRecord& rec, int64_t now,
                  std::vector<sender_action>& out);
  void record(message& m, wire::SendRecord::State st, delivery_status final_status,
              const std::string& reason, bool tracked, int64_t now,
              std::vector<sender_action>& out);
  void emit(message& m, wire::StatusEvent::Kind kind, delivery_status st, int64_t at_ms,
            const std::string& reason, bool tracked, std::vector<sender_action>& out);
  void fence(message& m, int64_t now, std::vector<sender_action>& out);
  void close_submitted(message& m, int64_t now, std::vector<sender_action>& out);
  void close(message& m, delivery_status st, const std::string& reason, int64_t now,
             std::vector<sender_action>& out);
  void accepted(message& m, std::string id, int64_t now, std::vector<sender_action>& out);
  void doubt(message& m, int64_t since_ms, const char* why, int64_t now,
             std::vector<sender_action>& out);
  void undoubt(message& m);
  void drop_outstanding(message& m);
  void finish(message& m, int64_t now, std::vector<sender_action>& out);
  void report_drains(std::vector<sender_action>& out);
  int pick_session(int32_t partition);
  uint64_t track(message& m);
  void bury();
  void after(int64_t now, std::vector<sender_action>& out);
  std::vector<message*>::const_iterator find_doubt(uint64_t handle) const;

  carrier carrier_;
  config::carrier_settings cfg_;
  std::vector<int32_t> slot_partition_;
  std::vector<bool> bound_;
  std::unordered_map<std::string, std::deque<std::unique_ptr<message>>> by_dest_;
  std::unordered_map<std::string, message*> active_;  // by message id
  std::unordered_map<uint64_t, message*> by_token_;
  std::map<uint64_t, message*> outstanding_;  // by submit key
  std::deque<message*> to_fence_;             // active messages waiting for room in the window
  size_t fencing_ = 0;                        // fences written, not yet durable
  std::deque<message*> ready_;
  std::vector<message*> doubts_;
  std::vector<int32_t> drains_;                       // partitions waiting for answers
  std::unordered_map<std::string, int64_t> adopted_;  // receipt id → when; kept 10 min
  struct finished_message {
    wire::SendRecord record;
    int64_t offset;
  };
  std::unordered_map<std::string, finished_message> finished_;  // not yet in the sends view
  struct finished_entry {
    int64_t offset;
    std::string message_id;
  };
  // Per partition of sms.sends, in finish order: one partition's view lagging behind does not
  // keep the others' finished messages.
  std::unordered_map<int32_t, std::deque<finished_entry>> finished_order_;
  std::vector<std::unique_ptr<message>> graveyard_;  // ended: freed at the next input
  double tokens_ = 1;
  double rate_ = 0;
  int64_t last_refill_ms_ = 0;
  int64_t paused_until_ms_ = 0;
  int64_t next_doubt_check_ms_ = 0;
  int backoff_ms_ = 0;
  size_t rr_ = 0;
  uint64_t next_token_ = 1;
  uint64_t next_key_ = 1;
  uint64_t next_handle_ = 1;
  sender_counts counts_;
};

}  // namespace ivrcast::sms
