// On a real broker: 10,000 messages across the four carriers, with the node process killed
// (SIGKILL) in the middle and started again on the same disk. Every part must reach the
// simulated carriers exactly once and the delivery log must hold one correct row per message.
#include <gtest/gtest.h>

#include <filesystem>

#include <signal.h>

#include "connectors/kafka/bus.hpp"
#include "messages/clock.hpp"
#include "storage/database.hpp"
#include "storage/delivery_log.hpp"
#include "tests/support/node_process.hpp"
#include "tests/support/sms_support.hpp"
#include "tests/support/test_support.hpp"

namespace ivrcast {
namespace {

using test::node_process;

/// What the rows that are not final look like (diagnostics).
std::string pending_rows(const config::settings& s, int64_t from, int64_t to) {
  auto db = storage::database::open_read_only(s.node.data_dir);
  if (!db)
    return "database unreadable";
  storage::delivery_log log{*db, s.sms.docomo_retry_errors};
  std::string out;
  int shown = 0;
  auto ok = log.scan(from, to, "", [&](const sms::log_row& r) {
    if (!sms::is_final(r.status) && shown++ < 8)
      out += r.message_id + "=" + std::string{sms::label(r.status)} +
             " parts=" + std::to_string(r.parts) + " ";
    return true;
  });
  return ok ? out : "scan failed";
}

TEST(SmsCrashTest, TenThousandMessagesExactlyOnceAcrossASigkill) {
  ASSERT_NE(std::getenv("IVRCAST_TEST_BROKERS"), nullptr) << "runs on the real broker only";
  test::temp_dir dir;
  auto s = test::settings_for("SmsCrash", dir.path() + "/node");
  auto carriers = test::start_carriers(s, 100);
  auto b = connectors::kafka::bus::open(s.kafka);
  ASSERT_OK(b);
  auto config = dir.path() + "/node.conf";
  s.node.id = "crash-node";
  test::write_node_config(s, config);
  node_process node{config, dir.path() + "/node.log"};
  node.start();

  std::vector<messages::sms_job> jobs;
  auto t0 = unix_now_ms();
  for (int i = 0; i < 10000; ++i)
    jobs.push_back(test::test_job("crash", i, t0));
  test::produce_jobs(**b, jobs);

  auto submits = [&] {
    uint64_t n = 0;
    for (const auto& c : carriers)
      n += c->counts().submits;
    return n;
  };
  ASSERT_TRUE(test::eventually([&] { return submits() > 3000; }, std::chrono::seconds{120}));
  node.kill_now(SIGKILL);
  auto at_kill = submits();
  EXPECT_LT(at_kill, 11000u) << "the kill came too late to prove anything";
  node.start();

  auto from = jobs.front().requested_at_ms;
  auto to = jobs.back().requested_at_ms + 1;
  ASSERT_TRUE(test::eventually([&] { return test::final_rows_on_disk(s, from, to) == jobs.size(); },
                               std::chrono::seconds{240}))
      << test::final_rows_on_disk(s, from, to) << " of " << jobs.size()
      << " rows final; submits at kill " << at_kill << "; " << pending_rows(s, from, to)
      << "; receipts pending " << [&] {
           size_t n = 0;
           for (const auto& c : carriers)
             n += c->receipts_pending();
           return n;
         }();
  node.kill_now(SIGTERM);
  auto db = storage::database::open_read_only(s.node.data_dir);
  ASSERT_OK(db);
  storage::delivery_log log{*db, s.sms.docomo_retry_errors};
  test::expect_exactly_once(log, carriers, jobs, from, to);
  int shown = 0;
  for (const auto& j : jobs) {
    size_t n = 0;
    for (const auto& c : carriers)
      n += c->submits_to(j.destination);
    if (n != static_cast<size_t>(test::expected_parts(j)) && shown++ < 5)
      ADD_FAILURE() << "DIAG " << j.job.value << " dest " << j.destination << " submits " << n
                    << " status " << sms::label(log.find(j.job.value + ".1").value().value().status)
                    << " parked " << [&] {
                         std::string out;
                         for (auto c : sms::all_carriers)
                           out += log.unmatched_receipt(c, j.destination, 0,
                                                        [](const std::string&) { return false; })
                                      .value()
                                      .value_or("-") +
                                  ",";
                         return out;
                       }();
  }
  if (::testing::Test::HasFailure()) {
    // The node's own account of the run, kept beyond the temporary directory.
    auto kept = std::filesystem::temp_directory_path() / "ivrcast-sms-crash-node.log";
    std::filesystem::copy_file(dir.path() + "/node.log", kept,
                               std::filesystem::copy_options::overwrite_existing);
    ADD_FAILURE() << "the node's log: " << kept.string();
  }
}

}  // namespace
}  // namespace ivrcast
