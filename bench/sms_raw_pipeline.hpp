// The SMS sender's raw pipeline baseline: the least a sender that neither loses nor duplicates
// must do, in plain librdkafka and bare SMPP (bench/raw_kafka, bench/raw_smpp), on the same
// broker and simulated SMSCs as the node. See bench/README.md.
#pragma once

#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "config/settings.hpp"

namespace ivrcast::bench {

struct pipeline_result {
  double submits_per_s = 0;        // every job consumed, fenced and accepted by its SMSC
  double with_receipts_per_s = 0;  // and every receipt recorded on the broker
};

/// Moves `jobs` (encoded sms jobs, keyed by their destination) through the pipeline with
/// `window` unanswered submits per SMSC, timed from when the last job is on the topic.
caf::expected<pipeline_result> raw_pipeline(
    const config::settings& s, const std::vector<std::pair<std::string, std::string>>& jobs,
    int window);

}  // namespace ivrcast::bench
