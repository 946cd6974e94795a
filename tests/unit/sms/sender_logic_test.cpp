// sms::sender_logic by its inputs and decisions: every path of docs/sms-delivery.md that the
// sender owns (windows, rate, order per destination, throttling, retries and age, doubts and
// their proofs, partial failure, replays, rebalances). No clock, no Kafka, no SMSC.
#include "sms/sender_logic.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace ivrcast::sms {
namespace {

using ds = delivery_status;
using rec_state = wire::SendRecord::State;
using ev_kind = wire::StatusEvent::Kind;

constexpr uint32_t rok = 0x00;
constexpr uint32_t throttled = 0x58;
constexpr uint32_t queue_full = 0x14;
constexpr uint32_t sys_err = 0x08;
constexpr uint32_t bad_destination = 0x0B;
constexpr uint32_t submit_fail = 0x45;
constexpr uint32_t bad_source = 0x0A;

config::carrier_settings limits() {
  config::carrier_settings c;
  c.window = 4;
  c.rate = 1000;
  c.max_retries = 2;
  c.retry_backoff_ms = 100;
  c.max_age_s = 3600;
  c.in_doubt_wait_ms = 3000;
  c.response_timeout_ms = 2000;
  return c;
}

/// A sender of docomo with two sessions: slot 0 carries partition 0, slot 1 partition 1.
struct harness {
  explicit harness(config::carrier_settings c = limits())
      : cfg(c), logic(carrier::docomo, c, {0, 1}, 0) {
    tick();  // the rate: a full bucket
  }

  config::carrier_settings cfg;
  sender_logic logic;
  int64_t now = 1'000'000;
  int64_t next_offset = 0;
  std::vector<sender_action> out;  // everything decided so far, in order
  size_t seen = 0;                 // out[seen..] is what the last steps decided

  std::shared_ptr<send_work> work(const std::string& id, const std::string& destination,
                                  int units = 10, int32_t partition = 0, int64_t offset = 0) {
    auto w = std::make_shared<send_work>();
    w->partition = partition;
    w->offset = offset;
    w->job.destination = destination;
    w->job.decided_at_ms = now;
    w->job.account = account_id{"acc"};
    w->msg.message_id = id;
    w->msg.via = carrier::docomo;
    w->msg.text = std::u16string(static_cast<size_t>(units), u'あ');
    w->msg.segments = 1;
    split_work(*w);
    return w;
  }

  void take(std::shared_ptr<send_work> w) { logic.take(std::move(w), now, out); }
  void bind(int s = 0) { logic.bound(s, now, out); }
  void tick(std::vector<int64_t> applied = {-1, -1}) { logic.tick(now, 1000, applied, out); }
  void tick_at(double rate) { logic.tick(now, rate, std::vector<int64_t>{-1, -1}, out); }

  template <class T>
  std::vector<T> all() const {
    std::vector<T> v;
    for (const auto& a : out)
      if (auto* x = std::get_if<T>(&a))
        v.push_back(*x);
    return v;
  }
  template <class T>
  std::vector<T> fresh() {
    std::vector<T> v;
    for (size_t i = seen; i < out.size(); ++i)
      if (auto* x = std::get_if<T>(&out[i]))
        v.push_back(*x);
    return v;
  }
  void mark() { seen = out.size(); }

  /// Every tracked record and event decided so far, reported durable (in order).
  void deliver_all() {
    for (size_t i = 0; i < out.size(); ++i) {
      uint64_t token = 0;
      if (auto* r = std::get_if<put_record>(&out[i]))
        token = std::exchange(r->token, 0);
      else if (auto* e = std::get_if<emit_status>(&out[i]))
        token = std::exchange(e->token, 0);
      if (token != 0)
        logic.delivered(token, true, next_offset++, now, out);
    }
  }
  /// Answers the oldest unanswered submit.
  void answer(uint32_t status, const std::string& id = "") {
    auto subs = all<submit_part>();
    for (const auto& s : subs)
      if (!answered(s.key)) {
        answered_keys.push_back(s.key);
        return logic.submit_resp(s.key, status, id.empty() ? "id" + std::to_string(s.key) : id, now,
                                 out);
      }
    FAIL() << "no submit to answer";
  }
  /// Takes a single-part job and runs it to its end: fenced, submitted, accepted as `smsc_id`.
  void send_through(std::shared_ptr<send_work> w, const std::string& smsc_id) {
    take(std::move(w));
    deliver_all();
    answer(rok, smsc_id);
    deliver_all();
  }
  bool answered(uint64_t key) const {
    return std::find(answered_keys.begin(), answered_keys.end(), key) != answered_keys.end();
  }
  std::vector<uint64_t> answered_keys;

  /// Runs the doubt checks due now with the same evidence for each.
  void settle(const doubt_evidence& ev, bool log_live = true) {
    for (const auto& q : logic.doubts_due(now))
      logic.settle(q.handle, ev, log_live, now, out);
  }

  std::vector<rec_state> record_states() const {
    std::vector<rec_state> v;
    for (const auto& r : all<put_record>())
      v.push_back(r.record.state());
    return v;
  }
  std::vector<ds> statuses() const {
    std::vector<ds> v;
    for (const auto& e : all<emit_status>())
      v.push_back(static_cast<ds>(e.event.status()));
    return v;
  }
  size_t submits() const { return all<submit_part>().size(); }
  std::vector<int64_t> done_offsets() const {
    std::vector<int64_t> v;
    for (const auto& d : all<job_done>())
      v.push_back(d.offset);
    return v;
  }
};

wire::SendRecord record_of(rec_state st, int next_part, std::vector<std::string> ids, int64_t at_ms,
                           ds final_status = ds::preparing) {
  wire::SendRecord r;
  r.set_state(st);
  r.set_next_part(next_part);
  for (auto& id : ids)
    r.add_smsc_ids(id);
  r.set_at_ms(at_ms);
  r.set_final_status(static_cast<int32_t>(final_status));
  return r;
}

TEST(SenderLogicTest, APartGoesOutOnlyAfterItsFenceIsDurableAndTheJobEndsWhenBothLastWritesAre) {
  harness h;
  h.bind();
  h.take(h.work("m1", "09011110001"));
  EXPECT_EQ(h.statuses(), std::vector<ds>{ds::preparing});
  EXPECT_EQ(h.record_states(), std::vector<rec_state>{wire::SendRecord::IN_FLIGHT});
  EXPECT_EQ(h.submits(), 0u) << "nothing on the wire before the IN_FLIGHT record is durable";
  h.deliver_all();
  ASSERT_EQ(h.submits(), 1u);
  EXPECT_EQ(h.all<submit_part>()[0].session, 0);
  h.answer(rok, "abc");
  EXPECT_EQ(h.statuses(), (std::vector<ds>{ds::preparing, ds::sent}));
  auto recs = h.all<put_record>();
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1].record.state(), wire::SendRecord::SUBMITTED);
  EXPECT_EQ(recs[1].record.smsc_ids(0), "abc");
  EXPECT_EQ(h.all<emit_status>()[1].event.smsc_ids(0), "abc");
  EXPECT_TRUE(h.done_offsets().empty()) << "done only once the record and the event are durable";
  h.deliver_all();
  EXPECT_EQ(h.done_offsets(), std::vector<int64_t>{0});
  EXPECT_EQ(h.logic.counts().ended[static_cast<size_t>(ds::sent)], 1u);
}

TEST(SenderLogicTest, PartsOfALongMessageEachFencedThenSentInOrder) {
  harness h;
  h.bind();
  h.take(h.work("long", "09011110002", 150));  // docomo: 66 units a part → 3 parts
  for (int part = 0; part < 3; ++part) {
    h.deliver_all();
    ASSERT_EQ(h.submits(), static_cast<size_t>(part + 1));
    EXPECT_EQ(h.all<submit_part>()[static_cast<size_t>(part)].part, part);
    EXPECT_EQ(h.all<put_record>().back().record.next_part(), part) << "fenced before it goes";
    h.answer(rok, "p" + std::to_string(part));
  }
  auto last = h.all<put_record>().back().record;
  EXPECT_EQ(last.state(), wire::SendRecord::SUBMITTED);
  EXPECT_EQ(std::vector<std::string>(last.smsc_ids().begin(), last.smsc_ids().end()),
            (std::vector<std::string>{"p0", "p1", "p2"}));
}

TEST(SenderLogicTest, NoMorePartsFencedThanTheWindow) {
  harness h;  // window 4
  h.bind();
  for (int i = 0; i < 10; ++i)
    h.take(h.work("w" + std::to_string(i), "0901111100" + std::to_string(i), 10, 0, i));
  EXPECT_EQ(h.record_states().size(), 4u) << "a crash leaves at most a window in doubt";
  h.deliver_all();
  EXPECT_EQ(h.submits(), 4u);
  EXPECT_EQ(h.record_states().size(), 4u) << "the window is full of unanswered submits";
  h.answer(rok);
  EXPECT_EQ(h.record_states().size(), 6u) << "one answer: its SUBMITTED and one more fence";
}

TEST(SenderLogicTest, TheRateLimitsSubmitsPerSecond) {
  auto c = limits();
  c.window = 1000;
  harness h{c};
  h.bind();
  for (int i = 0; i < 100; ++i)
    h.take(h.work("r" + std::to_string(i), "090222" + std::to_string(10000 + i), 10, 0, i));
  h.tick_at(500);  // 500/s: a burst of 10
  h.deliver_all();
  EXPECT_EQ(h.submits(), 10u);
  h.now += 100;  // 50 more tokens, of which the bucket holds rate/50
  h.tick_at(500);
  EXPECT_EQ(h.submits(), 20u);
  h.now += 2;
  h.tick_at(500);
  EXPECT_EQ(h.submits(), 21u);
}

TEST(SenderLogicTest, OneMessageToADestinationAtATime) {
  harness h;
  h.bind();
  h.take(h.work("first", "09033330001", 10, 0, 1));
  h.take(h.work("second", "09033330001", 10, 0, 2));
  EXPECT_EQ(h.record_states().size(), 1u) << "the second waits: a receipt names only the handset";
  h.deliver_all();
  h.answer(rok);
  h.deliver_all();
  EXPECT_EQ(h.done_offsets(), std::vector<int64_t>{1});
  ASSERT_EQ(h.all<put_record>().back().record.message_id(), "second");
  h.deliver_all();
  EXPECT_EQ(h.submits(), 2u);
}

TEST(SenderLogicTest, SubmitAnswersByTable) {
  struct row {
    const char* name;
    int parts;            // of the message
    int accepted_before;  // parts accepted before the answer under test
    uint32_t status;
    bool closed;      // the message ends with the answer
    ds final_status;  // if closed
  } rows[] = {
      {"accepted", 1, 0, rok, true, ds::sent},
      {"destination refused", 1, 0, bad_destination, true, ds::carrier_error},
      {"submit failed", 1, 0, submit_fail, true, ds::carrier_error},
      {"our sender id refused", 1, 0, bad_source, true, ds::internal_error},
      {"second part refused: 一部失敗", 2, 1, bad_destination, true, ds::partially_failed},
      {"throttled", 1, 0, throttled, false, ds::preparing},
      {"queue full", 1, 0, queue_full, false, ds::preparing},
      {"system error", 1, 0, sys_err, false, ds::preparing},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    harness h;
    h.bind();
    h.take(h.work("m", "09044440001", r.parts == 1 ? 10 : 100));
    for (int k = 0; k < r.accepted_before; ++k) {
      h.deliver_all();
      h.answer(rok);
    }
    h.deliver_all();
    h.answer(r.status);
    auto last = h.all<put_record>().back().record;
    if (r.closed) {
      EXPECT_TRUE(last.state() == wire::SendRecord::SUBMITTED ||
                  last.state() == wire::SendRecord::CLOSED);
      EXPECT_EQ(h.statuses().back(), r.final_status);
      if (last.state() == wire::SendRecord::CLOSED) {
        EXPECT_EQ(static_cast<ds>(last.final_status()), r.final_status);
      }
    } else {
      EXPECT_EQ(last.state(), wire::SendRecord::IN_FLIGHT) << "the part is still to go";
      EXPECT_EQ(h.logic.counts().throttled, 1u);
    }
  }
}

TEST(SenderLogicTest, ThrottlingPausesTheWholeCarrierAndThePartGoesFirstAfter) {
  harness h;  // backoff 100 ms
  h.bind();
  h.take(h.work("a", "09055550001", 10, 0, 1));
  h.deliver_all();
  h.answer(throttled);
  h.take(h.work("b", "09055550002", 10, 0, 2));
  h.deliver_all();
  EXPECT_EQ(h.submits(), 1u) << "paused: nothing goes, not even another destination's";
  h.now += 99;
  h.tick();
  EXPECT_EQ(h.submits(), 1u);
  h.now += 1;
  h.tick();
  h.deliver_all();  // b is fenced once the pause is over
  auto subs = h.all<submit_part>();
  ASSERT_EQ(subs.size(), 3u);
  EXPECT_EQ(subs[1].work->msg.message_id, "a") << "the throttled part goes first";
  EXPECT_EQ(subs[2].work->msg.message_id, "b");
}

TEST(SenderLogicTest, TheBackoffDoublesUntilTheRetriesRunOut) {
  auto c = limits();
  c.max_retries = 3;
  harness h{c};
  h.bind();
  h.take(h.work("a", "09055550003"));
  h.deliver_all();
  for (int64_t pause : {100, 200, 400}) {
    SCOPED_TRACE(pause);
    auto before = h.submits();
    h.answer(throttled);
    h.now += pause - 1;
    h.tick();
    EXPECT_EQ(h.submits(), before);
    h.now += 1;
    h.tick();
    EXPECT_EQ(h.submits(), before + 1);
  }
  h.answer(throttled);  // a fourth time: more than max_retries
  EXPECT_EQ(h.statuses().back(), ds::carrier_error);
  EXPECT_EQ(h.all<put_record>().back().record.state(), wire::SendRecord::CLOSED);
}

TEST(SenderLogicTest, AMessageNotSentWithinTheMaximumAgeIsAnInternalError) {
  harness h;
  auto w = h.work("old", "09066660001");
  w->job.decided_at_ms = h.now - 3601 * 1000;
  h.bind();
  h.take(w);
  h.deliver_all();
  EXPECT_EQ(h.submits(), 0u);
  EXPECT_EQ(h.statuses().back(), ds::internal_error);
  EXPECT_EQ(h.all<sender_note>().back().what, sender_note::kind::closed);
}

TEST(SenderLogicTest, APartGoesOnlyOverItsPartitionsBindsAndARefusedSubmitTriesAgain) {
  harness h;
  h.take(h.work("p1", "09077770001", 10, 1));
  h.deliver_all();
  h.bind(0);
  EXPECT_EQ(h.submits(), 0u) << "session 0 carries partition 0 only";
  h.bind(1);
  ASSERT_EQ(h.submits(), 1u);
  EXPECT_EQ(h.all<submit_part>()[0].session, 1);
  h.logic.submit_failed(h.all<submit_part>()[0].key, h.now, h.out);  // the session was closing
  EXPECT_EQ(h.submits(), 1u) << "its session is down now";
  h.bind(1);
  EXPECT_EQ(h.submits(), 2u);
}

/// In doubt: what proves the part, and what comes of it.
TEST(SenderLogicTest, DoubtsSettleByTable) {
  struct row {
    const char* name;
    doubt_evidence ev;
    bool log_live;
    int64_t waited_ms;
    size_t submits_after;  // 1: not sent again
    std::optional<ds> status;
  } rows[] = {
      {"nothing yet", {}, true, 1000, 1, std::nullopt},
      {"nothing after the wait: sent again", {}, true, 3000, 2, std::nullopt},
      {"the log still reads its backlog: the wait does not run", {}, false, 10000, 1, std::nullopt},
      {"its receipt: adopted", {std::nullopt, {}, "rcpt-9"}, true, 1000, 1, ds::sent},
      {"the log has its submit", {std::nullopt, {"x1"}, std::nullopt}, true, 200, 1, ds::sent},
      {"another owner finished it",
       {record_of(wire::SendRecord::SUBMITTED, 1, {"y"}, 0), {}, std::nullopt},
       true,
       200,
       1,
       ds::sent},
      {"another owner closed it",
       {record_of(wire::SendRecord::CLOSED, 0, {}, 0, ds::carrier_error), {}, std::nullopt},
       true,
       200,
       1,
       ds::carrier_error},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    harness h;
    h.bind();
    h.take(h.work("d", "09088880001"));
    h.deliver_all();
    ASSERT_EQ(h.submits(), 1u);
    h.logic.unbound(0, h.now, h.out);  // the connection went before the answer
    ASSERT_EQ(h.all<sender_note>().back().what, sender_note::kind::in_doubt);
    h.bind();
    h.now += r.waited_ms;
    h.settle(r.ev, r.log_live);
    h.deliver_all();
    EXPECT_EQ(h.submits(), r.submits_after);
    if (r.status) {
      EXPECT_EQ(h.statuses().back(), *r.status);
    }
  }
}

TEST(SenderLogicTest, AReceiptOfTheMessagesEarlierPartIsNotTakenForThePartInDoubt) {
  harness h;
  h.bind();
  h.take(h.work("two", "09088880002", 100));  // 2 parts
  h.deliver_all();
  h.answer(rok, "part0");
  h.deliver_all();  // part 1 fenced and sent
  ASSERT_EQ(h.submits(), 2u);
  h.logic.unbound(0, h.now, h.out);
  h.bind();
  auto q = h.logic.doubts_due(h.now);
  ASSERT_EQ(q.size(), 1u);
  EXPECT_TRUE(h.logic.receipt_taken(q[0].handle, "part0"));
  EXPECT_FALSE(h.logic.receipt_taken(q[0].handle, "other"));
  h.logic.settle(q[0].handle, {std::nullopt, {}, "part0"}, true, h.now + 3000, h.out);
  h.deliver_all();
  EXPECT_EQ(h.submits(), 3u) << "sent again: the earlier part's receipt proves nothing";
}

TEST(SenderLogicTest, AnAdoptedReceiptProvesOnlyOnePart) {
  harness h;
  h.bind();
  h.take(h.work("a", "09088880003", 10, 0, 1));
  h.take(h.work("b", "09088880004", 10, 0, 2));
  h.deliver_all();
  h.logic.unbound(0, h.now, h.out);
  h.bind();
  auto q = h.logic.doubts_due(h.now);
  ASSERT_EQ(q.size(), 2u);
  h.logic.settle(q[0].handle, {std::nullopt, {}, "r1"}, true, h.now, h.out);
  EXPECT_TRUE(h.logic.receipt_taken(q[1].handle, "r1"));
}

TEST(SenderLogicTest, ATimedOutSubmitIsInDoubtAndALateAnswerSettlesIt) {
  harness h;  // response timeout 2 s
  h.bind();
  h.take(h.work("slow", "09099990001"));
  h.deliver_all();
  h.now += 2001;
  h.tick();
  ASSERT_EQ(h.all<sender_note>().size(), 1u);
  EXPECT_EQ(h.logic.counts().doubts, 1u);
  h.answer(rok, "late");
  h.deliver_all();
  EXPECT_EQ(h.logic.counts().doubts, 0u);
  EXPECT_EQ(h.statuses().back(), ds::sent);
  EXPECT_EQ(h.submits(), 1u);
}

/// A job read again, by record the sends view holds when the sender takes it up.
TEST(SenderLogicTest, ReplaysByTheirRecord) {
  struct row {
    const char* name;
    std::optional<wire::SendRecord> record;
    size_t submits;            // once bound and delivered
    std::optional<ds> status;  // the last status event
    bool in_doubt;
  } rows[] = {
      {"none: a new message", std::nullopt, 1, ds::preparing, false},
      {"SUBMITTED: announced again, never sent",
       record_of(wire::SendRecord::SUBMITTED, 1, {"s1"}, 5), 0, ds::sent, false},
      {"CLOSED: its final status again", record_of(wire::SendRecord::CLOSED, 0, {}, 5, ds::failed),
       0, ds::failed, false},
      {"RELEASED: goes on at once", record_of(wire::SendRecord::RELEASED, 0, {}, 5), 1,
       ds::preparing, false},
      {"IN_FLIGHT: in doubt", record_of(wire::SendRecord::IN_FLIGHT, 0, {}, 5), 0, ds::preparing,
       true},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    harness h;
    h.bind();
    auto w = h.work("again", "09012340001");
    w->record = r.record;
    h.take(w);
    h.deliver_all();
    EXPECT_EQ(h.submits(), r.submits);
    EXPECT_EQ(h.statuses().back(), *r.status);
    EXPECT_EQ(!h.all<sender_note>().empty(), r.in_doubt);
  }
}

TEST(SenderLogicTest, AJobReadAgainWhileItsMessageIsHereJoinsIt) {
  harness h;
  h.bind();
  h.take(h.work("same", "09012340002", 10, 0, 7));
  h.deliver_all();
  h.take(h.work("same", "09012340002", 10, 0, 9));
  h.answer(rok);
  h.deliver_all();
  EXPECT_EQ(h.submits(), 1u);
  EXPECT_EQ(h.done_offsets(), (std::vector<int64_t>{7, 9}));
}

TEST(SenderLogicTest, AFinishedMessageIsRememberedUntilTheViewHasItsLastRecord) {
  harness h;
  h.bind();
  h.send_through(h.work("copy", "09012340003", 10, 0, 1), "c1");
  ASSERT_EQ(h.done_offsets().size(), 1u);
  ASSERT_NE(h.logic.finished_record("copy"), nullptr);
  // A second copy of the job, whose record was read before the first was sent.
  h.take(h.work("copy", "09012340003", 10, 0, 2));
  h.deliver_all();
  EXPECT_EQ(h.submits(), 1u) << "announced again from memory, not sent";
  EXPECT_EQ(h.statuses().back(), ds::sent);
  EXPECT_EQ(h.done_offsets().size(), 2u);
  int64_t last_offset = h.next_offset;
  h.tick({last_offset - 3, -1});
  EXPECT_NE(h.logic.finished_record("copy"), nullptr) << "the view is behind";
  h.tick({last_offset, -1});
  EXPECT_EQ(h.logic.finished_record("copy"), nullptr) << "the view has it: no need to remember";
}

TEST(SenderLogicTest, AFinishedMessageIsForgottenWhenItsOwnPartitionsViewHasItsLastRecord) {
  harness h;
  h.bind(0);
  h.bind(1);
  h.send_through(h.work("first", "09012340006", 10, 0, 1), "c1");  // partition 0 finishes first
  h.send_through(h.work("second", "09012340007", 10, 1, 1), "c2");
  ASSERT_EQ(h.done_offsets().size(), 2u);
  // Partition 0's view is behind, partition 1's has everything.
  h.tick({-1, h.next_offset});
  EXPECT_NE(h.logic.finished_record("first"), nullptr) << "partition 0's view is behind";
  EXPECT_EQ(h.logic.finished_record("second"), nullptr)
      << "partition 1's view has it, whatever partition 0's view lacks";
  h.tick({h.next_offset, h.next_offset});
  EXPECT_EQ(h.logic.finished_record("first"), nullptr);
}

TEST(SenderLogicTest, ADrainReleasesFencedPartsAndWaitsForAnswersOnTheWire) {
  harness h;
  h.bind(0);
  h.bind(1);
  h.take(h.work("sent", "09012340004", 10, 0, 1));
  h.deliver_all();                                    // on the wire
  h.take(h.work("fenced", "09012340005", 10, 0, 2));  // fence not yet durable
  h.take(h.work("other", "09012340006", 10, 1, 3));   // another partition
  h.mark();
  h.logic.drain(0, h.now, h.out);
  auto recs = h.fresh<put_record>();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].record.message_id(), "fenced");
  EXPECT_EQ(recs[0].record.state(), wire::SendRecord::RELEASED);
  EXPECT_TRUE(h.fresh<drained>().empty()) << "a submit of partition 0 awaits its answer";
  h.answer(rok);
  ASSERT_EQ(h.all<drained>().size(), 1u);
  EXPECT_EQ(h.all<drained>()[0].partition, 0);
  h.deliver_all();
  auto subs = h.all<submit_part>();
  EXPECT_EQ(subs.back().work->msg.message_id, "other") << "the other partition carries on";
}

TEST(SenderLogicTest, ADrainLetsGoOfABacklogWaitingForTheWindowAndTheFence) {
  // 40 messages of two partitions, the window 4 and one token: one on the wire, a few fenced and
  // ready, the rest waiting for room to be fenced. Draining partition 0 lets go of every one of
  // its messages not on the wire; partition 1's all go out, once each.
  harness h;
  h.bind(0);
  h.bind(1);
  h.tick_at(50);  // a bucket of one: fenced parts wait, ready, behind the rate
  for (int i = 0; i < 40; ++i)
    h.take(h.work("m" + std::to_string(i), "0901234" + std::to_string(1000 + i), 10, i % 2, i));
  h.deliver_all();
  std::set<std::string> on_wire;
  for (const auto& sub : h.all<submit_part>())
    on_wire.insert(sub.work->msg.message_id);
  ASSERT_LT(on_wire.size(), 20u) << "a backlog stays behind the window";
  h.logic.drain(0, h.now, h.out);
  std::set<std::string> released;
  for (const auto& r : h.all<put_record>())
    if (r.record.state() == wire::SendRecord::RELEASED)
      released.insert(r.record.message_id());
  ASSERT_FALSE(released.empty()) << "fenced and ready parts of partition 0 are released";
  for (int step = 0; step < 400; ++step) {  // answer, make durable, refill: until all is quiet
    h.now += 10;
    h.deliver_all();
    h.tick();
    if (h.all<submit_part>().size() > h.answered_keys.size())
      h.answer(rok);
  }
  std::map<std::string, int> sent;
  for (const auto& sub : h.all<submit_part>())
    ++sent[sub.work->msg.message_id];
  for (int i = 0; i < 40; ++i) {
    auto id = "m" + std::to_string(i);
    if (i % 2 == 1)
      EXPECT_EQ(sent[id], 1) << id << ": partition 1 carries on";
    else if (on_wire.contains(id))
      EXPECT_EQ(sent[id], 1) << id << ": on the wire before the drain";
    else
      EXPECT_EQ(sent[id], 0) << id << ": drained, the next owner's";
  }
  for (const auto& id : released)
    EXPECT_EQ(sent[id], 0) << id;
  EXPECT_EQ(h.all<drained>().size(), 1u);
}

TEST(SenderLogicTest, ALostRecordLeavesTheJobNotDone) {
  harness h;
  h.bind();
  h.take(h.work("lost", "09012340007"));
  h.deliver_all();
  h.answer(rok);
  for (size_t i = 0; i < h.out.size(); ++i)
    if (auto* r = std::get_if<put_record>(&h.out[i]); r && r->token != 0)
      h.logic.delivered(std::exchange(r->token, 0), false, -1, h.now, h.out);
  h.deliver_all();
  EXPECT_TRUE(h.done_offsets().empty()) << "a restart redoes it from the uncommitted offset";
}

}  // namespace
}  // namespace ivrcast::sms
