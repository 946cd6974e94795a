// The pure pieces of the control plane: password rules and hashing, CIDR allowlists, WAV checks.

#include <gtest/gtest.h>

#include <algorithm>

#include "control/audio.hpp"
#include "control/cidr.hpp"
#include "control/passwords.hpp"
#include "control/throttle.hpp"

namespace ivrcast {
namespace {

std::vector<std::string> codes(std::string_view pw) {
  std::vector<std::string> out;
  for (const auto& r : control::password_problems(pw))
    out.push_back(r.code);
  return out;
}

TEST(PasswordRulesTest, EachRuleHasItsOwnCode) {
  EXPECT_TRUE(codes("Good#Pass2026").empty());
  EXPECT_EQ(codes("Aa1#aaaaa"), std::vector<std::string>{"password_too_short"});
  EXPECT_EQ(codes("Aa1# aaaaaa"), std::vector<std::string>{"password_has_whitespace"});
  EXPECT_EQ(codes("Aa1#aaaaaa\xE3\x80\x80"), std::vector<std::string>{"password_has_whitespace"});
  EXPECT_EQ(codes("aa1#aaaaaa"), std::vector<std::string>{"password_needs_upper"});
  EXPECT_EQ(codes("AA1#AAAAAA"), std::vector<std::string>{"password_needs_lower"});
  EXPECT_EQ(codes("Aab#aaaaaa"), std::vector<std::string>{"password_needs_digit"});
  EXPECT_EQ(codes("Aa1aaaaaaa"), std::vector<std::string>{"password_needs_symbol"});
  EXPECT_EQ(codes("").size(), 5u);
  // Ten characters, not ten bytes: multi-byte letters count once.
  EXPECT_EQ(codes("Aa1#あいうえお"), std::vector<std::string>{"password_too_short"});
}

TEST(PasswordRulesTest, TemporaryPasswordsMeetTheRulesAndHashesVerify) {
  for (int i = 0; i < 50; ++i)
    EXPECT_TRUE(codes(control::temporary_password()).empty());
  control::hash_cost cheap{1, 8};
  auto h = control::hash_password("Good#Pass2026", cheap);
  EXPECT_TRUE(h.starts_with("$argon2id$"));
  EXPECT_TRUE(control::verify_password(h, "Good#Pass2026"));
  EXPECT_FALSE(control::verify_password(h, "Good#Pass2027"));
  EXPECT_FALSE(control::verify_password("", "Good#Pass2026"));
  EXPECT_NE(control::hash_password("Good#Pass2026", cheap), h) << "hashes are salted";
}

TEST(CidrTest, AllowlistsMatchByPrefix) {
  std::vector<std::string> list{"192.0.2.0/24", "2001:db8::/32", "198.51.100.7"};
  EXPECT_TRUE(control::address_allowed("192.0.2.200", list));
  EXPECT_TRUE(control::address_allowed("::ffff:192.0.2.1", list));
  EXPECT_FALSE(control::address_allowed("192.0.3.1", list));
  EXPECT_TRUE(control::address_allowed("198.51.100.7", list));
  EXPECT_FALSE(control::address_allowed("198.51.100.8", list));
  EXPECT_TRUE(control::address_allowed("2001:db8:1::5", list));
  EXPECT_FALSE(control::address_allowed("2001:db9::5", list));
  EXPECT_TRUE(control::address_allowed("203.0.113.1", {}));
  EXPECT_FALSE(control::parse_cidr("10.0.0.0/33"));
  EXPECT_FALSE(control::parse_cidr("10.0.0/8"));
  EXPECT_TRUE(control::parse_cidr("10.1.0.0/16"));
}

TEST(ThrottleTest, LoginsPerAddressPerMinute) {
  control::login_rate_limit limit{3};
  EXPECT_TRUE(limit.allow("a", 0));
  EXPECT_TRUE(limit.allow("a", 1));
  EXPECT_TRUE(limit.allow("a", 2));
  EXPECT_FALSE(limit.allow("a", 3));
  EXPECT_TRUE(limit.allow("b", 3));
  EXPECT_TRUE(limit.allow("a", 60000));
}

TEST(AudioRulesTest, ANonWavIsRefusedByName) {
  auto p = control::audio_problems("definitely not audio");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].code, "audio_not_wav");
}

}  // namespace
}  // namespace ivrcast
