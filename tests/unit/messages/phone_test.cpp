// Phone numbers as every part reads them.

#include <gtest/gtest.h>

#include "messages/phone.hpp"

namespace ivrcast::messages {
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

}  // namespace
}  // namespace ivrcast::messages
