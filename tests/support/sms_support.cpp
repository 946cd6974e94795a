#include "tests/support/sms_support.hpp"

#include <gtest/gtest.h>

#include <map>
#include "connectors/delivery/job_codec.hpp"
#include "connectors/kafka/producer.hpp"
#include "sms/carrier_directory.hpp"
#include "sms/log_csv.hpp"
#include "sms/prepare.hpp"
#include "sms/segment_rules.hpp"
#include "storage/database.hpp"
#include "storage/delivery_log.hpp"
#include "storage/log_export.hpp"
#include "tests/support/test_support.hpp"

namespace ivrcast::test {
namespace {

const sms::carrier_directory& directory() {
  static const auto d =
      sms::carrier_directory::load(IVRCAST_SOURCE_DIR "/config/carriers/number_ranges.csv",
                                   IVRCAST_SOURCE_DIR "/config/carriers/ported.csv")
          .value();
  return d;
}

sms::delivery_status status_of(tools::sim_outcome o, sms::carrier c) {
  switch (o) {
    case tools::sim_outcome::delivered:
    case tools::sim_outcome::enroute:
      return sms::delivery_status::delivered;
    case tools::sim_outcome::undeliverable:
    case tools::sim_outcome::expired:
      return sms::delivery_status::failed;
    case tools::sim_outcome::rejected:
      return sms::delivery_status::carrier_error;
    case tools::sim_outcome::retry:
      return c == sms::carrier::docomo ? sms::delivery_status::retry : sms::delivery_status::failed;
  }
  return sms::delivery_status::delivered;
}

}  // namespace

std::vector<std::unique_ptr<tools::smsc_sim>> start_carriers(config::settings& s,
                                                             int receipt_delay_ms) {
  s.sms.simulator_mix = sms_test_mix;
  s.sms.simulator_receipt_delay_ms = receipt_delay_ms;
  auto sims = tools::simulate_carriers(s.sms);
  EXPECT_TRUE(sims) << describe(sims.error());
  for (auto& c : s.sms.carriers) {
    c.rate = 100000;
    // The wait trades a delay for a duplicate (docs/sms-delivery.md): a receipt that takes
    // longer than it to reach the log lets the part go out twice, and a sanitizer's build is
    // that much slower.
    c.in_doubt_wait_ms = static_cast<int>(test::scaled(std::chrono::milliseconds{3000}).count());
    c.response_timeout_ms = 2000;
    c.retry_backoff_ms = 20;
    c.max_retries = 50;
  }
  return sims ? std::move(*sims) : std::vector<std::unique_ptr<tools::smsc_sim>>{};
}

messages::sms_job job_to(const std::string& run, const std::string& destination, int i,
                         int64_t requested_at_ms) {
  messages::sms_job j;
  j.call = call_id{run + "-call-" + std::to_string(i)};
  j.flow_version = flow_version_id{"fv-" + run};
  j.job = job_id{j.flow_version.value + "-" + j.call.value};
  j.account = account_id{"acc-test"};
  j.incoming_number = "0501110001";
  j.flow_name = "テスト案件";
  j.destination = destination;
  j.sender_id = "0312345678";
  j.body = "ご予約を承りました。番号" + std::to_string(i);
  j.requested_at_ms = requested_at_ms + i;
  j.decided_at_ms = j.requested_at_ms;
  return j;
}

messages::sms_job test_job(const std::string& run, int i, int64_t requested_at_ms) {
  char dest[16];
  std::snprintf(dest, sizeof dest, "090%d%07d", i % 10, i);
  auto j = job_to(run, dest, i, requested_at_ms);
  if (i % 7 == 0)
    j.body = std::string("ご来店ありがとうございます。") + std::string(130, 'x') +
             " 詳細: https://example.com/x?i=" + std::to_string(i);
  j.short_urls = true;
  return j;
}

int expected_parts(const messages::sms_job& job) {
  auto m = sms::prepare(job, directory(), "ivc.jp").value();
  return static_cast<int>(sms::split_parts(m.via, m.text).size());
}

std::pair<sms::carrier, int> expected_billing(const messages::sms_job& job) {
  auto m = sms::prepare(job, directory(), "ivc.jp").value();
  return {m.via, m.segments};
}

sms::delivery_status expected_status(const messages::sms_job& job) {
  auto m = sms::prepare(job, directory(), "ivc.jp").value();
  static const auto mix = tools::sim_mix::parse(sms_test_mix);
  std::vector<sms::delivery_status> parts;
  for (int k = 0; k < expected_parts(job); ++k)
    parts.push_back(status_of(mix.pick(job.destination, k), m.via));
  return sms::combine(parts);
}

void produce_jobs(const connectors::kafka::bus& b, const std::vector<messages::sms_job>& jobs) {
  auto p = connectors::kafka::producer::open(b, "test-jobs", [](uint64_t, bool) {});
  ASSERT_TRUE(p);
  auto t = (*p)->topic(b.topic(topics::sms_jobs));
  std::string buf;
  for (const auto& j : jobs) {
    connectors::delivery::encode_job(j, buf);
    ASSERT_TRUE((*p)->produce(t, j.destination, buf, 0));
  }
  ASSERT_TRUE((*p)->flush(scaled(std::chrono::seconds{30})));
}

void produce_raw_job(const connectors::kafka::bus& b, const std::string& key,
                     const std::string& value) {
  auto p = connectors::kafka::producer::open(b, "test-poison", [](uint64_t, bool) {});
  ASSERT_TRUE(p);
  ASSERT_TRUE((*p)->produce((*p)->topic(b.topic(topics::sms_jobs)), key, value, 0));
  ASSERT_TRUE((*p)->flush(scaled(std::chrono::seconds{30})));
}

size_t final_rows(const storage::delivery_log& log, int64_t from, int64_t to) {
  size_t n = 0;
  auto ok = log.scan(from, to, "", [&](const sms::log_row& r) {
    n += sms::is_final(r.status) ? 1 : 0;
    return true;
  });
  return ok ? n : 0;
}

size_t final_rows_on_disk(const config::settings& s, int64_t from, int64_t to) {
  auto db = storage::database::open_read_only(s.node.data_dir);
  if (!db)
    return 0;
  return final_rows(storage::delivery_log{*db, s.sms.docomo_retry_errors}, from, to);
}

std::vector<std::vector<std::string>> parse_csv(std::string_view t) {
  if (t.starts_with("\xEF\xBB\xBF"))
    t.remove_prefix(3);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (quoted) {
      if (c == '"' && i + 1 < t.size() && t[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < t.size() && t[i + 1] == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      ++i;
    } else {
      field += c;
    }
  }
  return rows;
}

std::vector<std::string> expected_csv_fields(const messages::sms_job& job, const sms::log_row& r) {
  auto m = sms::prepare(job, directory(), "ivc.jp").value();
  auto jst = [](int64_t ms) {
    std::string s;
    sms::append_jst(s, ms);
    return s;
  };
  bool delivered = r.status == sms::delivery_status::delivered;
  std::vector<std::string> f{job.job.value,
                             job.job.value + ".1",
                             "送信",
                             "",
                             "",  // 送信順序: unused by the IVR plan (§4)
                             jst(job.requested_at_ms),
                             jst(r.sent_at_ms),
                             "+81" + job.destination.substr(1),
                             delivered ? std::string{sms::display_name(m.via)} : "不明",
                             "SMS",
                             job.flow_version.value,
                             "IVRCampaign_" + job.flow_version.value,
                             "",
                             m.body,
                             std::string{sms::label(r.status)},
                             std::string{sms::arrival_label(r.status)},
                             jst(r.arrived_at_ms),
                             std::to_string(m.length),
                             std::to_string(m.segments),
                             "",
                             ""};
  for (int k = 0; k < 8; ++k)
    f.emplace_back();
  f.push_back("+81" + job.incoming_number.substr(1));
  return f;
}

void expect_exactly_once(const storage::delivery_log& log,
                         const std::vector<std::unique_ptr<tools::smsc_sim>>& carriers_,
                         const std::vector<messages::sms_job>& jobs, int64_t from, int64_t to) {
  uint64_t parts = 0;
  for (const auto& j : jobs)
    parts += static_cast<uint64_t>(test::expected_parts(j));
  uint64_t submits = 0;
  for (const auto& c : carriers_) {
    auto st = c->counts();
    submits += st.submits;
    EXPECT_EQ(st.duplicates, 0u) << "duplicates at the simulated "
                                 << "SMSC";
  }
  EXPECT_EQ(submits, parts) << "every part reaches its carrier exactly once";

  std::string csv;
  auto rows =
      storage::export_csv(log, from, to, "", sms::csv_encoding::utf8_bom, [&](std::string_view s) {
        csv.append(s);
        return true;
      });
  ASSERT_OK(rows);
  ASSERT_EQ(*rows, jobs.size());
  auto lines = test::parse_csv(csv);
  ASSERT_EQ(lines.size(), jobs.size() + 1);
  EXPECT_EQ(lines[0].size(), 30u);
  std::map<std::string, std::vector<std::string>> by_job;
  for (size_t i = 1; i < lines.size(); ++i)
    by_job[lines[i][0]] = lines[i];
  std::map<sms::delivery_status, int> statuses;
  for (const auto& j : jobs) {
    SCOPED_TRACE(j.job.value);
    auto row = log.find(j.job.value + ".1");
    ASSERT_OK(row);
    ASSERT_TRUE(row->has_value());
    const auto& r = **row;
    EXPECT_EQ(r.status, test::expected_status(j));
    EXPECT_GT(r.sent_at_ms, 0);
    ++statuses[r.status];
    auto it = by_job.find(j.job.value);
    ASSERT_NE(it, by_job.end());
    EXPECT_EQ(it->second, test::expected_csv_fields(j, r));
  }
  // The mix must really have produced the interesting outcomes.
  EXPECT_GT(statuses[sms::delivery_status::delivered], 0);
  EXPECT_GT(statuses[sms::delivery_status::failed], 0);
  EXPECT_GT(statuses[sms::delivery_status::partially_failed], 0);
}

}  // namespace ivrcast::test
