#include <gtest/gtest.h>

#include "ivr/live_calls.hpp"
#include "ivr/start_filter.hpp"

namespace ivrcast::ivr {
namespace {

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
