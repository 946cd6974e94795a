#include "tests/support/node_process.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace ivrcast::test {

void write_node_config(const config::settings& s, const std::string& path) {
  std::ofstream out{path};
  out << "node.id = " << s.node.id << "\nnode.data_dir = " << s.node.data_dir
      << "\nnode.log_level = info\n"
      << "kafka.brokers = " << s.kafka.brokers << "\nkafka.topic_prefix = " << s.kafka.topic_prefix
      << "\nkafka.group_id = " << s.kafka.group_id
      << "\nkafka.session_timeout_ms = " << s.kafka.session_timeout_ms << "\n"
      << "sms.group_id = " << s.sms.group_id << "\nsms.number_ranges = " << s.sms.number_ranges
      << "\nsms.ported = " << s.sms.ported << "\n";
  if (!s.flows.file.empty())
    out << "flows.file = " << s.flows.file << "\n";
  const char* names[] = {"au", "docomo", "softbank", "rakuten"};
  for (size_t i = 0; i < 4; ++i) {
    const auto& c = s.sms.carriers[i];
    std::string k = std::string{"sms."} + names[i] + ".";
    out << k << "smsc = " << c.smsc << "\n"
        << k << "resp_ids = " << c.resp_ids << "\n"
        << k << "receipt_ids = " << c.receipt_ids << "\n"
        << k << "rate = " << c.rate << "\n"
        << k << "connections = " << c.connections << "\n"
        << k << "in_doubt_wait_ms = " << c.in_doubt_wait_ms << "\n"
        << k << "response_timeout_ms = " << c.response_timeout_ms << "\n"
        << k << "retry_backoff_ms = " << c.retry_backoff_ms << "\n"
        << k << "max_retries = " << c.max_retries << "\n";
  }
}

void node_process::start() {
  ASSERT_TRUE(proc_.start({IVRCAST_BINARY, "run", "--config", config_}, log_, log_));
}

}  // namespace ivrcast::test
