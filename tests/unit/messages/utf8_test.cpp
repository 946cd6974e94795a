// UTF-8 as RFC 3629 has it: the one check behind to_utf16 and the status events' text.

#include "messages/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

#include "messages/errc.hpp"
#include "sms/segment_rules.hpp"

namespace ivrcast {
namespace {

TEST(Utf8Test, WellFormedTextPassesAndEachCodePointIsRead) {
  struct row {
    std::string text;
    uint32_t first;
    size_t length;
  };
  for (const auto& r : std::vector<row>{{"a", 'a', 1},
                                        {"\x7f", 0x7F, 1},
                                        {"\xc2\x80", 0x80, 2},
                                        {"ご予約", 0x3054, 3},
                                        {"\xef\xbf\xbf", 0xFFFF, 3},
                                        {"😀", 0x1F600, 4},
                                        {"\xf4\x8f\xbf\xbf", 0x10FFFF, 4}}) {
    EXPECT_EQ(first_non_utf8(r.text), std::nullopt) << r.text;
    auto step = next_code_point(r.text, 0);
    EXPECT_EQ(step.fault, nullptr) << r.text;
    EXPECT_EQ(step.code_point, r.first) << r.text;
    EXPECT_EQ(step.length, r.length) << r.text;
  }
  EXPECT_EQ(first_non_utf8(""), std::nullopt);
}

TEST(Utf8Test, MalformedTextIsFoundAtItsFirstBadByteSayingWhy) {
  struct row {
    std::string text;
    size_t at;
    std::string why;
  };
  for (const auto& r :
       std::vector<row>{{"ok\x80", 2, "invalid lead byte"},  // a continuation byte alone
                        {"\xff", 0, "invalid lead byte"},    //
                        {"\xf8\x88\x80\x80\x80", 0, "invalid lead byte"},  // five-byte form
                        {"a\xe3\x81", 1, "truncated sequence"},            // あ cut short
                        {"\xe3\x41\x82", 1, "invalid continuation byte"},  //
                        {"\xc0\xaf", 0, "invalid code point"},             // overlong '/'
                        {"\xe0\x80\xaf", 0, "invalid code point"},         // overlong '/'
                        {"\xed\xa0\x80", 0, "invalid code point"},         // a UTF-16 surrogate
                        {"\xf4\x90\x80\x80", 0, "invalid code point"},     // past U+10FFFF
                        {"ご予約\xe3", 9, "truncated sequence"}}) {
    EXPECT_EQ(first_non_utf8(r.text), r.at) << r.why;
    size_t i = 0;
    utf8_step step;
    while ((step = next_code_point(r.text, i)).fault == nullptr)
      i += step.length;
    EXPECT_EQ(step.fault_at, r.at);
    EXPECT_EQ(std::string{step.fault}, r.why);
    auto u = sms::to_utf16(r.text);
    ASSERT_FALSE(u) << r.why;
    EXPECT_NE(describe(u.error()).find(r.why + " at " + std::to_string(r.at)), std::string::npos)
        << describe(u.error());
  }
}

}  // namespace
}  // namespace ivrcast
