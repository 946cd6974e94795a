// Three nodes send one carrier's SMS as one node would: the SMSC (Net::SMPP, tests/smpp/
// cluster_smsc.pl, not ours) never sees more binds than the contract's `connections` nor more
// submits in a second than its `rate`, also while a node leaves, every message reaches it once,
// and the abuse guard allows N to a destination in total. No node's sender holds more than
// sms.held_per_carrier jobs meanwhile. Embedded cluster and real broker.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "actors/node.hpp"
#include "actors/sms_service.hpp"
#include "connectors/control/carrier_tables.hpp"
#include "connectors/kafka/bus.hpp"
#include "messages/clock.hpp"
#include "sms/carrier.hpp"
#include "storage/delivery_log.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/perl_smsc.hpp"
#include "tests/support/sms_support.hpp"
#include "tests/support/test_support.hpp"

namespace ivrcast {
namespace {

namespace kafka = connectors::kafka;

constexpr int binds = 4;   // fewer than the 6 partitions: two partitions' jobs move
constexpr int rate = 100;  // submits/s for the whole cluster
constexpr int held = 8;    // jobs a node's sender may hold: the rate leaves most in sms.jobs

/// What the SMSC saw, from its lines.
struct smsc_view {
  int max_binds = 0;       // binds open at once, at most
  int max_per_second = 0;  // submits within any one second, at most
  std::map<std::string, int> per_destination;
};

smsc_view analyse(const std::vector<std::string>& lines) {
  smsc_view v;
  std::vector<std::pair<double, int>> changes;  // time, +1 bind / -1 close
  std::vector<double> submits;
  for (const auto& l : lines) {
    std::istringstream in{l};
    std::string what, id, dest;
    double t = 0;
    in >> what;
    if (what == "BIND" || what == "CLOSE") {
      in >> id >> t;
      changes.emplace_back(t, what == "BIND" ? 1 : -1);
    } else if (what == "SUBMIT") {
      in >> id >> dest >> t;
      submits.push_back(t);
      ++v.per_destination[dest];
    }
  }
  // A close and a bind at the same instant: the close first.
  std::sort(changes.begin(), changes.end());
  int open = 0;
  for (const auto& [t, d] : changes)
    v.max_binds = std::max(v.max_binds, open += d);
  std::sort(submits.begin(), submits.end());
  for (size_t i = 0, j = 0; i < submits.size(); ++i) {
    while (submits[i] - submits[j] >= 1.0)
      ++j;
    v.max_per_second = std::max(v.max_per_second, static_cast<int>(i - j + 1));
  }
  return v;
}

TEST(SmsClusterTest, ThreeNodesKeepTheCarriersBindsRateAbuseGuardAndHeldJobsAlsoWhenOneLeaves) {
  test::perl_smsc smsc{"cluster_smsc.pl"};
  ASSERT_TRUE(test::eventually([&] { return smsc.port() != 0; }, std::chrono::seconds{20}));
  test::temp_dir dir;
  const std::string run = "cluster";
  auto settings = test::settings_for(run, dir.path());
  auto& docomo = settings.sms.carriers[static_cast<size_t>(sms::carrier::docomo)];
  docomo.smsc = "127.0.0.1:" + std::to_string(smsc.port());
  docomo.connections = binds;
  docomo.rate = rate;
  settings.abuse.max_sms = 3;
  settings.sms.held_per_carrier = held;
  auto opened = kafka::bus::open(settings.kafka);
  ASSERT_OK(opened);
  std::shared_ptr<kafka::bus> bus = std::move(*opened);
  std::vector<std::unique_ptr<actors::node>> nodes;
  for (int i = 0; i < 3; ++i) {
    auto s = settings;
    s.node.id = "node-" + std::to_string(i);
    s.node.data_dir = dir.path() + "/" + s.node.id;
    auto n = actors::node::start(s, bus);
    ASSERT_OK(n);
    nodes.push_back(std::move(*n));
  }
  ASSERT_TRUE(test::eventually(
      [&] {
        return std::all_of(nodes.begin(), nodes.end(),
                           [](const auto& n) { return n->sms().owned_partitions() > 0; });
      },
      std::chrono::seconds{120}))
      << "the three nodes share sms.jobs";

  auto t0 = unix_now_ms();
  std::vector<messages::sms_job> jobs;
  for (int i = 0; i < 600; ++i) {
    char dest[16];
    std::snprintf(dest, sizeof dest, "0901%07d", i);  // 0900… holds a number ported to au
    jobs.push_back(test::job_to(run, dest, i, t0));
  }
  // Ten requests from one number to one destination within the window: three may go.
  const std::string pestered = "09019999999";
  std::vector<messages::sms_job> repeated;
  for (int i = 0; i < 10; ++i)
    repeated.push_back(test::job_to(run, pestered, 1000 + i, t0));

  test::produce_jobs(*bus, std::vector<messages::sms_job>(jobs.begin(), jobs.begin() + 300));
  test::produce_jobs(*bus, std::vector<messages::sms_job>(repeated.begin(), repeated.begin() + 5));
  ASSERT_TRUE(test::eventually([&] { return smsc.count("SUBMIT ") >= 100; }));
  nodes[2]->stop();  // a rolling restart's first step: its partitions and binds move
  test::produce_jobs(*bus, std::vector<messages::sms_job>(jobs.begin() + 300, jobs.end()));
  test::produce_jobs(*bus, std::vector<messages::sms_job>(repeated.begin() + 5, repeated.end()));

  // Every row final in every running node's log: nothing is left to send.
  for (size_t k = 0; k < 2; ++k) {
    const auto& log = nodes[k]->sms().log();
    ASSERT_TRUE(
        test::eventually([&] { return test::final_rows(log, t0, t0 + 2000) == jobs.size() + 3; },
                         std::chrono::seconds{180}))
        << "node " << k << ": " << test::final_rows(log, t0, t0 + 2000) << " rows final";
  }
  // The refused jobs have no row: their decisions are waited for apart. The five sent after the
  // node left are read last in their partition, after rows of other partitions are final.
  auto suppressed_total = [&] {
    uint64_t sum = 0;
    for (const auto& n : nodes)
      sum += n->sms().metrics().suppressed.load();
    return sum;
  };
  // A replayed job is decided again, alike: at least the 7 refused.
  EXPECT_TRUE(test::eventually([&] { return suppressed_total() >= 7; }, std::chrono::seconds{60}))
      << suppressed_total() << " refused by the abuse guard";
  uint64_t released = 0;
  uint64_t left = 0;
  uint64_t rewinds = 0;
  for (const auto& n : nodes) {
    const auto& m = n->sms().metrics();
    released += m.released.load();
    left += m.left.load();
    rewinds += m.rewinds.load();
    for (auto c : sms::all_carriers)
      EXPECT_LE(m.held_peak[static_cast<size_t>(c)].load(), held) << sms::key(c);
  }
  EXPECT_GT(left, 0u) << "the rate kept jobs in sms.jobs";
  EXPECT_GT(rewinds, 0u);

  auto seen = analyse(smsc.lines());
  EXPECT_EQ(seen.per_destination[pestered], 3);
  for (const auto& j : jobs)
    ASSERT_EQ(seen.per_destination[j.destination], 1) << j.destination << ": exactly once";
  EXPECT_EQ(seen.per_destination.size(), jobs.size() + 1);
  EXPECT_GT(seen.max_binds, 0);
  EXPECT_LE(seen.max_binds, binds) << "never more binds than the contract, across rebalances";
  // A node's bucket may hold one 20 ms tick's worth (at least one submit) on top of its share.
  EXPECT_LE(seen.max_per_second, rate + 3 * std::max(1, rate / 50)) << "the carrier's rate";
  std::printf(
      "smsc: max binds %d of %d, max submits in 1 s %d of %d/s; parts released in "
      "rebalances %llu; jobs left in sms.jobs %llu, rewinds %llu\n",
      seen.max_binds, binds, seen.max_per_second, rate, static_cast<unsigned long long>(released),
      static_cast<unsigned long long>(left), static_cast<unsigned long long>(rewinds));
  for (auto& n : nodes)
    n->stop();
}

TEST(SmsClusterTest, CarrierTablesPublishedOnceRouteEveryNodeWithoutARestart) {
  test::temp_dir dir;
  auto settings = test::settings_for("carriers", dir.path());
  auto carriers = test::start_carriers(settings);
  auto opened = kafka::bus::open(settings.kafka);
  ASSERT_OK(opened);
  std::shared_ptr<kafka::bus> bus = std::move(*opened);
  auto start = [&](int i) {
    auto s = settings;
    s.node.id = "node-" + std::to_string(i);
    s.node.data_dir = dir.path() + "/" + s.node.id;
    auto n = actors::node::start(s, bus);
    EXPECT_TRUE(n) << describe(n.error());
    return n ? std::move(*n) : nullptr;
  };
  std::vector<std::unique_ptr<actors::node>> nodes;
  nodes.push_back(start(0));
  nodes.push_back(start(1));
  ASSERT_TRUE(nodes[0] && nodes[1]);
  EXPECT_EQ(nodes[0]->sms().carriers_version(), "files");

  // 0901… is docomo by the range table; the new portability list moves one number to au.
  const std::string moved = "09011112222";
  auto ranges = test::read_file(IVRCAST_SOURCE_DIR "/config/carriers/number_ranges.csv");
  auto ported_path = dir.path() + "/ported.csv";
  auto ranges_path = dir.path() + "/ranges.csv";
  {
    std::ofstream(ranges_path) << ranges;
    std::ofstream(ported_path) << "# moved carrier\n" << moved << ",au\n";
    std::ofstream(dir.path() + "/bad.csv") << moved << ",docomo\n09000000009,nocarrier\n";
  }
  auto bad =
      connectors::control::publish_carrier_tables(ranges_path, dir.path() + "/bad.csv", *bus);
  ASSERT_FALSE(bad) << "a table that does not parse is refused before it is published";
  EXPECT_NE(describe(bad.error()).find("ported"), std::string::npos) << describe(bad.error());
  auto version = connectors::control::publish_carrier_tables(ranges_path, ported_path, *bus);
  ASSERT_OK(version);
  ASSERT_TRUE(test::eventually([&] {
    return nodes[0]->sms().carriers_version() == *version &&
           nodes[1]->sms().carriers_version() == *version;
  })) << "every node routes by the published tables";

  auto t0 = unix_now_ms();
  test::produce_jobs(*bus, {test::job_to("carriers", moved, 1, t0),
                            test::job_to("carriers", "09011113333", 2, t0)});
  auto at = [&](sms::carrier c, const std::string& dest) {
    return carriers[static_cast<size_t>(c)]->submits_to(dest);
  };
  ASSERT_TRUE(test::eventually([&] {
    return at(sms::carrier::au, moved) == 1 && at(sms::carrier::docomo, "09011113333") == 1;
  }));
  EXPECT_EQ(at(sms::carrier::docomo, moved), 0u);

  // A node started again reads the published tables from its disk, not the files.
  nodes[1]->stop();
  nodes[1].reset();
  nodes[1] = start(1);
  ASSERT_TRUE(nodes[1]);
  EXPECT_EQ(nodes[1]->sms().carriers_version(), *version);
  for (auto& n : nodes)
    n->stop();
}

}  // namespace
}  // namespace ivrcast
