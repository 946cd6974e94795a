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

}  // namespace
}  // namespace ivrcast::actors
