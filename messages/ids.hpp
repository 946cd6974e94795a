#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>

namespace ivrcast {

/// A string id that cannot be mixed up with another kind of id.
template <class Tag>
struct basic_id {
  std::string value;

  basic_id() = default;
  explicit basic_id(std::string v) : value(std::move(v)) {}
  auto operator<=>(const basic_id&) const = default;
  bool empty() const { return value.empty(); }
};

template <class Inspector, class Tag>
typename Inspector::result_type inspect(Inspector& f, basic_id<Tag>& x) {
  return f(x.value);
}

using call_id = basic_id<struct call_id_tag>;
using gateway_id = basic_id<struct gateway_id_tag>;
using job_id = basic_id<struct job_id_tag>;
using account_id = basic_id<struct account_id_tag>;
using flow_version_id = basic_id<struct flow_version_id_tag>;

/// A Kafka partition number.
struct partition_id {
  int32_t value = 0;
  auto operator<=>(const partition_id&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, partition_id& x) {
  return f(x.value);
}

}  // namespace ivrcast

template <class Tag>
struct std::hash<ivrcast::basic_id<Tag>> {
  size_t operator()(const ivrcast::basic_id<Tag>& x) const noexcept {
    return std::hash<std::string>{}(x.value);
  }
};
