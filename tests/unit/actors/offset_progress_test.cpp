// Which consumed offsets are finished, and so what a consumer may commit.

#include <gtest/gtest.h>

#include "actors/offset_progress.hpp"

namespace ivrcast::actors {
namespace {

TEST(OffsetProgressTest, CommitsOnlyFinishedOffsets) {
  offset_progress p;
  EXPECT_EQ(p.committable(std::nullopt), -1);
  p.consumed(5);
  p.consumed(6);
  p.consumed(7);
  EXPECT_EQ(p.committable(std::nullopt), 5);
  p.handled(6, 0);
  EXPECT_EQ(p.committable(std::nullopt), 5);  // 5 not done yet
  p.delivered(5);                             // a delivery report overtakes "handled"
  EXPECT_EQ(p.committable(std::nullopt), 5);
  p.handled(5, 1);
  EXPECT_EQ(p.committable(std::nullopt), 7);
  p.handled(7, 2);
  p.delivered(7);
  EXPECT_EQ(p.committable(std::nullopt), 7);
  p.delivered(7);
  EXPECT_EQ(p.committable(std::nullopt), 8);
  EXPECT_EQ(p.committable(6), 6);  // a live call that began at 6 pins the commit point
}

TEST(OffsetProgressTest, GapsCountAsFinished) {
  offset_progress p;
  p.consumed(1);
  p.consumed(4);  // 2 and 3 were never ours (e.g. compacted)
  p.handled(1, 0);
  EXPECT_EQ(p.committable(std::nullopt), 4);
  p.handled(4, 0);
  EXPECT_EQ(p.committable(std::nullopt), 5);
  EXPECT_EQ(p.unfinished(), 0u);
}

TEST(OffsetProgressTest, AReadAgainProcessesOnlyWhatWasDeferred) {
  offset_progress p;
  for (int64_t o = 10; o <= 14; ++o) {
    auto r = p.consumed(o);
    EXPECT_TRUE(r.process) << o;
    EXPECT_EQ(r.tag, -1) << o;
  }
  p.deferred(11, 3);  // its carrier's sender was full: left for a rewind
  p.handled(10, 0);
  p.handled(12, 0);
  p.handled(14, 0);  // 13 still in progress
  EXPECT_EQ(p.committable(std::nullopt), 11) << "a deferred record holds the commit back";
  // The rewind reads 11 on: only 11, with its tag, and what was never read are processed.
  struct read_again {
    int64_t offset;
    bool process;
    int tag;
  };
  for (auto [offset, process, tag] :
       {read_again{11, true, 3}, read_again{12, false, -1}, read_again{13, false, -1},
        read_again{14, false, -1}, read_again{15, true, -1}, read_again{9, false, -1}}) {
    auto r = p.consumed(offset);
    EXPECT_EQ(r.process, process) << offset;
    EXPECT_EQ(r.tag, tag) << offset;
  }
  EXPECT_FALSE(p.consumed(11).process) << "taken up again once, not twice";
  p.handled(11, 0);
  EXPECT_EQ(p.committable(std::nullopt), 13);
  p.deferred(15, 0);
  p.deferred(15, 1);  // deferred again by a second rewind: the newer tag counts
  auto again = p.consumed(15);
  EXPECT_TRUE(again.process);
  EXPECT_EQ(again.tag, 1);
  EXPECT_FALSE(p.consumed(15).process);
}

}  // namespace
}  // namespace ivrcast::actors
