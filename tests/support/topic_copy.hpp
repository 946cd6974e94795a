#pragma once

#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "connectors/kafka/consumer.hpp"

namespace ivrcast::test {

/// Keeps the value of every record of a topic from the beginning (thread-safe).
class topic_copy final : public connectors::kafka::partition_reader::handler {
 public:
  int64_t start_offset(int32_t) override { return 0; }
  void records(int32_t, std::span<const connectors::kafka::record> batch) override {
    std::lock_guard<std::mutex> guard{mtx_};
    for (const auto& r : batch)
      values_.emplace_back(r.value);
  }
  std::vector<std::string> values() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return values_;
  }

 private:
  mutable std::mutex mtx_;
  std::vector<std::string> values_;
};

}  // namespace ivrcast::test
