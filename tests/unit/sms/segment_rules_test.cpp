#include "sms/segment_rules.hpp"

#include <gtest/gtest.h>

namespace ivrcast::sms {
namespace {

struct boundary {
  carrier c;
  int length;
  int segments;  // 0: refused (over the maximum)
};

// Every edge of the procedures guide §5.2 table, copied from the seed, not computed.
const boundary table[] = {
    // au
    {carrier::au, 1, 1},
    {carrier::au, 70, 1},
    {carrier::au, 71, 2},
    {carrier::au, 134, 2},
    {carrier::au, 135, 3},
    {carrier::au, 201, 3},
    {carrier::au, 202, 4},
    {carrier::au, 268, 4},
    {carrier::au, 269, 5},
    {carrier::au, 335, 5},
    {carrier::au, 336, 6},
    {carrier::au, 402, 6},
    {carrier::au, 403, 7},
    {carrier::au, 469, 7},
    {carrier::au, 470, 8},
    {carrier::au, 536, 8},
    {carrier::au, 537, 9},
    {carrier::au, 603, 9},
    {carrier::au, 604, 10},
    {carrier::au, 670, 10},
    {carrier::au, 671, 0},
    {carrier::au, 0, 0},
    // 楽天モバイル: au's steps, maximum 660
    {carrier::rakuten, 1, 1},
    {carrier::rakuten, 70, 1},
    {carrier::rakuten, 71, 2},
    {carrier::rakuten, 134, 2},
    {carrier::rakuten, 135, 3},
    {carrier::rakuten, 201, 3},
    {carrier::rakuten, 202, 4},
    {carrier::rakuten, 268, 4},
    {carrier::rakuten, 269, 5},
    {carrier::rakuten, 335, 5},
    {carrier::rakuten, 336, 6},
    {carrier::rakuten, 402, 6},
    {carrier::rakuten, 403, 7},
    {carrier::rakuten, 469, 7},
    {carrier::rakuten, 470, 8},
    {carrier::rakuten, 536, 8},
    {carrier::rakuten, 537, 9},
    {carrier::rakuten, 603, 9},
    {carrier::rakuten, 604, 10},
    {carrier::rakuten, 660, 10},
    {carrier::rakuten, 661, 0},
    // docomo
    {carrier::docomo, 1, 1},
    {carrier::docomo, 70, 1},
    {carrier::docomo, 71, 2},
    {carrier::docomo, 132, 2},
    {carrier::docomo, 133, 3},
    {carrier::docomo, 198, 3},
    {carrier::docomo, 199, 4},
    {carrier::docomo, 264, 4},
    {carrier::docomo, 265, 5},
    {carrier::docomo, 330, 5},
    {carrier::docomo, 331, 6},
    {carrier::docomo, 396, 6},
    {carrier::docomo, 397, 7},
    {carrier::docomo, 462, 7},
    {carrier::docomo, 463, 8},
    {carrier::docomo, 528, 8},
    {carrier::docomo, 529, 9},
    {carrier::docomo, 594, 9},
    {carrier::docomo, 595, 10},
    {carrier::docomo, 660, 10},
    {carrier::docomo, 661, 0},
    // SoftBank: one message up to 670
    {carrier::softbank, 1, 1},
    {carrier::softbank, 70, 1},
    {carrier::softbank, 71, 1},
    {carrier::softbank, 335, 1},
    {carrier::softbank, 670, 1},
    {carrier::softbank, 671, 0},
};

TEST(SegmentRulesTest, BilledSegmentsAtEveryBoundaryOfTheTable) {
  for (const auto& row : table) {
    SCOPED_TRACE(std::string{key(row.c)} + " length " + std::to_string(row.length));
    auto got = billed_segments(row.c, row.length);
    if (row.segments == 0)
      EXPECT_FALSE(got.has_value());
    else
      EXPECT_EQ(got.value_or(-1), row.segments);
  }
}

TEST(SegmentRulesTest, LengthCountsUtf16UnitsSoAnEmojiCountsTwo) {
  EXPECT_EQ(utf16_length("abc").value(), 3);
  EXPECT_EQ(utf16_length("ご予約ありがとう").value(), 8);
  EXPECT_EQ(utf16_length("\xF0\x9F\x98\x80").value(), 2);  // U+1F600
  EXPECT_EQ(utf16_length("𠮷野家").value(), 4);            // 𠮷 is outside the BMP
}

TEST(SegmentRulesTest, MalformedUtf8IsRefused) {
  EXPECT_FALSE(utf16_length("\xC3"));          // truncated
  EXPECT_FALSE(utf16_length("\xC0\xAF"));      // overlong
  EXPECT_FALSE(utf16_length("\xED\xA0\x80"));  // a surrogate
  EXPECT_FALSE(utf16_length("\xFF"));
}

TEST(SegmentRulesTest, PartsFollowTheCarrierAndKeepSurrogatePairsWhole) {
  std::u16string text(134, u'あ');
  EXPECT_EQ(split_parts(carrier::au, text).size(), 2u);
  EXPECT_EQ(split_parts(carrier::docomo, text).size(), 3u);  // 66 + 66 + 2
  EXPECT_EQ(split_parts(carrier::softbank, text).size(), 1u);
  EXPECT_EQ(split_parts(carrier::au, std::u16string(70, u'a')).size(), 1u);
  // A pair straddling unit 67 moves whole into the next part.
  std::u16string pair = std::u16string(66, u'a') + u"\xD842\xDFB7" + std::u16string(10, u'b');
  auto parts = split_parts(carrier::au, pair);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].size(), 66u);
  EXPECT_EQ(parts[1].front(), u'\xD842');
}

}  // namespace
}  // namespace ivrcast::sms
