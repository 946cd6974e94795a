#pragma once

#include <cstdint>
#include <string_view>

namespace ivrcast::connectors::kafka {

/// One consumed record; the views are valid only during the handler call that receives it.
struct record {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string_view key;
  std::string_view value;
  int64_t timestamp_ms = 0;
};

}  // namespace ivrcast::connectors::kafka
