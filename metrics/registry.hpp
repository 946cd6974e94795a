#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace prometheus {
class Counter;
class Registry;
}  // namespace prometheus

namespace ivrcast::metrics {

class latency_histogram;

struct label {
  std::string_view name;
  std::string_view value;
};

/// What collectors write at scrape time: samples, grouped into families by name (the first
/// sample of a name gives its help and type).
class scrape {
 public:
  void counter(std::string_view name, std::string_view help, std::initializer_list<label> labels,
               double value);
  void gauge(std::string_view name, std::string_view help, std::initializer_list<label> labels,
             double value);
  void histogram(std::string_view name, std::string_view help, std::initializer_list<label> labels,
                 const latency_histogram& h);

  struct impl;
  explicit scrape(impl& i) : impl_(&i) {}

 private:
  impl* impl_;
};

/// A counter of the registry: increments from any thread without a lock.
class counter {
 public:
  counter() = default;
  void inc(double by = 1) const;
  double value() const;

 private:
  friend class registry;
  explicit counter(prometheus::Counter* c) : c_(c) {}
  prometheus::Counter* c_ = nullptr;  // null: a counter of no registry (counts nothing)
};

/// A node's metrics (prometheus-cpp's registry): counters that code increments as things
/// happen, and collectors that read what already exists (atomics, states, consumer positions)
/// when Prometheus scrapes. Thread-safe.
class registry {
 public:
  registry();
  ~registry();
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;

  /// The counter of `name` with these labels, made on first use.
  counter get_counter(const std::string& name, const std::string& help,
                      const std::map<std::string, std::string>& labels);

  using collector = std::function<void(scrape&)>;
  /// Runs at every scrape, until the registry goes.
  void add(collector c);

  /// Every metric in Prometheus' text exposition format 0.0.4.
  std::string text() const;

 private:
  std::shared_ptr<prometheus::Registry> reg_;
  mutable std::mutex mtx_;
  std::map<std::string, void*> families_;  // prometheus::Family<Counter>* by name
  std::vector<collector> collectors_;
};

/// The content type of registry::text().
inline constexpr std::string_view text_content_type = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace ivrcast::metrics
