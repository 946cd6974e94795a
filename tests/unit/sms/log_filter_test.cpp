// The delivery log's filters, row by row (product.md §3.1 statuses, §4 columns).

#include "sms/log_filter.hpp"

#include <gtest/gtest.h>

namespace ivrcast::sms {
namespace {

log_row row(delivery_status st, std::string incoming = "0501111111", std::string campaign = "v1") {
  log_row r;
  r.status = st;
  r.incoming_number = std::move(incoming);
  r.flow_version_id = std::move(campaign);
  return r;
}

TEST(LogFilterTest, EachFilterKeepsOnlyItsRows) {
  using ds = delivery_status;
  struct check {
    const char* what;
    log_filter f;
    log_row r;
    bool kept;
  };
  auto statuses = [](std::initializer_list<ds> list) {
    log_filter f;
    for (auto s : list)
      f.want(s);
    return f;
  };
  auto incoming = [](std::string n) {
    log_filter f;
    f.incoming_number = std::move(n);
    return f;
  };
  auto campaign = [](std::string c) {
    log_filter f;
    f.campaign_id = std::move(c);
    return f;
  };
  auto arrived = [](arrival a) {
    log_filter f;
    f.arrived = a;
    return f;
  };
  const check table[] = {
      {"no filter", {}, row(ds::failed), true},
      {"status in set", statuses({ds::delivered, ds::failed}), row(ds::failed), true},
      {"status not in set", statuses({ds::delivered}), row(ds::failed), false},
      {"retry is its own status", statuses({ds::failed}), row(ds::retry), false},
      {"incoming number", incoming("0501111111"), row(ds::sent), true},
      {"other incoming number", incoming("0502222222"), row(ds::sent), false},
      {"campaign", campaign("v1"), row(ds::sent), true},
      {"other campaign", campaign("v2"), row(ds::sent), false},
      {"delivered is 到達", arrived(arrival::delivered), row(ds::delivered), true},
      {"failed is 不達", arrived(arrival::undelivered), row(ds::failed), true},
      {"一部失敗 is 不達", arrived(arrival::undelivered), row(ds::partially_failed), true},
      {"不定 is 不達", arrived(arrival::undelivered), row(ds::undetermined), true},
      {"pending is neither", arrived(arrival::undelivered), row(ds::awaiting), false},
      {"pending", arrived(arrival::pending), row(ds::sent), true},
      {"delivered is not pending", arrived(arrival::pending), row(ds::delivered), false},
  };
  for (const auto& c : table) {
    EXPECT_EQ(c.f.matches(c.r), c.kept) << c.what;
    EXPECT_EQ(arrival_label(c.r.status).empty(), !is_final(c.r.status)) << c.what;
  }
  auto both = statuses({ds::delivered});
  both.incoming_number = "0501111111";
  EXPECT_TRUE(both.matches(row(ds::delivered)));
  EXPECT_FALSE(both.matches(row(ds::delivered, "0502222222"))) << "every filter must match";
}

TEST(LogFilterTest, NamesAreTheMetricNames) {
  for (uint32_t v = 1; v <= 10; ++v) {
    auto s = status_from(v);
    ASSERT_TRUE(s);
    EXPECT_EQ(status_named(metric_name(*s)), s);
  }
  EXPECT_FALSE(status_named("到達済"));
  EXPECT_FALSE(status_named(""));
  EXPECT_EQ(arrival_named("undelivered"), arrival::undelivered);
  EXPECT_FALSE(arrival_named("yes"));
}

}  // namespace
}  // namespace ivrcast::sms
