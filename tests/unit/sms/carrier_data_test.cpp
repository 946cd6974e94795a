#include <gtest/gtest.h>

#include <ctime>
#include <tuple>

#include "messages/calls.hpp"
#include "messages/clock.hpp"
#include "messages/errc.hpp"
#include "sms/carrier_directory.hpp"
#include "sms/log_csv.hpp"
#include "sms/prepare.hpp"
#include "sms/short_links.hpp"

namespace ivrcast::sms {
namespace {

TEST(CarrierDirectoryTest, PortedNumbersWinOverTheLongestRange) {
  auto d =
      carrier_directory::parse("090,docomo\n0901,au # longer wins\n", "09011112222,softbank\n");
  ASSERT_TRUE(d) << describe(d.error());
  EXPECT_EQ(d->resolve("09000000000"), carrier::docomo);
  EXPECT_EQ(d->resolve("09010000000"), carrier::au);
  EXPECT_EQ(d->resolve("09011112222"), carrier::softbank);
  EXPECT_FALSE(d->resolve("08000000000"));
}

TEST(CarrierDirectoryTest, BadLinesAreRefusedWithTheirLineNumber) {
  auto bad_carrier = carrier_directory::parse("090,docomo\n080,vodafone\n", "");
  ASSERT_FALSE(bad_carrier);
  EXPECT_NE(describe(bad_carrier.error()).find("line 2"), std::string::npos);
  EXPECT_NE(describe(bad_carrier.error()).find("vodafone"), std::string::npos);
  EXPECT_FALSE(carrier_directory::parse("090\n", ""));
  EXPECT_FALSE(carrier_directory::parse("090,au\n", "0901111,au\n"));  // not a whole number
  EXPECT_FALSE(carrier_directory::parse("090,au\n090,docomo\n", ""));
}

TEST(CarrierDirectoryTest, ExampleFilesLoad) {
  auto d = carrier_directory::load(IVRCAST_SOURCE_DIR "/config/carriers/number_ranges.csv",
                                   IVRCAST_SOURCE_DIR "/config/carriers/ported.csv");
  ASSERT_TRUE(d) << describe(d.error());
  EXPECT_EQ(d->resolve("09000000001"), carrier::au);  // ported
  EXPECT_EQ(d->resolve("07012345678"), carrier::docomo);
}

TEST(ShortLinksTest, EachUrlBecomesTwentyFiveCharactersAndReplaysAlike) {
  auto r = rewrite_urls("予約 https://example.com/a?b=1 確認はhttp://x.jp/y。", "ivc.jp", "m1");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->links.size(), 2u);
  EXPECT_EQ(r->links[0].url, "https://example.com/a?b=1");
  EXPECT_EQ(r->links[1].url, "http://x.jp/y");
  auto expected = "予約  https://ivc.jp/" + r->links[0].code + "  確認は https://ivc.jp/" +
                  r->links[1].code + " 。";
  EXPECT_EQ(r->text, expected);
  EXPECT_EQ((" https://ivc.jp/" + r->links[0].code + " ").size(), 25u);
  auto again = rewrite_urls("予約 https://example.com/a?b=1 確認はhttp://x.jp/y。", "ivc.jp", "m1");
  EXPECT_EQ(again->links[0].code, r->links[0].code);
  EXPECT_NE(rewrite_urls("https://a.b", "ivc.jp", "m2")->links[0].code, r->links[0].code);
}

TEST(ShortLinksTest, UrlsEndWhereTheSentenceTakesOverAndMayHaveJapaneseDomains) {
  struct row {
    std::string_view body;
    std::vector<std::string_view> urls;
  };
  const std::vector<row> rows{
      {"詳細は https://a.jp/x.", {"https://a.jp/x"}},
      {"(https://a.jp/x) をご覧ください", {"https://a.jp/x"}},
      {"https://a.jp/wiki/A_(b) と", {"https://a.jp/wiki/A_(b)"}},
      {"https://a.jp/x, https://b.jp/y; http://c.jp!",
       {"https://a.jp/x", "https://b.jp/y", "http://c.jp"}},
      {"こちら https://a.jp/x?q=1&r=2。", {"https://a.jp/x?q=1&r=2"}},
      {"https://a.jp、https://b.jp", {"https://a.jp", "https://b.jp"}},
      {"ご予約 https://例え.jp/yoyaku をどうぞ", {"https://例え.jp/yoyaku"}},
      {"https://例え.jp。次", {"https://例え.jp"}},
      {"https://例え.jp/予約", {"https://例え.jp/"}},
      {"「https://a.jp」", {"https://a.jp"}},
      {"https://.", {}},
      {"http:// only a scheme", {}},
  };
  for (const auto& r : rows)
    EXPECT_EQ(find_urls(r.body), r.urls) << r.body;
}

TEST(ShortLinksTest, ASixthUrlIsRefused) {
  EXPECT_TRUE(rewrite_urls("http://a http://b http://c http://d http://e", "ivc.jp", "m"));
  auto r = rewrite_urls("http://a http://b http://c http://d http://e http://f", "ivc.jp", "m");
  ASSERT_FALSE(r);
  EXPECT_NE(describe(r.error()).find("at most 5"), std::string::npos);
}

messages::sms_job job_to(std::string dest, std::string body) {
  messages::sms_job j;
  j.job = job_id{"v1-c1"};
  j.destination = std::move(dest);
  j.body = std::move(body);
  return j;
}

TEST(PrepareTest, MeasuresAndBillsForTheResolvedCarrier) {
  auto d = carrier_directory::parse("090,docomo\n080,softbank\n", "").value();
  auto m = prepare(job_to("09012345678", std::string(133 * 3, 'a').substr(0, 133)), d, "ivc.jp");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->via, carrier::docomo);
  EXPECT_EQ(m->length, 133);
  EXPECT_EQ(m->segments, 3);
  EXPECT_EQ(m->message_id, "v1-c1.1");
  auto sb = prepare(job_to("08012345678", std::string(600, 'a')), d, "ivc.jp");
  EXPECT_EQ(sb->segments, 1);
  EXPECT_FALSE(prepare(job_to("07012345678", "x"), d, "ivc.jp"));  // no range
  EXPECT_FALSE(prepare(job_to("09012345678", std::string(661, 'a')), d, "ivc.jp"));
  EXPECT_FALSE(prepare(job_to("09012345678", ""), d, "ivc.jp"));
}

TEST(LogCsvTest, JapanTimeReadsBackAsShownAndNothingBefore1970) {
  auto ms = sms::parse_jst("2026-12-01T09:30:15");
  ASSERT_TRUE(ms);
  std::string shown;
  sms::append_jst(shown, *ms);
  EXPECT_EQ(shown, "2026/12/01 09:30:15");
  EXPECT_EQ(sms::parse_jst(shown), ms);
  // Found by tests/fuzz (text): a year before 1970 parsed to a negative time the log shows as
  // nothing.
  EXPECT_FALSE(sms::parse_jst("1013-11/01"));
  EXPECT_FALSE(sms::parse_jst("1970-01-01 08:59:59"));
  EXPECT_TRUE(sms::parse_jst("1970-01-01 09:00:01"));
}

TEST(JapanTimeTest, CivilFieldsAgreeWithTheCLibraryAcrossYearsAndDayEnds) {
  // jst_civil is arithmetic of its own: glibc's gmtime_r on UTC+9 is the reference, at the
  // edges (a day's last millisecond in Japan, leap days, year ends) and every ~7 h 13 min
  // from 1970 to 2100.
  std::vector<int64_t> at{1,
                          jst_to_unix_ms(2024, 2, 29, 23, 59, 59) + 999,
                          jst_to_unix_ms(2024, 3, 1, 0, 0, 0),
                          jst_to_unix_ms(2026, 12, 31, 23, 59, 59) + 999,
                          jst_to_unix_ms(2027, 1, 1, 0, 0, 0),
                          jst_to_unix_ms(2100, 2, 28, 12, 0, 0)};
  for (int64_t ms = 0; ms < jst_to_unix_ms(2100, 1, 1, 0, 0, 0); ms += 25'980'123)
    at.push_back(ms);
  for (int64_t ms : at) {
    auto t = static_cast<std::time_t>(ms / 1000 + 9 * 3600);
    std::tm tm{};
    gmtime_r(&t, &tm);
    auto c = jst_civil(ms);
    ASSERT_EQ(
        std::tuple(c.year, c.month, c.day, c.hour, c.minute, c.second),
        std::tuple(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec))
        << ms;
    ASSERT_EQ(jst_day(ms), static_cast<uint32_t>((tm.tm_year + 1900) * 10000 +
                                                 (tm.tm_mon + 1) * 100 + tm.tm_mday));
  }
}

TEST(LogCsvTest, HeaderHasTheThirtyColumnsAndRowsFollowTheRules) {
  std::string out;
  log_csv_writer w{csv_encoding::utf8_bom, [&](std::string_view s) {
                     out.append(s);
                     return true;
                   }};
  ASSERT_TRUE(w.header());
  log_row r;
  r.job_id = "v1-c1";
  r.message_id = "v1-c1.1";
  r.requested_at_ms = 1767225600000;  // 2026-01-01 00:00:00 UTC = 09:00 JST
  r.sent_at_ms = 1767225601000;
  r.destination = "09012345678";
  r.via = carrier::rakuten;
  r.flow_version_id = "v1";
  r.flow_name = "来店予約";
  r.body = "ご予約,\"確認\"\n";
  r.incoming_number = "0501110001";
  r.status = delivery_status::delivered;
  r.arrived_at_ms = 1767225605000;
  r.sent_length = 10;
  r.segments = 1;
  ASSERT_TRUE(w.row(r));
  ASSERT_TRUE(w.finish());
  ASSERT_TRUE(out.starts_with("\xEF\xBB\xBF"));
  auto header_end = out.find("\r\n");
  auto header = out.substr(3, header_end - 3);
  EXPECT_EQ(std::count(header.begin(), header.end(), ',') + 1, 30);
  EXPECT_TRUE(header.starts_with("ジョブID,メッセージID,種別,"));
  EXPECT_TRUE(header.ends_with(",着信用電話番号"));
  auto line = out.substr(header_end + 2);
  EXPECT_EQ(line,
            "v1-c1,v1-c1.1,送信,,,2026/01/01 09:00:00,2026/01/01 09:00:01,+819012345678,"
            "楽天モバイル,SMS,v1,IVRCampaign_v1,,\"ご予約,\"\"確認\"\"\n\",到達済,到達,"
            "2026/01/01 09:00:05,10,1,,,,,,,,,,,+81501110001\r\n");
}

TEST(LogCsvTest, AFormulaInABodyIsShownNotRunAndPhoneNumbersKeepTheirPlus) {
  for (auto [body, field] : std::vector<std::pair<std::string, std::string>>{
           {"=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""},
           {"+1+1", "'+1+1"},
           {"-2", "'-2"},
           {"@SUM(A1)", "'@SUM(A1)"},
           {"\tcmd", "'\tcmd"},
           {"\rcmd", "\"'\rcmd\""},
           {"ご予約=OK", "ご予約=OK"},
       }) {
    std::string out;
    log_csv_writer w{csv_encoding::utf8_bom, [&](std::string_view s) {
                       out.append(s);
                       return true;
                     }};
    log_row r;
    r.job_id = "j";
    r.message_id = "m";
    r.destination = "09012345678";
    r.incoming_number = "0501110001";
    r.body = body;
    r.status = delivery_status::sent;
    ASSERT_TRUE(w.row(r));
    ASSERT_TRUE(w.finish());
    EXPECT_NE(out.find(",," + field + ","), std::string::npos) << body << " in " << out;
    EXPECT_NE(out.find(",+819012345678,"), std::string::npos) << out;
    EXPECT_TRUE(out.ends_with(",+81501110001\r\n")) << out;
  }
}

TEST(LogCsvTest, CarrierIsUnknownUntilDeliveredAndShiftJisIsOnRequest) {
  std::string out;
  log_csv_writer w{csv_encoding::shift_jis, [&](std::string_view s) {
                     out.append(s);
                     return true;
                   }};
  ASSERT_TRUE(w.header());
  log_row r;
  r.via = carrier::au;
  r.status = delivery_status::failed;
  r.body = "予約\xF0\x9F\x98\x80";  // the emoji has no Shift_JIS form
  ASSERT_TRUE(w.row(r));
  ASSERT_TRUE(w.finish());
  EXPECT_FALSE(out.starts_with("\xEF\xBB\xBF"));
  EXPECT_TRUE(out.starts_with("\x83W\x83\x87\x83u"));           // ジョブ in CP932
  EXPECT_NE(out.find("\x97\x5C\x96\xF1?"), std::string::npos);  // 予約?
  EXPECT_NE(out.find("\x95\x73\x96\xBE"), std::string::npos);   // 不明
}

TEST(LogCsvTest, ShiftJisRefusesRatherThanSendUtf8WhenItCannotConvert) {
  EXPECT_TRUE(shift_jis_available());
  std::string out;
  log_csv_writer w{csv_encoding::shift_jis,
                   [&](std::string_view s) {
                     out.append(s);
                     return true;
                   },
                   "NO-SUCH-CHARSET"};
  EXPECT_FALSE(w.header());
  EXPECT_FALSE(w.row(log_row{}));
  EXPECT_FALSE(w.finish());
  EXPECT_TRUE(out.empty()) << "nothing under the Shift_JIS name that is not Shift_JIS";
}

}  // namespace
}  // namespace ivrcast::sms
