#include "sms/delivery_status.hpp"

#include <gtest/gtest.h>

namespace ivrcast::sms {
namespace {

using ds = delivery_status;

TEST(DeliveryStatusTest, ReceiptStatesMapPerTheWrittenTable) {
  const std::vector<std::string> retry{"006"};
  struct row {
    carrier c;
    const char* stat;
    const char* err;
    ds expected;
  } rows[] = {
      {carrier::au, "DELIVRD", "000", ds::delivered},
      {carrier::au, "ENROUTE", "000", ds::awaiting},
      {carrier::au, "ACCEPTD", "000", ds::awaiting},
      {carrier::au, "UNDELIV", "001", ds::failed},
      {carrier::au, "EXPIRED", "002", ds::failed},
      {carrier::au, "REJECTD", "003", ds::carrier_error},
      {carrier::au, "DELETED", "000", ds::carrier_error},
      {carrier::au, "UNKNOWN", "000", ds::carrier_error},
      {carrier::au, "UNDELIV", "006", ds::failed},  // リトライ is docomo's only
      {carrier::docomo, "UNDELIV", "006", ds::retry},
      {carrier::docomo, "UNDELIV", "001", ds::failed},
      {carrier::softbank, "DELIVRD", "000", ds::delivered},
      {carrier::rakuten, "REJECTD", "000", ds::carrier_error},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string{key(r.c)} + " " + r.stat + " err " + r.err);
    auto st = parse_stat(r.stat);
    ASSERT_TRUE(st);
    EXPECT_EQ(part_status(r.c, *st, r.err, retry), r.expected);
  }
  EXPECT_FALSE(parse_stat("DELIVERED"));
  EXPECT_EQ(state_from_tlv(2), receipt_state::delivered);
  EXPECT_FALSE(state_from_tlv(9));
}

TEST(DeliveryStatusTest, SubmitStatusesMapToRetryOrFinalStatus) {
  EXPECT_EQ(map_submit_status(0x00).verdict, submit_verdict::accepted);
  EXPECT_EQ(map_submit_status(0x58).verdict, submit_verdict::retry_later);
  EXPECT_EQ(map_submit_status(0x14).verdict, submit_verdict::retry_later);
  EXPECT_EQ(map_submit_status(0x08).verdict, submit_verdict::retry_later);
  EXPECT_EQ(map_submit_status(0x0B).status, ds::carrier_error);
  EXPECT_EQ(map_submit_status(0x45).status, ds::carrier_error);
  EXPECT_EQ(map_submit_status(0x0A).status, ds::internal_error);
}

TEST(DeliveryStatusTest, PartsCombineIntoOneMessageStatus) {
  auto c = [](std::initializer_list<ds> p) {
    std::vector<ds> v{p};
    return combine(v);
  };
  EXPECT_EQ(c({ds::delivered, ds::delivered}), ds::delivered);
  EXPECT_EQ(c({ds::delivered, ds::failed}), ds::partially_failed);
  EXPECT_EQ(c({ds::failed, ds::carrier_error}), ds::failed);
  EXPECT_EQ(c({ds::delivered, ds::sent}), ds::sent);
  EXPECT_EQ(c({ds::awaiting, ds::delivered}), ds::awaiting);
  EXPECT_EQ(c({ds::retry}), ds::retry);
}

TEST(DeliveryStatusTest, StatusesOnlyMoveForwardByRank) {
  EXPECT_LT(rank(ds::preparing), rank(ds::sent));
  EXPECT_LT(rank(ds::sent), rank(ds::awaiting));
  EXPECT_LT(rank(ds::awaiting), rank(ds::delivered));
  EXPECT_EQ(rank(ds::undetermined), rank(ds::delivered));
  EXPECT_EQ(label(ds::partially_failed), "一部失敗");
  EXPECT_EQ(arrival_label(ds::delivered), "到達");
  EXPECT_EQ(arrival_label(ds::failed), "不達");
  EXPECT_EQ(arrival_label(ds::sent), "");
}

}  // namespace
}  // namespace ivrcast::sms
