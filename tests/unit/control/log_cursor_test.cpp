// Delivery-log page tokens: a position that only the same search in the same session can use.

#include "control/log_cursor.hpp"

#include <gtest/gtest.h>

namespace ivrcast::control {
namespace {

constexpr std::string_view binding = "a1\n1764500000000\n1764586400000\n\n\n0\n\n-1\nnewest";
constexpr std::string_view key = "session-token-1";

TEST(LogCursorTest, ATokenDecodesToItsPositionForTheSameSearchAndSession) {
  storage::delivery_log::position at{1764501234567, "v1-c1.42"};
  auto token = encode_log_cursor(at, binding, key);
  EXPECT_EQ(token.find("v1-c1"), std::string::npos) << "opaque: " << token;
  auto back = decode_log_cursor(token, binding, key);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->requested_at_ms, at.requested_at_ms);
  EXPECT_EQ(back->message_id, at.message_id);
}

TEST(LogCursorTest, AnotherAccountSearchOrSessionOrAnEditedTokenIsRefused) {
  auto token = encode_log_cursor({1764501234567, "m-1"}, binding, key);
  std::string other_account{binding};
  other_account[1] = '2';  // a2
  EXPECT_FALSE(decode_log_cursor(token, other_account, key)) << "another account";
  EXPECT_FALSE(decode_log_cursor(token, std::string{binding} + "x", key)) << "another search";
  EXPECT_FALSE(decode_log_cursor(token, binding, "session-token-2")) << "another session";
  // Every single-character edit of the token fails: the payload and the signature alike.
  for (size_t i = 0; i < token.size(); ++i) {
    auto forged = token;
    forged[i] = forged[i] == '0' ? '1' : '0';
    EXPECT_FALSE(decode_log_cursor(forged, binding, key)) << "edited at " << i;
  }
  // A token made up from a position with a signature of the right shape.
  auto made_up = encode_log_cursor({1, "m-1"}, binding, "guessed-key");
  EXPECT_FALSE(decode_log_cursor(made_up, binding, key));
  for (std::string_view junk : {"", ".", "zz.zz", "0000000000000000.", "not a token at all"})
    EXPECT_FALSE(decode_log_cursor(junk, binding, key)) << junk;
}

}  // namespace
}  // namespace ivrcast::control
