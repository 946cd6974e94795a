#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "connectors/kafka/bus.hpp"
#include "messages/calls.hpp"
#include "sms/delivery_status.hpp"
#include "sms/log_row.hpp"
#include "tools/smsc_sim/smsc_sim.hpp"

namespace ivrcast::storage {
class delivery_log;
}

namespace ivrcast::test {

/// Receipt outcomes of the tests' simulated SMSCs.
inline constexpr const char* sms_test_mix =
    "delivered=80,undeliverable=6,expired=3,rejected=4,retry=4,enroute=3";

/// A simulated SMSC per carrier, in carrier order, with `settings` pointed at them.
std::vector<std::unique_ptr<tools::smsc_sim>> start_carriers(config::settings& s,
                                                             int receipt_delay_ms = 50);

/// A one-part job `i` of a test run to `destination`, requested at `requested_at_ms` + i.
messages::sms_job job_to(const std::string& run, const std::string& destination, int i,
                         int64_t requested_at_ms);

/// Job `i` of a test run: destinations spread over the four carriers by the example number
/// ranges, unique per `i`; every 7th body is long enough for three parts (two on docomo... up
/// to SoftBank's one); job ids carry `run`.
messages::sms_job test_job(const std::string& run, int i, int64_t requested_at_ms);

/// The final status the simulator's outcome mix gives `job` (what the log must show).
sms::delivery_status expected_status(const messages::sms_job& job);
/// Parts the job is sent in.
int expected_parts(const messages::sms_job& job);
/// The carrier the job goes to and the segments it bills (文字分割数, the carrier's rule).
std::pair<sms::carrier, int> expected_billing(const messages::sms_job& job);

/// Produces the jobs to sms.jobs (keyed by destination) and flushes.
void produce_jobs(const connectors::kafka::bus& b, const std::vector<messages::sms_job>& jobs);

/// Produces raw bytes to sms.jobs (a poison record).
void produce_raw_job(const connectors::kafka::bus& b, const std::string& key,
                     const std::string& value);

/// Rows of [from, to) in `log` that are final (0 if the scan fails).
size_t final_rows(const storage::delivery_log& log, int64_t from, int64_t to);
/// The same, read from the disk of a node (`s.node.data_dir`) beside the running node (0 if
/// the database cannot be opened).
size_t final_rows_on_disk(const config::settings& s, int64_t from, int64_t to);

/// Parses an RFC 4180 CSV (CRLF lines, quoted fields) after an optional BOM.
std::vector<std::vector<std::string>> parse_csv(std::string_view text);

/// The CSV line the export must hold for `job` once final (30 fields).
std::vector<std::string> expected_csv_fields(const messages::sms_job& job, const sms::log_row& r);

/// Every job's row is final and as the simulator's mix decides, every part reached its carrier
/// exactly once, and the CSV of [from, to) matches the rows column by column.
void expect_exactly_once(const storage::delivery_log& log,
                         const std::vector<std::unique_ptr<tools::smsc_sim>>& carriers,
                         const std::vector<messages::sms_job>& jobs, int64_t from, int64_t to);

}  // namespace ivrcast::test
