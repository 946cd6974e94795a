#include <gtest/gtest.h>

#include "ivr/live_calls.hpp"
#include "ivr/offset_progress.hpp"
#include "ivr/phone.hpp"
#include "ivr/start_filter.hpp"

namespace ivrcast::ivr {
namespace {

TEST(PhoneTest, NormalisesToNationalForm) {
  struct row {
    const char* raw;
    const char* national;
  };
  for (const auto& r : std::vector<row>{{"090-1234-5678", "09012345678"},
                                        {"+81 90 1234 5678", "09012345678"},
                                        {"+819012345678", "09012345678"},
                                        {"00819012345678", "09012345678"},
                                        {"819012345678", "09012345678"},
                                        {"(03) 1234-5678", "0312345678"},
                                        {"+8150-1111-0001", "05011110001"},
                                        {"", ""},
                                        {"anonymous", ""},
                                        {"+1 212 555 0100", ""},
                                        {"12345", ""},
                                        {"0012345678", ""}}) {
    SCOPED_TRACE(r.raw);
    EXPECT_EQ(normalise_number(r.raw), r.national);
  }
}

TEST(PhoneTest, MasksNumbersForLogs) {
  EXPECT_EQ(mask("09012345678"), "090******78");
}

TEST(LiveCallsTest, ExpiresInStartOrderAndTracksOldestOffset) {
  live_calls<int> live{1000};
  EXPECT_TRUE(live.add(call_id{"a"}, 1, 10, 0));
  EXPECT_TRUE(live.add(call_id{"b"}, 2, 12, 100));
  EXPECT_FALSE(live.add(call_id{"a"}, 3, 13, 100));
  EXPECT_EQ(live.oldest_offset(), 10);
  live.remove(call_id{"a"});
  EXPECT_EQ(live.oldest_offset(), 12);
  EXPECT_TRUE(live.take_expired(1099).empty());
  auto gone = live.take_expired(1100);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].session, 2);
  EXPECT_EQ(live.size(), 0u);
  EXPECT_FALSE(live.oldest_offset());
}

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

TEST(StartFilterTest, TellsFirstStartsFromRepeats) {
  using messages::event_position;
  struct row {
    const char* what;
    const char* call;
    event_position at;
    std::optional<event_position> folded;
    bool first;
  };
  // One filter through the rows, in order: each row sees what the rows before it left.
  const row rows[] = {
      {"a new call", "a", {0, 10}, std::nullopt, true},
      {"its repeat, before the projection saw either", "a", {0, 11}, std::nullopt, false},
      {"its repeat, the projection now knowing the first",
       "a",
       {0, 12},
       event_position{0, 10},
       false},
      {"a call the projection saw start earlier", "b", {0, 13}, event_position{0, 2}, false},
      {"the projection's first start itself (replay after a takeover)",
       "c",
       {0, 5},
       event_position{0, 5},
       true},
      {"first seen on another partition", "d", {0, 14}, event_position{3, 99}, false},
      {"projection rebuilt ahead of an older copy (first by position)",
       "e",
       {0, 15},
       event_position{0, 20},
       true},
  };
  start_filter f;
  for (const auto& r : rows)
    EXPECT_EQ(f.first(call_id{r.call}, r.at, r.folded), r.first) << r.what;
}

TEST(StartFilterTest, ForgetsWhatTheProjectionHasFoldedIn) {
  start_filter f;
  EXPECT_TRUE(f.first(call_id{"a"}, {0, 1}, std::nullopt));
  EXPECT_TRUE(f.first(call_id{"b"}, {0, 2}, std::nullopt));
  EXPECT_EQ(f.remembered(), 2u);
  f.folded_through(1);
  EXPECT_EQ(f.remembered(), 1u);
  // "a" is the projection's to answer for now.
  EXPECT_FALSE(f.first(call_id{"a"}, {0, 3}, messages::event_position{0, 1}));
  EXPECT_FALSE(f.first(call_id{"b"}, {0, 4}, std::nullopt));
}

}  // namespace
}  // namespace ivrcast::ivr
