// The per-carrier bound on jobs a node's senders hold, and where sms.jobs is read again.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "sms/intake_limit.hpp"

namespace ivrcast::sms {
namespace {

std::vector<std::pair<int32_t, int64_t>> rewinds_at(intake_limit& l, std::array<size_t, 4> loads) {
  std::vector<rewind> out;
  l.rewinds(loads, out);
  std::vector<std::pair<int32_t, int64_t>> flat;
  for (auto r : out)
    flat.emplace_back(r.partition, r.offset);
  return flat;
}

TEST(IntakeLimitTest, AdmitsBelowTheLimitAndLeavesTheRestForARewind) {
  struct row {
    size_t load;
    bool admitted;
  };
  const row rows[] = {{0, true}, {9, true}, {10, false}, {11, false}, {1000, false}};
  for (auto [load, admitted] : rows) {
    intake_limit l{10};
    EXPECT_EQ(l.admit(carrier::docomo, load, 2, 40), admitted) << load;
    EXPECT_EQ(l.waiting(), !admitted) << load;
  }
}

TEST(IntakeLimitTest, BehindAJobLeftTheCarriersLaterJobsInThePartitionWaitEvenWithRoom) {
  intake_limit l{10};
  EXPECT_FALSE(l.admit(carrier::docomo, 10, 2, 40));
  // The sender ended a job meanwhile: room again, but 41 would overtake 40 (the same
  // destination's, maybe, which the abuse guard must decide in order).
  EXPECT_FALSE(l.admit(carrier::docomo, 9, 2, 41));
  EXPECT_TRUE(l.admit(carrier::docomo, 9, 3, 41)) << "another partition";
  EXPECT_TRUE(l.admit(carrier::au, 0, 2, 42)) << "another carrier";
  using v = std::vector<std::pair<int32_t, int64_t>>;
  EXPECT_EQ(rewinds_at(l, {0, 5, 0, 0}), (v{{2, 40}}));
  EXPECT_TRUE(l.admit(carrier::docomo, 5, 2, 40)) << "read again, in order";
  EXPECT_TRUE(l.admit(carrier::docomo, 6, 2, 41));
}

TEST(IntakeLimitTest, RewindsEachPartitionOnceFromItsLowestOffsetWhenTheCarrierIsDownToHalf) {
  intake_limit l{10};
  EXPECT_FALSE(l.admit(carrier::docomo, 10, 2, 40));
  EXPECT_FALSE(l.admit(carrier::docomo, 10, 2, 35));  // a rewind's re-read left an earlier one
  EXPECT_FALSE(l.admit(carrier::docomo, 10, 5, 7));
  EXPECT_FALSE(l.admit(carrier::au, 12, 2, 30));
  // Above half: nothing yet.
  EXPECT_TRUE(rewinds_at(l, {12, 6, 0, 0}).empty());
  // docomo at half: its partitions come back, each once, from the lowest offset left; au's
  // load, above half, keeps au's.
  using v = std::vector<std::pair<int32_t, int64_t>>;
  EXPECT_EQ(rewinds_at(l, {6, 5, 0, 0}), (v{{2, 35}, {5, 7}}));
  EXPECT_TRUE(rewinds_at(l, {6, 0, 0, 0}).empty()) << "forgotten once returned";
  EXPECT_TRUE(l.waiting()) << "au still waits";
  // au's and a given-back rewind of the same partition merge to the lower offset.
  l.again({2, 33});
  EXPECT_EQ(rewinds_at(l, {0, 0, 0, 0}), (v{{2, 30}}));
  EXPECT_FALSE(l.waiting());
}

TEST(IntakeLimitTest, ARewindOnlyEverGoesBack) {
  // au's jobs were left at 500 and docomo's at 800 of partition 2, read up to 1000.
  intake_limit l{10};
  EXPECT_FALSE(l.admit(carrier::au, 10, 2, 500));
  EXPECT_FALSE(l.admit(carrier::docomo, 10, 2, 800));
  l.reading(2, 1000);
  using v = std::vector<std::pair<int32_t, int64_t>>;
  EXPECT_EQ(rewinds_at(l, {0, 10, 0, 0}), (v{{2, 500}}));
  l.reading(2, 500);  // done: the reader is back at 500
  // docomo has room before the reader is back at 800: going to 800 now would skip au's jobs
  // from 500 on; reading on from 500 reaches docomo's anyway.
  EXPECT_TRUE(rewinds_at(l, {0, 0, 0, 0}).empty());
  EXPECT_FALSE(l.waiting());
  // Read on to 900, where au's 600 was left again: that one goes back.
  l.reading(2, 900);
  EXPECT_FALSE(l.admit(carrier::au, 10, 2, 600));
  EXPECT_EQ(rewinds_at(l, {0, 0, 0, 0}), (v{{2, 600}}));
}

TEST(IntakeLimitTest, APartitionLetGoTakesItsRewindsWithIt) {
  intake_limit l{4};
  EXPECT_FALSE(l.admit(carrier::rakuten, 4, 1, 100));
  EXPECT_FALSE(l.admit(carrier::softbank, 9, 1, 90));
  EXPECT_FALSE(l.admit(carrier::softbank, 9, 3, 10));
  l.again({1, 80});
  l.forget(1);
  using v = std::vector<std::pair<int32_t, int64_t>>;
  EXPECT_EQ(rewinds_at(l, {0, 0, 0, 0}), (v{{3, 10}}));
  EXPECT_FALSE(l.waiting());
}

TEST(IntakeLimitTest, ALimitOfOneStillAdmitsOneJobAtATime) {
  intake_limit l{0};  // read as 1: a limit of none would never send
  EXPECT_EQ(l.limit(), 1u);
  EXPECT_TRUE(l.admit(carrier::au, 0, 0, 1));
  EXPECT_FALSE(l.admit(carrier::au, 1, 0, 2));
  using v = std::vector<std::pair<int32_t, int64_t>>;
  EXPECT_TRUE(rewinds_at(l, {1, 0, 0, 0}).empty());
  EXPECT_EQ(rewinds_at(l, {0, 0, 0, 0}), (v{{0, 2}}));
}

}  // namespace
}  // namespace ivrcast::sms
