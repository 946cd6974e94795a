#include "connectors/control/carrier_tables.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/support/test_support.hpp"

namespace ivrcast::connectors::control {
namespace {

std::vector<wire::CarrierTableChunk> chunks_of(const std::vector<wire::ControlRecord>& recs,
                                               const std::string& name) {
  std::vector<wire::CarrierTableChunk> out;
  for (const auto& r : recs)
    if (r.carrier_table().name() == name)
      out.push_back(r.carrier_table());
  return out;
}

TEST(CarrierTablesTest, TablesSplitAtLineEndsAndComeBackWholeOnlyWhenComplete) {
  carrier_tables t;
  for (int i = 0; i < 200; ++i)
    t.ranges += "0" + std::to_string(7000 + i) + (i % 2 ? ",au\n" : ",docomo\n");
  t.ported = "09011112222,softbank\n";
  auto recs = carrier_table_records(t, 100);
  ASSERT_OK(recs);
  auto ranges = chunks_of(*recs, "number_ranges");
  ASSERT_GT(ranges.size(), 10u);
  for (const auto& c : ranges) {
    EXPECT_EQ(c.count(), ranges.size());
    EXPECT_TRUE(c.csv().ends_with("\n")) << "whole lines only";
    EXPECT_EQ(carrier_table_key(c).substr(0, 22), "carriers/number_ranges");
  }
  std::string version;
  std::reverse(ranges.begin(), ranges.end());  // any order
  EXPECT_EQ(assemble_table(ranges, version), t.ranges);
  EXPECT_EQ(version, ranges.front().version());
  EXPECT_EQ(assemble_table(chunks_of(*recs, "ported"), version), t.ported);

  // A new version arriving chunk by chunk: not whole until its last chunk is there.
  t.ported = "09011112222,rakuten\n";
  auto next = carrier_table_records(t, 100);
  ASSERT_OK(next);
  auto mixed = chunks_of(*recs, "number_ranges");
  mixed[0] = chunks_of(*next, "number_ranges")[0];  // same text, another version
  EXPECT_EQ(assemble_table(mixed, version), "");
  EXPECT_EQ(version, "");
  auto missing = chunks_of(*recs, "number_ranges");
  missing.erase(missing.begin() + 1);
  EXPECT_EQ(assemble_table(missing, version), "") << "a missing chunk";
}

TEST(CarrierTablesTest, ABadTableIsRefusedNamingItsLine) {
  carrier_tables t;
  t.ranges = "090,docomo\n";
  t.ported = "09011112222,softbank\n0901111,nowhere\n";
  auto recs = carrier_table_records(t);
  ASSERT_FALSE(recs);
  auto why = describe(recs.error());
  EXPECT_NE(why.find("ported"), std::string::npos) << why;
  EXPECT_NE(why.find("2"), std::string::npos) << why;
}

}  // namespace
}  // namespace ivrcast::connectors::control
