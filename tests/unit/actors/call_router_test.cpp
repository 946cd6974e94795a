#include "actors/call_router.hpp"

#include <gtest/gtest.h>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include "config/load.hpp"
#include "ivr/call_logic.hpp"
#include "storage/call_counts.hpp"
#include "storage/database.hpp"
#include "tests/support/test_support.hpp"

namespace ivrcast::actors {
namespace {

using messages::call_event;
using messages::call_event_kind;

/// Records what sessions emit; the testing scheduler runs everything on this thread. With
/// `full` set it has no room, as a producer whose cluster is away.
class recording_outbox final : public messages::outbox {
 public:
  messages::send_result send(const messages::call_command& cmd,
                             messages::delivery_ticket t) override {
    if (full)
      return messages::send_result::full;
    commands.push_back(cmd);
    tickets.push_back(t);
    return messages::send_result::queued;
  }
  messages::send_result send(const messages::sms_job& job, messages::delivery_ticket t) override {
    if (full)
      return messages::send_result::full;
    jobs.push_back(job);
    tickets.push_back(t);
    return messages::send_result::queued;
  }
  bool full = false;
  std::vector<messages::call_command> commands;
  std::vector<messages::sms_job> jobs;
  std::vector<messages::delivery_ticket> tickets;
};

class CallRouterTest : public ::testing::Test {
 protected:
  CallRouterTest() {
    cfg_.set("scheduler.policy", caf::atom("testing"));
    cfg_.set("logger.verbosity", caf::atom("quiet"));
    cfg_.add_message_types<caf::id_block::ivrcast>();
    sys_ = std::make_unique<caf::actor_system>(cfg_);
    sched_ = &dynamic_cast<caf::scheduler::test_coordinator&>(sys_->scheduler());
    settings_ = *config::load("", [](const char*) -> const char* { return nullptr; });
    auto flow = std::make_shared<messages::published_flow>();
    flow->incoming_number = "05011110001";
    flow->account = account_id{"acc"};
    flow->version = flow_version_id{"v1"};
    flow->step4.text = "sent";
    flows_.update([&](messages::flow_table& table) {
      table.flows[flow->incoming_number] = flow;
      table.accounts[account_id{"acc"}] = {
          account_id{"acc"}, messages::account_state::active, {"05011110001"}};
    });
    ctx_.session.ivr = &settings_.ivr;
    ctx_.session.outbox = &outbox_;
    ctx_.session.metrics = &metrics_;
    ctx_.flows = &flows_;
    ctx_.counts = counts_.get();
    ctx_.max_call_ms = int64_t{settings_.ivr.max_call_duration_s} * 1000;
    router_ = sys_->spawn(call_router, &ctx_, 0, commit_);
    sched_->run();
  }

  ~CallRouterTest() override {
    caf::anon_send_exit(router_, caf::exit_reason::user_shutdown);
    sched_->run();
  }

  void deliver(std::vector<call_event> evs) {
    messages::call_event_batch b;
    b.partition = partition_id{0};
    b.last_offset = evs.back().offset;
    b.events = std::move(evs);
    caf::anon_send(router_, std::move(b));
    sched_->run();
  }

  static call_event started(int64_t offset, std::string call, std::string calling) {
    call_event ev;
    ev.call = call_id{std::move(call)};
    ev.gateway = gateway_id{"gw"};
    ev.kind = call_event_kind::started;
    ev.offset = offset;
    ev.called = "05011110001";
    ev.calling = std::move(calling);
    ev.occurred_at_ms = 1000;
    return ev;
  }

  static call_event digits(int64_t offset, std::string call, uint32_t seq, std::string keys) {
    call_event ev;
    ev.call = call_id{std::move(call)};
    ev.gateway = gateway_id{"gw"};
    ev.kind = call_event_kind::digits_collected;
    ev.offset = offset;
    ev.command_seq = seq;
    ev.digits = std::move(keys);
    ev.end = messages::input_end::max_digits;
    return ev;
  }

  void ack_all_deliveries() {
    for (const auto& t : outbox_.tickets)
      if (t.offset >= 0)
        caf::anon_send(router_, atom::delivered_v, t.offset);
    outbox_.tickets.clear();
    sched_->run();
  }

  /// The node's projection folding `evs` in, as its own reader does beside the router.
  void fold(std::vector<call_event> evs) {
    messages::call_event_batch b;
    b.partition = partition_id{0};
    b.last_offset = evs.back().offset;
    b.events = std::move(evs);
    ASSERT_OK(counts_->apply(b));
  }

  void restart_router() {
    caf::anon_send_exit(router_, caf::exit_reason::user_shutdown);
    sched_->run();
    router_ = sys_->spawn(call_router, &ctx_, 0, commit_);
    sched_->run();
  }

  test::temp_dir dir_;
  std::shared_ptr<storage::call_counts> counts_ =
      std::make_shared<storage::call_counts>(*storage::database::open(dir_.path()));
  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  caf::scheduler::test_coordinator* sched_ = nullptr;
  config::settings settings_;
  messages::flow_source flows_;
  recording_outbox outbox_;
  node_metrics metrics_;
  router_context ctx_;
  std::shared_ptr<std::atomic<int64_t>> commit_ = std::make_shared<std::atomic<int64_t>>(-1);
  call_router_actor router_;
};

TEST_F(CallRouterTest, MobileCallerGetsSmsJobThenStepFourAndSessionEnds) {
  deliver({started(0, "c1", "09012345678")});
  ASSERT_EQ(outbox_.jobs.size(), 1u);
  EXPECT_EQ(outbox_.jobs[0].job.value, "v1-c1");
  EXPECT_EQ(outbox_.jobs[0].destination, "09012345678");
  ASSERT_EQ(outbox_.commands.size(), 1u);
  EXPECT_EQ(outbox_.commands[0].actions[0].prompt_id, "step4");
  EXPECT_EQ(metrics_.live_sessions.load(), 0);
  EXPECT_EQ(commit_->load(), 0);  // outputs not yet delivered
  ack_all_deliveries();
  EXPECT_EQ(commit_->load(), 1);
}

TEST_F(CallRouterTest, AFullOutboxIsOfferedAgainLaterInOrderAndNothingIsLost) {
  outbox_.full = true;
  deliver({started(0, "c1", "09012345678"), started(1, "c2", "0312345678")});
  // Nothing waited: the router and both sessions went on, holding their outputs.
  EXPECT_TRUE(outbox_.jobs.empty());
  EXPECT_TRUE(outbox_.commands.empty());
  EXPECT_EQ(metrics_.live_sessions.load(), 2) << "c1 ends only once its outputs are sent";
  EXPECT_EQ(commit_->load(), 0);
  deliver({digits(2, "c2", 1, "08011112222")});  // c2 goes on while its first command waits
  for (int i = 0; i < 5; ++i) {
    sched_->advance_time(std::chrono::milliseconds{100});
    sched_->run();
  }
  EXPECT_TRUE(outbox_.commands.empty()) << "still full: nothing sent, nothing dropped";
  outbox_.full = false;
  sched_->advance_time(std::chrono::milliseconds{100});
  sched_->run();
  ASSERT_EQ(outbox_.jobs.size(), 2u);
  EXPECT_EQ(outbox_.jobs[0].destination, "09012345678");
  EXPECT_EQ(outbox_.jobs[1].destination, "08011112222");
  ASSERT_EQ(outbox_.commands.size(), 3u);
  std::vector<std::pair<std::string, uint32_t>> c2_commands;
  for (const auto& c : outbox_.commands)
    if (c.call.value == "c2")
      c2_commands.emplace_back(c.actions[0].prompt_id, c.seq);
  ASSERT_EQ(c2_commands.size(), 2u);
  EXPECT_LT(c2_commands[0].second, c2_commands[1].second) << "a call's commands keep their order";
  EXPECT_EQ(metrics_.live_sessions.load(), 0);
  ack_all_deliveries();
  EXPECT_EQ(commit_->load(), 3);
}

TEST_F(CallRouterTest, LiveCallPinsTheCommitPointUntilItEnds) {
  deliver({started(0, "c1", "0312345678"), started(1, "c2", "09011112222")});
  ack_all_deliveries();
  EXPECT_EQ(metrics_.live_sessions.load(), 1);
  EXPECT_EQ(commit_->load(), 0);  // c1 is live: a takeover must replay from its start
  deliver({digits(2, "c1", 1, "08011112222")});
  ack_all_deliveries();
  EXPECT_EQ(metrics_.live_sessions.load(), 0);
  EXPECT_EQ(commit_->load(), 3);
  ASSERT_EQ(outbox_.jobs.size(), 2u);
  EXPECT_EQ(outbox_.jobs[1].destination, "08011112222");
}

TEST_F(CallRouterTest, MaximumDurationHangsUpAndFreesTheSession) {
  auto actors = sys_->registry().running();
  deliver({started(0, "c1", "0312345678")});
  EXPECT_EQ(metrics_.live_sessions.load(), 1);
  EXPECT_EQ(sys_->registry().running(), actors + 1);
  sched_->advance_time(std::chrono::seconds{settings_.ivr.max_call_duration_s - 5});
  sched_->run();
  EXPECT_EQ(metrics_.live_sessions.load(), 1);
  for (int i = 0; i < 10; ++i) {
    sched_->advance_time(std::chrono::seconds{1});
    sched_->run();
  }
  EXPECT_EQ(metrics_.live_sessions.load(), 0);
  ASSERT_EQ(outbox_.commands.size(), 2u);
  EXPECT_EQ(outbox_.commands[1].actions[0].cause, messages::hangup_cause::max_duration);
  EXPECT_EQ(metrics_.outcomes[static_cast<size_t>(ivr::call_outcome::expired)].load(), 1u);
  deliver({started(1, "c2", "0312345678")});
  EXPECT_EQ(sys_->registry().running(), actors + 1) << "the expired call's session takes c2";
  EXPECT_EQ(metrics_.live_sessions.load(), 1);
  ASSERT_EQ(outbox_.commands.size(), 3u);
  EXPECT_EQ(outbox_.commands[2].call.value, "c2");
  EXPECT_EQ(outbox_.commands[2].seq, 1u) << "a new call, not the expired one's third command";
}

TEST_F(CallRouterTest, AFinishedSessionTakesTheNextCallAfterReportingTheLastOnesEvents) {
  auto actors = sys_->registry().running();
  auto hang_up = started(1, "c1", "");
  hang_up.kind = call_event_kind::ended;
  // c1 ends at its start (a mobile caller); its hang-up is read before the router knows.
  deliver({started(0, "c1", "09012345678"), hang_up});
  deliver({started(2, "c2", "09087654321"), digits(3, "c2", 1, "1")});
  EXPECT_EQ(sys_->registry().running(), actors + 1) << "one session served both calls";
  ASSERT_EQ(outbox_.jobs.size(), 2u);
  EXPECT_EQ(outbox_.jobs[1].destination, "09087654321");
  EXPECT_EQ(outbox_.jobs[1].job.value, "v1-c2");
  ASSERT_EQ(outbox_.commands.size(), 2u);
  EXPECT_EQ(outbox_.commands[1].call.value, "c2");
  EXPECT_EQ(outbox_.commands[1].seq, 1u);
  EXPECT_EQ(metrics_.live_sessions.load(), 0);
  ack_all_deliveries();
  EXPECT_EQ(commit_->load(), 4) << "c2's late digits too: handled without output";
}

TEST_F(CallRouterTest, EverySmsRequestBecomesAJobTheGuardDecidesOnTheSmsSide) {
  for (int i = 0; i < 4; ++i)
    deliver({started(i, "c" + std::to_string(i), "09012345678")});
  EXPECT_EQ(outbox_.jobs.size(), 4u);  // the cluster-wide guard reads sms.jobs in order
  EXPECT_EQ(outbox_.commands.size(), 4u);
}

TEST_F(CallRouterTest, AnEventRoutedToASessionThatFinishesBeforeReadingItIsFinishedToo) {
  // A replay reads a whole call in one batch: the router hands the gateway's hang-up to the
  // session before the session, done at the start (a mobile caller), has told it so.
  auto hang_up = started(1, "c1", "");
  hang_up.kind = call_event_kind::ended;
  deliver({started(0, "c1", "09012345678"), hang_up, started(2, "c2", "0312345678")});
  EXPECT_EQ(outbox_.jobs.size(), 1u);
  ack_all_deliveries();
  EXPECT_EQ(metrics_.live_sessions.load(), 1);  // c2
  EXPECT_EQ(commit_->load(), 2) << "the hang-up read after c1's end holds nothing back";
}

TEST_F(CallRouterTest, EventsOfUnknownCallsAreFinishedWithoutOutput) {
  deliver({digits(0, "ghost", 1, "09011112222")});
  EXPECT_TRUE(outbox_.commands.empty());
  EXPECT_EQ(commit_->load(), 1);
}

TEST_F(CallRouterTest, NumberWithoutFlowIsRejected) {
  auto ev = started(0, "c1", "0312345678");
  ev.called = "05099999999";
  deliver({ev});
  ASSERT_EQ(outbox_.commands.size(), 1u);
  EXPECT_EQ(outbox_.commands[0].actions[0].prompt_id, "rejected");
  EXPECT_TRUE(outbox_.jobs.empty());
}

TEST_F(CallRouterTest, ANumberMovedToAnotherAccountDoesNotRunItsOldAccountsFlow) {
  flows_.update([](messages::flow_table& table) {
    table.accounts[account_id{"acc"}].numbers.clear();  // the operator moved it away
  });
  deliver({started(0, "c1", "09012345678")});
  ASSERT_EQ(outbox_.commands.size(), 1u);
  EXPECT_EQ(outbox_.commands[0].actions[0].prompt_id, "rejected");
  EXPECT_TRUE(outbox_.jobs.empty()) << "no SMS of the previous account's flow";
}

TEST_F(CallRouterTest, RepeatedStartOfAFinishedCallStartsNothing) {
  deliver({started(0, "c1", "09012345678")});
  deliver({started(1, "c1", "09012345678")});  // the gateway sent it again
  EXPECT_EQ(outbox_.jobs.size(), 1u);
  EXPECT_EQ(outbox_.commands.size(), 1u);
  EXPECT_EQ(metrics_.calls_started.load(), 1u);
  EXPECT_EQ(metrics_.repeated_starts.load(), 1u);
  ack_all_deliveries();
  EXPECT_EQ(commit_->load(), 2);  // the repeat is finished too
}

TEST_F(CallRouterTest, RepeatedStartOfALiveCallIssuesNoSecondFirstCommand) {
  deliver({started(0, "c1", "0312345678"), started(1, "c1", "0312345678")});
  ASSERT_EQ(outbox_.commands.size(), 1u);
  EXPECT_EQ(outbox_.commands[0].seq, 1u);
  EXPECT_EQ(metrics_.live_sessions.load(), 1);
  deliver({digits(2, "c1", 1, "08011112222")});
  EXPECT_EQ(outbox_.jobs.size(), 1u);
  EXPECT_EQ(metrics_.live_sessions.load(), 0);
}

TEST_F(CallRouterTest, RepeatAfterATakeoverIsKnownFromTheProjection) {
  fold({started(0, "c1", "09012345678")});
  // The router that takes the partition over resumes after c1 (its start is committed).
  deliver({started(1, "c1", "09012345678")});
  EXPECT_TRUE(outbox_.jobs.empty());
  EXPECT_TRUE(outbox_.commands.empty());
  EXPECT_EQ(metrics_.repeated_starts.load(), 1u);
}

TEST_F(CallRouterTest, ReplayOfTheFirstStartItselfIsTheCall) {
  fold({started(0, "c1", "0312345678")});
  deliver({started(0, "c1", "0312345678")});  // replayed from before the commit point
  EXPECT_EQ(outbox_.commands.size(), 1u);
  EXPECT_EQ(metrics_.repeated_starts.load(), 0u);
}

TEST_F(CallRouterTest, RoutingWaitsUntilTheProjectionHasReachedTheRouterStart) {
  restart_router();
  // Resuming at offset 5: the start of c1 at 3 is known to neither yet.
  deliver({started(5, "c1", "09012345678")});
  EXPECT_TRUE(outbox_.jobs.empty());
  fold({started(3, "c1", "09012345678"), digits(4, "c1", 1, "")});
  sched_->advance_time(std::chrono::milliseconds{20});
  sched_->run();
  EXPECT_TRUE(outbox_.jobs.empty());
  EXPECT_EQ(metrics_.repeated_starts.load(), 1u);
  deliver({started(6, "c2", "09012345678")});  // routing goes on
  EXPECT_EQ(outbox_.jobs.size(), 1u);
}

TEST_F(CallRouterTest, RoutingGivesUpWaitingForAProjectionThatDoesNotMove) {
  restart_router();
  deliver({started(5, "c1", "09012345678")});
  EXPECT_TRUE(outbox_.jobs.empty());
  for (int i = 0; i < 11; ++i) {
    sched_->advance_time(std::chrono::seconds{1});
    sched_->run();
  }
  EXPECT_EQ(outbox_.jobs.size(), 1u);  // callers are served, not held forever
}

}  // namespace
}  // namespace ivrcast::actors
